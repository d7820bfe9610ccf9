import { decryptSecret, encryptSecret, encryptedKeyId, isEncrypted } from './cipher.js';
import { SecretError } from './errors.js';
import type { SecretKeyring } from './keyring.js';

/**
 * The settings fields that contain secrets: an smtp account's password and mailbox password,
 * a mandrill account's API key and webhook key.
 */
export const SECRET_FIELDS = ['password', 'apiKey', 'webhookKey', 'mailboxPassword'] as const;

export type SecretField = (typeof SECRET_FIELDS)[number];

/**
 * Returns a copy of `settings` ready to store: every secret field that is a
 * non-empty string is encrypted under the keyring's current key. A value
 * already encrypted under an older key is decrypted and encrypted again
 * under the current one, which is how a key rotation reaches stored rows.
 *
 * A value already encrypted under the current key is kept unchanged, but it
 * is decrypted first as a check, so a value copied from another account or
 * field is rejected here and not stored. Other fields, and secret fields that
 * are empty or not strings, are copied as they are.
 *
 * Throws a SecretError when an encrypted value does not decrypt, and when a
 * secret field starts with `enc:` but is not a well-formed `enc:v1` value.
 * Such a string is most likely a damaged stored value, and encrypting it as
 * if it were plaintext would hide the damage for good. So a secret that
 * really starts with `enc:` cannot be stored, and callers should reject it
 * at input validation.
 */
export function sealSettings(
  keyring: SecretKeyring,
  accountId: string | number,
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const sealed = { ...settings };
  for (const field of SECRET_FIELDS) {
    const value = sealed[field];
    if (typeof value !== 'string' || value === '') continue;

    if (!isEncrypted(value)) {
      rejectDamaged(accountId, field, value);
      sealed[field] = encryptSecret(keyring, accountId, field, value);
      continue;
    }

    const plaintext = decryptSecret(keyring, accountId, field, value);
    if (encryptedKeyId(value) !== keyring.current.id) {
      sealed[field] = encryptSecret(keyring, accountId, field, plaintext);
    }
  }
  return sealed;
}

/**
 * Returns a copy of `settings` with its secret fields decrypted, for the
 * code that sends mail. A secret field in plaintext is returned unchanged,
 * so a database written before encryption keeps working until its rows are
 * sealed.
 *
 * Throws a SecretError when an encrypted value does not decrypt, and when a
 * secret field starts with `enc:` but is not a well-formed `enc:v1` value.
 * Sending such a damaged value to a mail server as a password would hide the
 * damage.
 */
export function openSettings(
  keyring: SecretKeyring,
  accountId: string | number,
  settings: Record<string, unknown>,
): Record<string, unknown> {
  const opened = { ...settings };
  for (const field of SECRET_FIELDS) {
    const value = opened[field];
    if (typeof value !== 'string') continue;

    if (isEncrypted(value)) {
      opened[field] = decryptSecret(keyring, accountId, field, value);
    } else {
      rejectDamaged(accountId, field, value);
    }
  }
  return opened;
}

/**
 * Returns whether sealSettings would change `settings`: some secret field is
 * a non-empty plaintext string or is encrypted under a key other than the
 * current one. It decrypts nothing, so a damaged value also counts, and
 * sealSettings then throws on it.
 */
export function needsSealing(keyring: SecretKeyring, settings: Record<string, unknown>): boolean {
  return SECRET_FIELDS.some((field) => {
    const value = settings[field];
    if (typeof value !== 'string' || value === '') return false;
    return encryptedKeyId(value) !== keyring.current.id;
  });
}

/**
 * Throws a SecretError when a value that is not a well-formed encrypted value
 * still starts with `enc:`, such as a truncated one or a later format
 * version. The value itself stays out of the message, since it may be a
 * plaintext secret.
 */
function rejectDamaged(accountId: string | number, field: string, value: string): void {
  if (!value.startsWith('enc:')) return;
  // NOTE: a plaintext secret stored before encryption that starts with "enc:" is rejected
  // too, because it is indistinguishable from a damaged value. Set such a secret again.
  throw new SecretError(
    `the ${field} of account ${accountId} starts with "enc:" but is not a well-formed ` +
      'enc:v1 value, so it is damaged or from a newer format version; set the secret again',
    { accountId, field },
  );
}
