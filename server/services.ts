import type { Store } from '../db/types.js';
import type { AuthDeps } from './auth/service.js';
import type { DomainCheckDeps } from './domains/service.js';
import type { Logger } from './logger.js';
import type { MandrillApi } from './mandrill/client.js';
import type { SecretKeyring } from './secrets/index.js';
import type { SendingDeps } from './sending/service.js';

/** Everything the HTTP routes call: built once in main.ts, replaced piecewise in tests. */
export interface Services {
  store: Store;
  sending: SendingDeps;
  domainChecks: DomainCheckDeps;
  auth: AuthDeps;
  /** The public base URL, set once the server listens; webhook URLs are signed with it. */
  publicUrl: string;
  /** Refuses a manager's SMTP host that points at a non-public address or port. */
  checkSmtpDestination: (host: string, port: number) => Promise<unknown>;
  /** Refuses the IMAP host of a manager's mailbox by the same rules, with the IMAP ports. */
  checkImapDestination: (host: string, port: number) => Promise<unknown>;
  /** The keys that encrypt account secrets at rest. */
  keyring: SecretKeyring;
  /** The Mandrill API, for the views that read an account's Mandrill state. */
  mandrill: MandrillApi;
  logger: Logger;
  now: () => number;
}
