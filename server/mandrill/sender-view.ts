import type { AccountRecord, Store } from '../../db/types.js';
import type { MandrillSettings } from '../accounts/schema.js';
import { openAccount } from '../accounts/secrets.js';
import type { DomainCheck } from '../checks/types.js';
import { MANDRILL } from '../checks/providers.js';
import { AppError } from '../errors.js';
import type { SecretKeyring } from '../secrets/index.js';
import { MandrillApiError, type MandrillApi } from './client.js';
import type { MandrillReject, MandrillSenderDomain } from './types.js';

export interface MandrillViewDeps {
  store: Store;
  api: MandrillApi;
  keyring: SecretKeyring;
}

/** Mandrill's SPF or DKIM status of one domain beside what our last DNS check found. */
export interface AuthComparison {
  mandrill: { valid: boolean; error: string | null; validAfter: string | null };
  /** The result of our last check, or null when the account's domain has not been checked. */
  dns: boolean | null;
  /** Set when the two disagree: why, in words a support agent can pass on. */
  disagreement: string | null;
}

export interface SenderDomainView {
  domain: string;
  /** True for the domain of the account's sending address. */
  sendingDomain: boolean;
  createdAt: string;
  lastTestedAt: string | null;
  verifiedAt: string | null;
  validSigning: boolean;
  spf: AuthComparison;
  dkim: AuthComparison;
  notes: string[];
}

export interface SenderDomainsResult {
  accountId: number;
  sendingDomain: string;
  /** False when Mandrill does not list the account's sending domain. */
  sendingDomainListed: boolean;
  /** When our last DNS check ran (ISO 8601), or null. */
  dnsCheckedAt: string | null;
  domains: SenderDomainView[];
  notes: string[];
}

/** Throws a 409 for an account that does not send by Mandrill, so Mandrill has no data on it. */
export function requireMandrill(account: AccountRecord): void {
  if (account.method !== 'mandrill') {
    throw new AppError(
      409,
      'not_mandrill',
      `Account ${account.id} sends by ${account.method}, so Mandrill has no view of it; switch it to mandrill first.`,
      { accountId: account.id, method: account.method },
    );
  }
}

function mandrillAccount(deps: MandrillViewDeps, account: AccountRecord): MandrillSettings {
  requireMandrill(account);
  return openAccount(deps.keyring, account).settings as MandrillSettings;
}

/** Turns a Mandrill API failure into an AppError that names the cause and the fix. */
function apiFailure(error: unknown, accountId: number): never {
  if (!(error instanceof MandrillApiError)) throw error;
  if (error.errorName === 'Invalid_Key') {
    throw new AppError(
      409,
      'mandrill_invalid_key',
      `Mandrill refused the API key of account ${accountId} (Invalid_Key): enter a valid key in the account's settings.`,
      { accountId },
    );
  }
  throw new AppError(
    502,
    'mandrill_unavailable',
    `Mandrill did not answer for account ${accountId} (${error.errorName}: ${error.message}); try again later.`,
    { accountId, mandrillError: error.errorName },
  );
}

/** Returns whether our last check found Mandrill's SPF include and an aligned DKIM key. */
function dnsView(check: DomainCheck | null): { spf: boolean | null; dkim: boolean | null } {
  if (!check) return { spf: null, dkim: null };
  const spf = check.spf.status === 'valid' && check.spf.includes.includes(MANDRILL.spfInclude);
  const mandrill = check.methods.mandrill;
  return { spf, dkim: mandrill.dkim.result === 'pass' && mandrill.dkim.aligned };
}

function compare(
  topic: 'SPF' | 'DKIM',
  status: MandrillSenderDomain['spf'],
  dns: boolean | null,
  lastTestedAt: string | null,
  dnsCheckedAt: string | null,
): AuthComparison {
  const mandrill = { valid: status.valid, error: status.error, validAfter: status.valid_after };
  let disagreement: string | null = null;
  const tested = lastTestedAt ? `last tested it at ${lastTestedAt} UTC` : 'has not tested it';
  const checked = dnsCheckedAt ? ` (our check ran at ${dnsCheckedAt})` : '';
  if (dns === true && !status.valid) {
    disagreement = `Our DNS check finds the ${topic} record right${checked}, but Mandrill ${tested} and found it invalid${status.error ? ` (${status.error})` : ''}. Mandrill re-tests only when someone asks in its Sending Domains page; ask there to update it.`;
  } else if (dns === false && status.valid) {
    disagreement = `Mandrill ${tested} and found the ${topic} record valid, but our DNS check finds it missing or broken${checked}. The record may have changed since Mandrill's test, or it is one Mandrill accepts but receivers do not (for example an SPF tree over 10 lookups); follow the domain check's fix.`;
  }
  return { mandrill, dns, disagreement };
}

function notesFor(entry: MandrillSenderDomain): string[] {
  const notes: string[] = [];
  if (!entry.verified_at) {
    notes.push(
      `Mandrill has not verified ${entry.domain}: it sends mail from it only once someone clicks the link Mandrill emails to an address at the domain, from its Sending Domains page.`,
    );
  }
  if (!entry.valid_signing) {
    notes.push(
      `Mandrill cannot sign with ${entry.domain}'s own key, so its DKIM signature is for mandrillapp.com, which does not align with ${entry.domain}, and DMARC fails.`,
    );
  }
  return notes;
}

