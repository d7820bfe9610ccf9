import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import nodemailer from 'nodemailer';
import {
  describeFailure,
  enhancedStatus,
  summarizeReply,
  type NodemailerError,
} from './smtp-errors.js';
import type { OutgoingMessage, RecipientOutcome, SendTransport } from './types.js';

export interface SmtpEndpoint {
  host: string;
  port: number;
  /**
   * `tls`: implicit TLS from the first byte (port 465); `starttls`: plain
   * connection upgraded with STARTTLS, which must succeed (port 587);
   * `opportunistic`: STARTTLS when the server offers it, plain otherwise.
   */
  security: 'tls' | 'starttls' | 'opportunistic';
  user?: string;
  password?: string;
  /** The server's name in messages, when `host` is an address resolved from another name. */
  label?: string;
}

export interface SmtpTransportOptions {
  /** Extra TLS settings, such as a private CA for a relay. */
  tls?: ConnectionOptions;
  /** Connection and greeting timeout in milliseconds. */
  connectTimeoutMs?: number;
  /** Inactivity timeout of an open connection in milliseconds. */
  socketTimeoutMs?: number;
}

/** Reads the queue id from replies such as `250 2.0.0 Ok: queued as 4BFxyz`. */
export function queueIdOf(response: string | undefined): string | undefined {
  const match = response?.match(/queued as ([\w.-]+)|\bid=([\w.-]+)/i);
  return match?.[1] ?? match?.[2];
}

function rejectedOutcome(error: NodemailerError, recipient: string): RecipientOutcome {
  return {
    recipient,
    state: 'rejected',
    detail: summarizeReply(error.response ?? error.message),
    replyCode: error.responseCode,
    statusCode: enhancedStatus(error.response),
    command: error.command,
    data: { response: error.response, responseCode: error.responseCode, command: error.command },
  };
}

function outcomesOfError(
  error: NodemailerError,
  recipients: string[],
  endpoint: string,
): RecipientOutcome[] {
  if (error.code === 'EENVELOPE' && error.rejectedErrors?.length) {
    const byRecipient = new Map(error.rejectedErrors.map((e) => [e.recipient ?? '', e]));
    return recipients.map((recipient) =>
      rejectedOutcome(byRecipient.get(recipient) ?? error, recipient),
    );
  }
  // 530 at MAIL FROM: the server wants credentials, a set-up problem, not a refusal of this mail.
  // A 5xx to EHLO, STARTTLS or AUTH is the connection's set-up failing, not the mail refused.
  const setUp = /^(EHLO|HELO|LHLO|STARTTLS|AUTH)/i.test(error.command ?? '');
  const refused = error.responseCode && error.responseCode >= 500 && error.responseCode !== 530;
  if (refused && error.code !== 'EAUTH' && !setUp) {
    return recipients.map((recipient) => rejectedOutcome(error, recipient));
  }
  let detail = describeFailure(error, endpoint);
  if (error.responseCode === 530) {
    detail = `The server at ${endpoint} requires authentication: set the user name and password (server replied: ${summarizeReply(error.response)})`;
  } else if (/^STARTTLS/i.test(error.command ?? '')) {
    detail = `The server at ${endpoint} does not offer STARTTLS (it replied: ${summarizeReply(error.response)}): set security to tls if it speaks TLS from the start, or use the port that offers STARTTLS (usually 587).`;
  }
  return recipients.map((recipient) => ({
    recipient,
    state: 'failed',
    detail,
    replyCode: error.responseCode,
    data: { code: error.code, originalCode: error.originalCode, responseCode: error.responseCode },
  }));
}

/** Sends through one SMTP server with nodemailer, one connection per message. */
export function createSmtpTransport(
  endpoint: SmtpEndpoint,
  options: SmtpTransportOptions = {},
): SendTransport {
  const connectTimeout = options.connectTimeoutMs ?? 10_000;
  const transporter = nodemailer.createTransport({
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.security === 'tls',
    requireTLS: endpoint.security === 'starttls',
    auth: endpoint.user ? { user: endpoint.user, pass: endpoint.password ?? '' } : undefined,
    // SNI carries host names only (RFC 6066 section 3); certificates of IP hosts are still checked.
    tls: { ...(isIP(endpoint.host) ? {} : { servername: endpoint.host }), ...options.tls },
    connectionTimeout: connectTimeout,
    greetingTimeout: connectTimeout,
    socketTimeout: options.socketTimeoutMs ?? 30_000,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  const label = endpoint.label ?? `${endpoint.host}:${endpoint.port}`;

  return {
    async send(message: OutgoingMessage): Promise<RecipientOutcome[]> {
      try {
        const info = await transporter.sendMail({
          messageId: `<${message.messageId}>`,
          from: message.from,
          replyTo: message.replyTo,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          envelope: { from: message.envelopeFrom, to: message.to },
        });
        const rejectedErrors = (info.rejectedErrors ?? []) as NodemailerError[];
        const byRecipient = new Map(rejectedErrors.map((e) => [e.recipient ?? '', e]));
        const queueId = queueIdOf(info.response);
        return message.to.map((recipient): RecipientOutcome => {
          const rejection = byRecipient.get(recipient);
          if (rejection) return rejectedOutcome(rejection, recipient);
          return {
            recipient,
            state: 'accepted',
            detail: summarizeReply(info.response),
            providerId: queueId,
            replyCode: Number(info.response.slice(0, 3)) || undefined,
            statusCode: enhancedStatus(info.response),
            data: { response: info.response, envelope: info.envelope },
          };
        });
      } catch (error) {
        return outcomesOfError(error as NodemailerError, message.to, label);
      }
    },
    close: () => transporter.close(),
  };
}

function decodeCredential(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    // A "%" that starts no valid escape is meant literally.
    return value;
  }
}

/** Parses the relay URL (`smtp://user:pass@host:port` or `smtps://...`). */
export function endpointFromUrl(url: string): SmtpEndpoint {
  const parsed = new URL(url);
  const implicitTls = parsed.protocol === 'smtps:';
  // Submission ports: 465 for implicit TLS (RFC 8314), 587 otherwise (RFC 6409).
  const defaultPort = implicitTls ? 465 : 587;
  return {
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port ? Number(parsed.port) : defaultPort,
    security: implicitTls ? 'tls' : 'opportunistic',
    user: parsed.username ? decodeCredential(parsed.username) : undefined,
    password: parsed.password ? decodeCredential(parsed.password) : undefined,
  };
}
