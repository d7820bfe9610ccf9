import type { ConnectionOptions } from 'node:tls';
import type { AccountRecord } from '../../db/types.js';
import type { MandrillSettings, SmtpSettings } from '../accounts/schema.js';
import type { MandrillApi } from '../mandrill/client.js';
import { createMandrillTransport } from './mandrill.js';
import type { Resolver } from '../dns/types.js';
import type { AllowList } from './destination.js';
import { createGuardedSmtpTransport } from './guarded-smtp.js';
import { createSmtpTransport, endpointFromUrl } from './smtp.js';
import type { SendTransport } from './types.js';

/** Returns the transport of an account's method. */
export type TransportFactory = (account: AccountRecord) => SendTransport;

export interface TransportFactoryOptions {
  /** The platform relay of the default method, as an SMTP URL. */
  relayUrl: string;
  mandrill: MandrillApi;
  /** TLS settings for SMTP connections, such as an extra trusted CA. */
  tls?: ConnectionOptions;
  /** Resolves managers' SMTP hosts for the destination check. */
  createResolver: () => Resolver;
  /** Destinations exempt from the destination check, from configuration. */
  smtpAllow: AllowList;
}

export function createTransportFactory(options: TransportFactoryOptions): TransportFactory {
  const relay = endpointFromUrl(options.relayUrl);
  return (account) => {
    switch (account.method) {
      case 'default':
        return createSmtpTransport(relay, { tls: options.tls });
      case 'smtp': {
        const settings = account.settings as SmtpSettings;
        // The platform's own relay is trusted configuration; a manager's host is not.
        return createGuardedSmtpTransport(
          {
            host: settings.host,
            port: settings.port,
            security: settings.security,
            user: settings.user,
            password: settings.password,
          },
          { createResolver: options.createResolver, allow: options.smtpAllow, tls: options.tls },
        );
      }
      case 'mandrill':
        return createMandrillTransport(options.mandrill, account.settings as MandrillSettings);
    }
  };
}
