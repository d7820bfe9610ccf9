import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../logger.js';
import { ingestBounce, type BounceIngestDeps } from './ingest.js';
import { messageIdFromVerp } from './verp.js';

export interface BounceListenerOptions {
  host: string;
  port: number;
  /** Messages over this size are refused with 552 before they are stored. */
  maxBytes: number;
  deps: BounceIngestDeps;
  logger: Logger;
}

export interface BounceListener {
  port: number;
  close(): Promise<void>;
}

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/**
 * Receives the bounces of default-method mail over SMTP: the MX of the platform's envelope
 * domain points here, and each message is stored and matched before the 250 reply, so a
 * bounce acknowledged is a bounce kept. It accepts only the envelope domain's `bounces`
 * addresses (plain or VERP) and never relays, and offers no AUTH.
 */
export async function startBounceListener(options: BounceListenerOptions): Promise<BounceListener> {
  const envelopeDomain = (options.deps.platform.envelopeFrom.split('@')[1] ?? '').toLowerCase();
  const log = options.logger.child({ module: 'bounce-listener' });
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    disableReverseLookup: true,
    size: options.maxBytes,
    logger: false,
    onRcptTo(address, _session, callback) {
      const [local = '', domain = ''] = address.address.toLowerCase().split('@');
      const messageDomain = options.deps.platform.fromAddress.split('@')[1] ?? '';
      // A VERP address must carry a tag this server made; a forged one is refused here.
      const verp =
        local.startsWith('bounces+') &&
        messageIdFromVerp(address.address, messageDomain, envelopeDomain, options.deps.keyring) !==
          null;
      const ours = domain === envelopeDomain && (local === 'bounces' || verp);
      if (!ours) {
        callback(smtpError(550, `5.1.1 <${address.address}>: no such bounce address here`));
        return;
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          callback(smtpError(552, `5.3.4 Message larger than ${options.maxBytes} bytes`));
          return;
        }
        const envelopeTo = session.envelope.rcptTo[0]?.address ?? null;
        ingestBounce(options.deps, {
          raw: Buffer.concat(chunks),
          source: 'inbound-smtp',
          envelopeTo,
        })
          .then((result) => {
            log.info(
              {
                bounceId: result.bounce.id,
                kind: result.bounce.kind,
                matched: result.bounce.matched,
              },
              'bounce received',
            );
            callback(null, `2.0.0 stored as bounce ${result.bounce.id}`);
          })
          .catch((error: unknown) => {
            log.error({ err: error }, 'storing a bounce failed');
            // A temporary failure makes the sender retry later instead of losing the bounce.
            callback(smtpError(451, '4.3.0 Could not store the message; try again later'));
          });
      });
    },
  });
  server.on('error', (error) => log.error({ err: error }, 'bounce listener error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  log.info({ host: options.host, port }, 'bounce listener started');
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
