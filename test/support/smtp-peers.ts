import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface ReceivedMessage {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpPeer {
  port: number;
  messages: ReceivedMessage[];
  close(): Promise<void>;
}

export interface SmtpPeerOptions {
  /** Implicit TLS from the first byte (port 465 style); otherwise STARTTLS when `tls` is set. */
  secure?: boolean;
  tls?: { key: string; cert: string };
  /** Credentials the server requires; without them it accepts mail unauthenticated. */
  auth?: { user: string; password: string };
  /** Recipients to refuse at RCPT TO with `550 5.1.1`. */
  unknownRecipients?: string[];
  /** Milliseconds to wait before answering the end of DATA, to keep hand-offs in flight. */
  dataDelayMs?: number;
}

let queueCounter = 0;

/** A real SMTP server on 127.0.0.1 (smtp-server) that records what it accepts. */
export async function startSmtpPeer(options: SmtpPeerOptions = {}): Promise<SmtpPeer> {
  const messages: ReceivedMessage[] = [];
  const unknown = new Set((options.unknownRecipients ?? []).map((a) => a.toLowerCase()));
  const config: SMTPServerOptions = {
    secure: options.secure ?? false,
    key: options.tls?.key,
    cert: options.tls?.cert,
    disabledCommands: options.tls
      ? options.auth
        ? []
        : ['AUTH']
      : options.auth
        ? ['STARTTLS']
        : ['STARTTLS', 'AUTH'],
    authOptional: !options.auth,
    allowInsecureAuth: !options.tls,
    disableReverseLookup: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === options.auth?.user && auth.password === options.auth?.password) {
        callback(null, { user: auth.username });
        return;
      }
      const error = Object.assign(new Error('5.7.8 Authentication credentials invalid'), {
        responseCode: 535,
      });
      callback(error);
    },
    onRcptTo(address, _session, callback) {
      if (unknown.has(address.address.toLowerCase())) {
        const error = Object.assign(
          new Error(
            `5.1.1 <${address.address}>: Recipient address rejected: User unknown in virtual mailbox table`,
          ),
          { responseCode: 550 },
        );
        callback(error);
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        queueCounter += 1;
        const reply = `2.0.0 Ok: queued as TEST${queueCounter.toString().padStart(6, '0')}`;
        setTimeout(() => callback(null, reply), options.dataDelayMs ?? 0);
      });
    },
  };
  const server = new SMTPServer(config);
  // A failed TLS handshake is emitted here; unhandled it would crash the test process.
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
