import type { AccountRecord, Store } from '../../db/types.js';
import { AppError } from '../errors.js';
import {
  SECRET_FIELDS,
  SecretError,
  isEncrypted,
  needsSealing,
  openSettings,
  sealSettings,
  type SecretKeyring,
} from '../secrets/index.js';

/** The account with its secrets decrypted, for the transports and the poller only. */
export function openAccount(keyring: SecretKeyring, account: AccountRecord): AccountRecord {
  try {
    return { ...account, settings: openSettings(keyring, account.id, account.settings) };
  } catch (error) {
    if (!(error instanceof SecretError)) throw error;
    throw new AppError(
      500,
      'secret_unreadable',
      `The stored secrets of account ${account.id} cannot be decrypted (${error.message}); ` +
        'check DELIVERABILITY_SECRET_KEYS or the key file',
    );
  }
}

/** Refuses input secrets that look encrypted: they would be taken for stored values. */
export function rejectEncryptedInput(settings: unknown): void {
  if (!settings || typeof settings !== 'object') return;
  for (const field of SECRET_FIELDS) {
    const value = (settings as Record<string, unknown>)[field];
    if (typeof value === 'string' && value.startsWith('enc:')) {
      throw new AppError(
        400,
        'invalid_input',
        `Invalid account: settings.${field}: may not start with "enc:"`,
      );
    }
  }
}

/** Stores the account's settings with every secret encrypted under the current key. */
export function saveSealed(
  store: Store,
  keyring: SecretKeyring,
  account: AccountRecord,
  now: number,
) {
  const settings = sealSettings(keyring, account.id, account.settings);
  return store.accounts.update(account.id, { settings }, now) as AccountRecord;
}

/** Whether any account holds an encrypted secret, so a lost key would lose it. */
export function hasEncryptedSecrets(store: Store): boolean {
  return store.accounts
    .list()
    .some((account) => SECRET_FIELDS.some((field) => isEncrypted(account.settings[field])));
}

/**
 * Decrypts every stored secret once, so that a wrong or missing key stops
 * the start-up instead of failing sends later. Throws the SecretError.
 */
export function verifyAllSecrets(store: Store, keyring: SecretKeyring): void {
  for (const account of store.accounts.list()) openSettings(keyring, account.id, account.settings);
}

/**
 * Encrypts plaintext secrets and re-encrypts those under an older key, for
 * every account: run at start-up, so adding a new key first in the key list
 * and restarting rotates all secrets. Returns how many accounts changed.
 */
export function sealAllAccounts(store: Store, keyring: SecretKeyring, now: number): number {
  let changed = 0;
  store.transaction(() => {
    for (const account of store.accounts.list()) {
      if (!needsSealing(keyring, account.settings)) continue;
      saveSealed(store, keyring, account, now);
      changed += 1;
    }
  });
  return changed;
}

/**
 * Refuses a Mandrill key and subaccount that another account uses already:
 * both would poll the same messages, and each would see the other's mail.
 */
export function assertMandrillKeyFree(
  store: Store,
  keyring: SecretKeyring,
  accountId: number | null,
  settings: { apiKey: string; subaccount?: string },
): void {
  for (const other of store.accounts.listByMethod('mandrill')) {
    if (other.id === accountId) continue;
    const opened = openSettings(keyring, other.id, other.settings);
    const sameKey = opened.apiKey === settings.apiKey;
    const sameSubaccount = (opened.subaccount ?? null) === (settings.subaccount ?? null);
    if (sameKey && sameSubaccount) {
      throw new AppError(
        409,
        'conflict',
        `Account ${other.id} already uses this Mandrill key${settings.subaccount ? ' and subaccount' : ''}: ` +
          'give each account its own key or its own subaccount',
        { account: other.id },
      );
    }
  }
}