/**
 * Shows Mandrill's view of the account's sending domains (`senders/domains`) beside the last
 * stored DNS check of its domain, and explains each disagreement. It reads only: it never
 * calls `senders/check-domain`, which adds the domain to the Mandrill account, nor
 * `senders/verify-domain`, which sends an email.
 */
export async function senderDomainsView(
  deps: MandrillViewDeps,
  account: AccountRecord,
): Promise<SenderDomainsResult> {
  const settings = mandrillAccount(deps, account);
  let entries: MandrillSenderDomain[];
  try {
    entries = await deps.api.sendersDomains(settings.apiKey);
  } catch (error) {
    apiFailure(error, account.id);
  }
  const sendingDomain = (account.sendingAddress.split('@')[1] ?? '').toLowerCase();
  const stored = deps.store.checks.latestForAccount(account.id);
  const check = (stored?.result ?? null) as DomainCheck | null;
  const dnsCheckedAt = stored ? new Date(stored.checkedAt).toISOString() : null;
  const ours = dnsView(check?.domain === sendingDomain ? check : null);
  const domains = entries.map((entry): SenderDomainView => {
    const own = entry.domain.toLowerCase() === sendingDomain;
    return {
      domain: entry.domain,
      sendingDomain: own,
      createdAt: entry.created_at,
      lastTestedAt: entry.last_tested_at,
      verifiedAt: entry.verified_at,
      validSigning: entry.valid_signing,
      spf: compare('SPF', entry.spf, own ? ours.spf : null, entry.last_tested_at, dnsCheckedAt),
      dkim: compare('DKIM', entry.dkim, own ? ours.dkim : null, entry.last_tested_at, dnsCheckedAt),
      notes: notesFor(entry),
    };
  });
  const listed = domains.some((d) => d.sendingDomain);
  const notes: string[] = [];
  if (!listed) {
    notes.push(
      `Mandrill does not list ${sendingDomain} among this account's sending domains. Add it in Mandrill's Sending Domains page; this desk does not add it, because adding changes the Mandrill account.`,
    );
  }
  if (!check) {
    notes.push(`No DNS check of ${sendingDomain} is stored yet: run one to compare.`);
  }
  return {
    accountId: account.id,
    sendingDomain,
    sendingDomainListed: listed,
    dnsCheckedAt,
    domains,
    notes,
  };
}

export interface RejectView {
  email: string;
  reason: string;
  /** The meaning of the reason for the recipient, in plain words. */
  meaning: string;
  detail: string;
  createdAt: string;
  lastEventAt: string;
  expiresAt: string | null;
  expired: boolean;
  sender: string | null;
}

const REASON_MEANINGS: Record<string, string> = {
  'hard-bounce':
    'A message to this address bounced permanently, so Mandrill refuses to send to it.',
  'soft-bounce':
    'Messages to this address kept bouncing temporarily; Mandrill refuses it until the entry expires.',
  spam: 'The recipient marked a message as spam, so Mandrill refuses to send to it again.',
  unsub: 'The recipient unsubscribed through a Mandrill link.',
  custom: 'Someone added the address by hand or through the API.',
  'invalid-sender': 'Mandrill refused the sender address.',
  'test-mode-limit': 'The account is in test mode, which limits recipients.',
  rule: 'A Mandrill rule of the account blocks it.',
};

export interface RejectsQuery {
  email?: string;
  includeExpired?: boolean;
}

/**
 * Lists Mandrill's rejection denylist for the account (`rejects/list`), limited to its
 * subaccount when it has one, so support can see why Mandrill refuses a recipient.
 * Mandrill returns at most 1000 entries without an `email` filter; `truncated` is then true.
 */
export async function rejectsView(
  deps: MandrillViewDeps,
  account: AccountRecord,
  query: RejectsQuery,
): Promise<{ accountId: number; entries: RejectView[]; truncated: boolean }> {
  const settings = mandrillAccount(deps, account);
  let entries: MandrillReject[];
  try {
    entries = await deps.api.rejectsList(settings.apiKey, {
      ...(query.email ? { email: query.email } : {}),
      include_expired: query.includeExpired ?? false,
      ...(settings.subaccount ? { subaccount: settings.subaccount } : {}),
    });
  } catch (error) {
    apiFailure(error, account.id);
  }
  return {
    accountId: account.id,
    entries: entries.map((entry) => ({
      email: entry.email,
      reason: entry.reason,
      meaning: REASON_MEANINGS[entry.reason] ?? `Mandrill lists the reason as "${entry.reason}".`,
      detail: entry.detail,
      createdAt: entry.created_at,
      lastEventAt: entry.last_event_at,
      expiresAt: entry.expires_at,
      expired: entry.expired,
      sender: entry.sender?.address ?? null,
    })),
    truncated: !query.email && entries.length >= 1000,
  };
}
