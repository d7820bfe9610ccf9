import type { ConnectionOptions } from 'node:tls';
import type { Resolver } from '../dns/types.js';
import { AppError } from '../errors.js';
import { resolveSmtpDestination, type AllowList } from './destination.js';
import { createSmtpTransport, type SmtpEndpoint, type SmtpTransportOptions } from './smtp.js';
import type { OutgoingMessage, RecipientOutcome, SendTransport } from './types.js';

export interface GuardOptions {
  createResolver: () => Resolver;
  allow: AllowList;
  tls?: ConnectionOptions;
  timeouts?: Pick<SmtpTransportOptions, 'connectTimeoutMs' | 'socketTimeoutMs'>;
}

/**
 * Sends through a manager's server after checking where its name points:
 * the host is resolved once, refused when an address is not public (unless
 * allow-listed), and the connection goes to the checked address, with the
 * original name kept for TLS. Resolving again at connect time would let a
 * DNS answer that changes in between reach an internal address.
 */
export function createGuardedSmtpTransport(
  endpoint: SmtpEndpoint,
  options: GuardOptions,
): SendTransport {
  let inner: SendTransport | undefined;
  return {
    async send(message: OutgoingMessage): Promise<RecipientOutcome[]> {
      let destination;
      try {
        destination = await resolveSmtpDestination(endpoint.host, endpoint.port, {
          resolver: options.createResolver(),
          allow: options.allow,
        });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return message.to.map((recipient) => ({
          recipient,
          state: 'failed' as const,
          detail: error.message,
          data: { code: error.code },
        }));
      }
      const servername = destination.host === destination.address ? undefined : destination.host;
      inner = createSmtpTransport(
        { ...endpoint, host: destination.address, label: `${endpoint.host}:${endpoint.port}` },
        { ...options.timeouts, tls: { ...options.tls, ...(servername ? { servername } : {}) } },
      );
      return inner.send(message);
    },
    close: () => inner?.close?.(),
  };
}
