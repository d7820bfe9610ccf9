import type { AccountRecord, Store } from '../../db/types.js';
import { authorizeAccount, type AccountAction, type Principal } from '../access/principal.js';
import { AppError, notFound } from '../errors.js';
import { parseInput } from '../validation.js';
import { decryptSecret, isEncrypted, openSettings, type SecretKeyring } from '../secrets/index.js';
import { accountPatchSchema, accountSchema, MASK_PREFIX, type AccountInput } from './schema.js';
import { assertMandrillKeyFree, rejectEncryptedInput, saveSealed } from './secrets.js';

/** An account as shown outside the server: secrets are masked. */
export type PublicAccount = Omit<AccountRecord, 'settings'> & { settings: Record<string, unknown> };

/**
 * A password is shown as `****` alone, since any part of it helps a guess. An
 * API key keeps its last four characters, so support can tell keys apart.
 */
function mask(keyring: SecretKeyring, accountId: number, field: string, value: unknown): unknown {
  if (!value) return value;
  if (field === 'password' || field === 'webhookKey' || field === 'mailboxPassword') {
    return MASK_PREFIX;
  }
  if (field !== 'apiKey') return value;
  let text = String(value);
  try {
    if (isEncrypted(text)) text = decryptSecret(keyring, accountId, field, text);
  } catch {
    return MASK_PREFIX;
  }
  return text.length > 12 ? `${MASK_PREFIX}${text.slice(-4)}` : MASK_PREFIX;
}

export function toPublicAccount(keyring: SecretKeyring, account: AccountRecord): PublicAccount {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(account.settings)) {
    settings[key] = mask(keyring, account.id, key, value);
  }
  return { ...account, settings };
}

/** Checks where a manager's server points; throws an AppError to refuse it. */
export type HostCheck = (host: string, port: number) => Promise<unknown>;

/** The checks of a manager's SMTP host and of the IMAP host of its mailbox. */
export interface DestinationCheck {
  smtp: HostCheck;
  imap: HostCheck;
}

async function checkDestination(account: AccountInput, verify?: DestinationCheck): Promise<void> {
  if (account.method !== 'smtp' || !verify) return;
  await verify.smtp(account.settings.host, account.settings.port);
  const mailbox = account.settings.mailbox;
  if (mailbox) await verify.imap(mailbox.host, mailbox.port);
}

function checkMandrillKey(
  store: Store,
  keyring: SecretKeyring,
  id: number | null,
  account: AccountInput,
): void {
  if (account.method !== 'mandrill') return;
  // On update the stored key is encrypted under this account's id; a new key arrives in plain text.
  const settings = id === null ? account.settings : openSettings(keyring, id, account.settings);
  assertMandrillKeyFree(store, keyring, id, settings as { apiKey: string; subaccount?: string });
}

/** Creates an account; its secrets are encrypted before the transaction commits. */
export async function createAccount(
  store: Store,
  keyring: SecretKeyring,
  input: unknown,
  now: number,
  verify?: DestinationCheck,
): Promise<AccountRecord> {
  const account = parseInput(accountSchema, input, 'account');
  rejectEncryptedInput(account.settings);
  await checkDestination(account, verify);
  checkMandrillKey(store, keyring, null, account);
  // The associated data of each secret names the account id, known only after the insert.
  return store.transaction(() =>
    saveSealed(store, keyring, store.accounts.create(account, now), now),
  );
}

/** Loads an account for the principal, or throws 404 (not visible) or 403 (not allowed). */
export function accountFor(
  store: Store,
  principal: Principal,
  id: number,
  action: AccountAction,
): AccountRecord {
  return authorizeAccount(principal, store.accounts.get(id), id, action);
}

export function getAccount(store: Store, id: number): AccountRecord {
  const account = store.accounts.get(id);
  if (!account) throw notFound('account', id);
  return account;
}

/**
 * Applies a partial update. While the method stays the same, settings merge
 * into the current ones, so a secret need not be sent again. A new method
 * needs its full settings.
 */
export async function updateAccount(
  store: Store,
  keyring: SecretKeyring,
  id: number,
  input: unknown,
  now: number,
  verify?: DestinationCheck,
): Promise<AccountRecord> {
  const current = getAccount(store, id);
  const patch = parseInput(accountPatchSchema, input, 'account update');
  rejectEncryptedInput(patch.settings);
  const method = patch.method ?? current.method;
  if (method !== current.method && patch.settings === undefined) {
    // Switching drops the old method's settings, secrets included: that must be asked for.
    throw new AppError(
      400,
      'invalid_input',
      `Invalid account update: settings: are required when the method changes from ${current.method} to ${method} (send {} for default)`,
    );
  }
  const settings =
    method === current.method ? { ...current.settings, ...patch.settings } : (patch.settings ?? {});
  const next = parseInput(
    accountSchema,
    {
      name: patch.name ?? current.name,
      sendingAddress: patch.sendingAddress ?? current.sendingAddress,
      replyTo: patch.replyTo === undefined ? current.replyTo : patch.replyTo,
      method,
      settings,
    },
    'account update',
  );
  await checkDestination(next, verify);
  checkMandrillKey(store, keyring, id, next);
  return store.transaction(() =>
    saveSealed(store, keyring, store.accounts.update(id, next, now) as AccountRecord, now),
  );
}
