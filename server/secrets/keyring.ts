import { randomBytes } from 'node:crypto';
import { SecretError } from './errors.js';

/**
 * The keys that encrypt secrets at rest. `current` encrypts every new value.
 * `all` maps each key id to its key, current included, so that values
 * written under an older key still decrypt after a rotation.
 */
export interface SecretKeyring {
  current: { id: string; key: Buffer };
  all: Map<string, Buffer>;
}

/** AES-256 takes a 32-byte key. */
export const KEY_LENGTH = 32;

/** Key ids appear in stored values, which use `:` as separator, so the id alphabet excludes it. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

const KEY_ID_RULE = 'must be 1 to 32 characters of A-Z, a-z, 0-9, "_" and "-"';

// Standard base64 with padding, as `openssl rand -base64 32` and generateKeySpec write it.
// Buffer.from(..., 'base64') skips invalid characters silently, so the text is checked first.
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parses a key spec `id:base64key[,id:base64key...]` into a keyring whose
 * current key is the first entry. Spaces around entries are ignored.
 *
 * Throws a SecretError when the spec is empty, an entry has no id, an id is
 * invalid or repeated, or a key is not base64 of exactly 32 bytes. Messages
 * name the entry's position and id but never the key.
 */
export function parseKeyring(spec: string): SecretKeyring {
  const entries = spec.split(',').map((entry) => entry.trim());
  if (entries.length === 1 && entries[0] === '') {
    throw new SecretError(
      'the key spec is empty: expected id:base64key[,id:base64key...], for example the output of generateKeySpec()',
    );
  }

  const all = new Map<string, Buffer>();
  let current: SecretKeyring['current'] | undefined;
  entries.forEach((entry, index) => {
    const { id, key } = parseEntry(entry, index + 1);
    if (all.has(id)) {
      throw new SecretError(
        `key id "${id}" appears more than once in the key spec; ids must be unique`,
        {
          keyId: id,
        },
      );
    }
    all.set(id, key);
    current ??= { id, key };
  });

  // The spec is not empty, so the first entry set `current`.
  return { current: current!, all };
}

/**
 * Generates a key spec entry `id:base64key` with a new random 32-byte key.
 * The id defaults to `k<yyyymmdd>` from today's UTC date, so a rotated key
 * shows when it was made. Throws a SecretError when `id` is invalid.
 */
export function generateKeySpec(id: string = `k${utcDateStamp(new Date())}`): string {
  validateKeyId(id, 'the key id');
  return `${id}:${randomBytes(KEY_LENGTH).toString('base64')}`;
}

function parseEntry(entry: string, position: number): { id: string; key: Buffer } {
  const separator = entry.indexOf(':');
  if (separator < 0) {
    throw new SecretError(
      `entry ${position} of the key spec has no key id: expected id:base64key, such as k20250101:<44 base64 characters>`,
    );
  }

  const id = entry.slice(0, separator);
  const encodedKey = entry.slice(separator + 1);
  validateKeyId(id, `the key id of entry ${position}`);

  if (!BASE64_PATTERN.test(encodedKey) || encodedKey === '') {
    throw new SecretError(
      `key "${id}" is not valid base64; generate a key with generateKeySpec() or \`openssl rand -base64 32\``,
      { keyId: id },
    );
  }
  const key = Buffer.from(encodedKey, 'base64');
  if (key.length !== KEY_LENGTH) {
    throw new SecretError(
      `key "${id}" decodes to ${key.length} bytes, but AES-256 needs exactly ${KEY_LENGTH}`,
      { keyId: id },
    );
  }
  return { id, key };
}

function validateKeyId(id: string, label: string): void {
  if (KEY_ID_PATTERN.test(id)) return;
  // A long "id" may be a key pasted in the wrong place, so it is described, not quoted.
  if (id.length > 32) {
    throw new SecretError(`${label} is ${id.length} characters long; it ${KEY_ID_RULE}`);
  }
  throw new SecretError(`${label} "${id}" is invalid; it ${KEY_ID_RULE}`);
}

function utcDateStamp(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}
