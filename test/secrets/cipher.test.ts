import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SecretError,
  decryptSecret,
  encryptSecret,
  encryptedKeyId,
  generateKeySpec,
  isEncrypted,
  parseKeyring,
} from '../../server/secrets/index.js';

const keyring = parseKeyring(generateKeySpec('k1'));
const PLAINTEXT = 'app-password-Zq81';

/** Returns `stored` with one bit flipped in its part at `index` (3 = IV, 4 = ciphertext, 5 = tag). */
function flipBit(stored: string, index: number): string {
  const parts = stored.split(':');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  bytes[0]! ^= 0x01;
  parts[index] = bytes.toString('base64url');
  return parts.join(':');
}

function assertSecretError(run: () => unknown, pattern: RegExp): SecretError {
  let caught: unknown;
  assert.throws(run, (error) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof SecretError, `expected a SecretError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  assert.ok(!caught.message.includes(PLAINTEXT), 'the message contains the plaintext');
  return caught;
}

test('cipher round trip', () => {
  const stored = encryptSecret(keyring, 1, 'password', PLAINTEXT);
  assert.equal(decryptSecret(keyring, 1, 'password', stored), PLAINTEXT);
});

test('cipher round trip of unicode and empty', () => {
  for (const plaintext of ['', 'pässwörd ✉ 秘密', 'x'.repeat(5000)]) {
    const stored = encryptSecret(keyring, 7, 'apiKey', plaintext);
    assert.equal(decryptSecret(keyring, 7, 'apiKey', stored), plaintext);
  }
});

test('cipher stored format', () => {
  const stored = encryptSecret(keyring, 1, 'password', PLAINTEXT);
  const parts = stored.split(':');
  assert.equal(parts.length, 6);
  assert.equal(parts[0], 'enc');
  assert.equal(parts[1], 'v1');
  assert.equal(parts[2], 'k1');
  assert.equal(Buffer.from(parts[3]!, 'base64url').length, 12);
  assert.equal(Buffer.from(parts[4]!, 'base64url').length, Buffer.byteLength(PLAINTEXT));
  assert.equal(Buffer.from(parts[5]!, 'base64url').length, 16);
  assert.ok(isEncrypted(stored));
  assert.equal(encryptedKeyId(stored), 'k1');
});

test('cipher output omits plaintext', () => {
  const stored = encryptSecret(keyring, 1, 'password', PLAINTEXT);
  assert.ok(!stored.includes(PLAINTEXT));
  assert.ok(!stored.includes(Buffer.from(PLAINTEXT).toString('base64url')));
});

test('cipher uses fresh IV each time', () => {
  const first = encryptSecret(keyring, 1, 'password', PLAINTEXT);
  const second = encryptSecret(keyring, 1, 'password', PLAINTEXT);
  assert.notEqual(first, second);
  assert.notEqual(first.split(':')[3], second.split(':')[3]);
});

test('isEncrypted rejects other strings', () => {
  const stored = encryptSecret(keyring, 1, 'password', PLAINTEXT);
  for (const value of [
    PLAINTEXT,
    '',
    'enc:v1:',
    stored.slice(0, -1),
    stored.replace('enc:v1:', 'enc:v2:'),
    `${stored}:extra`,
    42,
    undefined,
  ]) {
    assert.equal(isEncrypted(value), false, `isEncrypted(${JSON.stringify(value)})`);
    assert.equal(encryptedKeyId(value), undefined);
  }
});

test('cipher rejects tampered parts', () => {
  const stored = encryptSecret(keyring, 1, 'password', PLAINTEXT);
  for (const [index, part] of [
    [3, 'IV'],
    [4, 'ciphertext'],
    [5, 'tag'],
  ] as const) {
    const tampered = flipBit(stored, index);
    assert.notEqual(tampered, stored);
    const error = assertSecretError(
      () => decryptSecret(keyring, 1, 'password', tampered),
      /authentication failed/,
    );
    assert.match(error.message, /password of account 1/, part);
    assert.match(error.message, /"k1"/, part);
  }
});

test('cipher rejects non-canonical base64url', () => {
  // The tag's 22nd character carries 2 data bits and 4 unused ones. Node ignores the unused
  // bits, so this edit decodes to the same tag and only the canonical-encoding check catches it.
  const stored = encryptSecret(keyring, 1, 'password', PLAINTEXT);
  const last = stored.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sibling = alphabet[alphabet.indexOf(last) ^ 0x01]!;
  const edited = stored.slice(0, -1) + sibling;
  assertSecretError(() => decryptSecret(keyring, 1, 'password', edited), /damaged/);
});

test('cipher rejects truncated value', () => {
  const stored = encryptSecret(keyring, 1, 'password', PLAINTEXT);
  assertSecretError(() => decryptSecret(keyring, 1, 'password', stored.slice(0, -4)), /damaged/);
});

test('cipher rejects plaintext input', () => {
  assertSecretError(
    () => decryptSecret(keyring, 1, 'password', PLAINTEXT),
    /is not an encrypted value/,
  );
});

test('cipher binds account and field', () => {
  const stored = encryptSecret(keyring, 1, 'password', PLAINTEXT);
  assertSecretError(() => decryptSecret(keyring, 2, 'password', stored), /password of account 2/);
  assertSecretError(() => decryptSecret(keyring, 1, 'apiKey', stored), /apiKey of account 1/);
  assertSecretError(() => decryptSecret(keyring, 11, 'password', stored), /authentication failed/);
});

test('cipher accepts string or number id', () => {
  const stored = encryptSecret(keyring, 5, 'password', PLAINTEXT);
  assert.equal(decryptSecret(keyring, '5', 'password', stored), PLAINTEXT);
});

test('cipher rejects colon in id or field', () => {
  // With a colon, account "1:password" + field "x" and account "1" + field "password:x"
  // would share the associated data.
  assertSecretError(() => encryptSecret(keyring, '1:password', 'x', PLAINTEXT), /account id/);
  assertSecretError(() => encryptSecret(keyring, 1, 'password:x', PLAINTEXT), /field name/);
  assertSecretError(() => encryptSecret(keyring, '', 'password', PLAINTEXT), /account id/);
});

test('cipher rejects unknown key id', () => {
  const other = parseKeyring(generateKeySpec('k2'));
  const stored = encryptSecret(other, 3, 'apiKey', PLAINTEXT);
  const error = assertSecretError(
    () => decryptSecret(keyring, 3, 'apiKey', stored),
    /key "k2" is not in the keyring/,
  );
  assert.match(error.message, /apiKey of account 3/);
  assert.equal(error.keyId, 'k2');
  assert.equal(error.accountId, '3');
  assert.equal(error.field, 'apiKey');
});

test('cipher rejects wrong key with same id', () => {
  const impostor = parseKeyring(generateKeySpec('k1'));
  const stored = encryptSecret(keyring, 1, 'password', PLAINTEXT);
  const error = assertSecretError(
    () => decryptSecret(impostor, 1, 'password', stored),
    /authentication failed/,
  );
  const key = keyring.current.key;
  assert.ok(!error.message.includes(key.toString('base64')));
  assert.ok(!error.message.includes(key.toString('hex')));
});
