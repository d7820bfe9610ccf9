import type { ConnectionOptions } from 'node:tls';
import type { AccountRecord } from '../../db/types.js';
import type { MandrillSettings, SmtpSettings } from '../accounts/schema.js';
import type { MandrillApi } from '../mandrill/client.js';
import { createMandrillTransport } from './mandrill.js';
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
}

export function createTransportFactory(options: TransportFactoryOptions): TransportFactory {
  const relay = endpointFromUrl(options.relayUrl);
  return (account) => {
    switch (account.method) {
      case 'default':
        return createSmtpTransport(relay, { tls: options.tls });
      case 'smtp': {
        const settings = account.settings as SmtpSettings;
        return createSmtpTransport(
          {
            host: settings.host,
            port: settings.port,
            security: settings.security,
            user: settings.user,
            password: settings.password,
          },
          { tls: options.tls },
        );
      }
      case 'mandrill':
        return createMandrillTransport(options.mandrill, account.settings as MandrillSettings);
    }
  };
}
