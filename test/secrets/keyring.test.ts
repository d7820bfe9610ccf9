import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { SecretError, generateKeySpec, parseKeyring } from '../../server/secrets/index.js';

function assertSpecError(spec: string, pattern: RegExp, secret?: string): void {
  let caught: unknown;
  assert.throws(
    () => parseKeyring(spec),
    (error) => {
      caught = error;
      return true;
    },
  );
  assert.ok(caught instanceof SecretError, `expected a SecretError, got ${String(caught)}`);
  assert.match(caught.message, pattern);
  if (secret !== undefined) {
    assert.ok(!caught.message.includes(secret), `the message contains the key: ${caught.message}`);
  }
}

test('parseKeyring first key is current', () => {
  const newKey = randomBytes(32);
  const oldKey = randomBytes(32);
  const keyring = parseKeyring(
    `new:${newKey.toString('base64')}, old:${oldKey.toString('base64')}`,
  );
  assert.equal(keyring.current.id, 'new');
  assert.deepEqual(keyring.current.key, newKey);
  assert.deepEqual([...keyring.all.keys()], ['new', 'old']);
  assert.deepEqual(keyring.all.get('old'), oldKey);
});

test('parseKeyring reads generateKeySpec output', () => {
  const spec = generateKeySpec('main_1');
  const keyring = parseKeyring(spec);
  assert.equal(keyring.current.id, 'main_1');
  assert.equal(keyring.current.key.length, 32);
});

test('generateKeySpec default id is dated', () => {
  const spec = generateKeySpec();
  assert.match(spec, /^k\d{8}:[A-Za-z0-9+/]{43}=$/);
  const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  assert.ok(spec.startsWith(`k${today}:`), spec);
});

test('generateKeySpec makes distinct keys', () => {
  assert.notEqual(generateKeySpec('a'), generateKeySpec('a'));
});

test('generateKeySpec rejects bad id', () => {
  assert.throws(() => generateKeySpec('has space'), SecretError);
  assert.throws(() => generateKeySpec(''), SecretError);
});

test('parseKeyring rejects bad base64', () => {
  const key = randomBytes(32).toString('base64');
  const mangled = `${key.slice(0, 10)}!${key.slice(11)}`;
  assertSpecError(`k1:${mangled}`, /key "k1" is not valid base64/, key.slice(0, 10));
  assertSpecError(`k1:${key.slice(0, -1)}`, /key "k1" is not valid base64/, key.slice(0, 10));
  assertSpecError('k1:', /key "k1" is not valid base64/);
});

test('parseKeyring rejects wrong length', () => {
  const short = randomBytes(16).toString('base64');
  assertSpecError(`short:${short}`, /key "short" decodes to 16 bytes.*exactly 32/, short);
  const long = randomBytes(33).toString('base64');
  assertSpecError(`long:${long}`, /key "long" decodes to 33 bytes/, long);
});

test('parseKeyring rejects duplicate id', () => {
  const first = randomBytes(32).toString('base64');
  const second = randomBytes(32).toString('base64');
  assertSpecError(`k1:${first},k1:${second}`, /"k1" appears more than once/, second);
});

test('parseKeyring rejects bad id', () => {
  const key = randomBytes(32).toString('base64');
  assertSpecError(`bad id:${key}`, /key id of entry 1 "bad id" is invalid/, key);
  assertSpecError(`ok:${key},:${key}`, /key id of entry 2 "" is invalid/, key);
  assertSpecError(`${'a'.repeat(33)}:${key}`, /is 33 characters long/, key);
  // Key and id swapped: the 44-character "id" is the key, so it must not be quoted.
  assertSpecError(`${key}:k1`, /entry 1 is 44 characters long/, key);
});

test('parseKeyring hides key given without id', () => {
  // A key pasted without an id has no ":", so the whole entry may be the key.
  const key = randomBytes(32).toString('base64');
  assertSpecError(key, /entry 1 of the key spec has no key id/, key);
  assertSpecError(`k1:${randomBytes(32).toString('base64')},${key}`, /entry 2/, key);
});

test('parseKeyring rejects empty spec', () => {
  assertSpecError('', /the key spec is empty/);
  assertSpecError('   ', /the key spec is empty/);
});
