import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecretError } from './errors.js';
import { KEY_LENGTH, type SecretKeyring } from './keyring.js';

const ALGORITHM = 'aes-256-gcm';
/** 96 bits is the IV size that GCM is specified for (NIST SP 800-38D). Each value gets a random one. */
const IV_LENGTH = 12;
const TAG_LENGTH = 16;
const PREFIX = 'enc:v1:';

// enc:v1:<keyId>:<iv>:<ciphertext>:<tag>, base64url without padding. A 12-byte IV is 16
// characters and a 16-byte tag is 22. The ciphertext is as long as the plaintext, so it may be empty.
const STORED_PATTERN =
  /^enc:v1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]{16}):([A-Za-z0-9_-]*):([A-Za-z0-9_-]{22})$/;

// The associated data is `account:<id>:<field>`, so neither part may contain `:`, or two
// different pairs could produce the same string.
const ACCOUNT_ID_PATTERN = /^[A-Za-z0-9_-]+$/;
const FIELD_PATTERN = /^[A-Za-z0-9_]+$/;

/**
 * Returns whether `value` has the shape of a stored encrypted value
 * (`enc:v1:<keyId>:<iv>:<ciphertext>:<tag>`). It checks the format only:
 * whether the value decrypts is known only to decryptSecret.
 */
export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && STORED_PATTERN.test(value);
}

/**
 * Returns the key id of a stored encrypted value, or undefined when `value`
 * is not one.
 */
export function encryptedKeyId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  return STORED_PATTERN.exec(value)?.[1];
}

/**
 * Encrypts `plaintext` with AES-256-GCM under the keyring's current key and
 * a fresh random IV. The associated data `account:<accountId>:<field>` binds
 * the result to that account and field, so a copy in another place fails to
 * decrypt.
 */
export function encryptSecret(
  keyring: SecretKeyring,
  accountId: string | number,
  field: string,
  plaintext: string,
): string {
  const { id: keyId, key } = keyring.current;
  const context = { accountId, field, keyId };
  const associatedData = buildAssociatedData(accountId, field);
  if (key.length !== KEY_LENGTH) {
    throw new SecretError(
      `key "${keyId}" is ${key.length} bytes long, but AES-256 needs exactly ${KEY_LENGTH}`,
      context,
    );
  }

  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(associatedData);
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();

  return [
    'enc',
    'v1',
    keyId,
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    tag.toString('base64url'),
  ].join(':');
}

/**
 * Decrypts a value written by encryptSecret for the same account and field,
 * with the key named in the value.
 *
 * Throws a SecretError when the value is not in the `enc:v1` format, its key
 * id is not in the keyring, or the tag check fails (the value was altered,
 * belongs to another account or field, or the key is wrong).
 */
export function decryptSecret(
  keyring: SecretKeyring,
  accountId: string | number,
  field: string,
  stored: string,
): string {
  const associatedData = buildAssociatedData(accountId, field);
  const place = `${field} of account ${accountId}`;

  const match = STORED_PATTERN.exec(stored);
  if (!match) {
    // The value is not quoted: a malformed one may be a plaintext secret.
    const reason = stored.startsWith(PREFIX)
      ? 'is damaged: it does not match enc:v1:<keyId>:<iv>:<ciphertext>:<tag>'
      : 'is not an encrypted value (it does not start with enc:v1:)';
    throw new SecretError(`failed to decrypt the ${place}: the stored value ${reason}`, {
      accountId,
      field,
    });
  }
  const [, keyId, ivText, ciphertextText, tagText] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  const context = { accountId, field, keyId };

  const key =
    keyring.all.get(keyId) ?? (keyId === keyring.current.id ? keyring.current.key : undefined);
  if (!key) {
    throw new SecretError(
      `failed to decrypt the ${place}: key "${keyId}" is not in the keyring; add the key it was encrypted with`,
      context,
    );
  }

  const iv = decodeCanonical(ivText);
  const ciphertext = decodeCanonical(ciphertextText);
  const tag = decodeCanonical(tagText);
  if (!iv || !ciphertext || !tag) {
    throw new SecretError(
      `failed to decrypt the ${place} with key "${keyId}": the stored value is damaged (invalid base64url)`,
      context,
    );
  }

  try {
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_LENGTH });
    decipher.setAAD(associatedData);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
  } catch {
    // Node's own message ("Unsupported state or unable to authenticate data") is less
    // specific than this one, and the cause carries nothing worth keeping.
    throw new SecretError(
      `failed to decrypt the ${place} with key "${keyId}": authentication failed, so the value ` +
        'was altered, copied from another account or field, or the key is not the one it was encrypted with',
      context,
    );
  }
}

function buildAssociatedData(accountId: string | number, field: string): Buffer {
  const accountText = String(accountId);
  if (!ACCOUNT_ID_PATTERN.test(accountText)) {
    throw new SecretError(
      `account id "${accountText}" is invalid for secret encryption; it must be an integer or ` +
        'characters of A-Z, a-z, 0-9, "_" and "-"',
      { accountId, field },
    );
  }
  if (!FIELD_PATTERN.test(field)) {
    throw new SecretError(
      `field name "${field}" is invalid for secret encryption; it must be characters of A-Z, a-z, 0-9 and "_"`,
      { accountId, field },
    );
  }
  return Buffer.from(`account:${accountText}:${field}`, 'utf8');
}

/**
 * Decodes base64url, or returns undefined when the text is not the canonical
 * encoding of its bytes. Node ignores the unused low bits of the last
 * character, so without this check two different strings decode to the same
 * bytes, and an edited tag character could still pass.
 */
function decodeCanonical(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
