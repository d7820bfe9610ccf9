import type { AccountRecord, Store } from '../../db/types.js';
import { notFound } from '../errors.js';
import { parseInput } from '../validation.js';
import { accountPatchSchema, accountSchema, MASK_PREFIX } from './schema.js';

/** An account as shown outside the server: secrets are masked. */
export type PublicAccount = Omit<AccountRecord, 'settings'> & { settings: Record<string, unknown> };

/**
 * A password is shown as `****` alone, since any part of it helps a guess. An
 * API key keeps its last four characters, so support can tell keys apart.
 */
function mask(field: string, value: unknown): unknown {
  if (!value) return value;
  if (field === 'password') return MASK_PREFIX;
  if (field !== 'apiKey') return value;
  const text = String(value);
  return text.length > 12 ? `${MASK_PREFIX}${text.slice(-4)}` : MASK_PREFIX;
}

export function toPublicAccount(account: AccountRecord): PublicAccount {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(account.settings)) {
    settings[key] = mask(key, value);
  }
  return { ...account, settings };
}

export function createAccount(store: Store, input: unknown, now: number): AccountRecord {
  const account = parseInput(accountSchema, input, 'account');
  return store.accounts.create(account, now);
}

export function getAccount(store: Store, id: number): AccountRecord {
  const account = store.accounts.get(id);
  if (!account) throw notFound('account', id);
  return account;
}

/**
 * Applies a partial update. Settings merge into the current ones while the
 * method stays the same, so a secret need not be sent again; a new method
 * needs its full settings.
 */
export function updateAccount(
  store: Store,
  id: number,
  input: unknown,
  now: number,
): AccountRecord {
  const current = getAccount(store, id);
  const patch = parseInput(accountPatchSchema, input, 'account update');
  const method = patch.method ?? current.method;
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
  return store.accounts.update(id, next, now) as AccountRecord;
}
