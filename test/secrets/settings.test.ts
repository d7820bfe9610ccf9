import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SECRET_FIELDS,
  SecretError,
  encryptSecret,
  encryptedKeyId,
  generateKeySpec,
  isEncrypted,
  needsSealing,
  openSettings,
  parseKeyring,
  sealSettings,
} from '../../server/secrets/index.js';

const oldSpec = generateKeySpec('old');
const newSpec = generateKeySpec('new');
const oldKeyring = parseKeyring(oldSpec);
const rotatedKeyring = parseKeyring(`${newSpec},${oldSpec}`);

const smtpSettings = {
  host: 'smtp.harbor-rentals.example',
  port: 587,
  security: 'starttls',
  user: 'office@harbor-rentals.example',
  password: 'app-password-Zq81',
};
const mandrillSettings = { apiKey: 'md-Abcdefghijklmnop1234', subaccount: 'harbor' };

test('SECRET_FIELDS lists every secret setting', () => {
  assert.deepEqual([...SECRET_FIELDS], ['password', 'apiKey', 'webhookKey', 'mailboxPassword']);
});

test('sealSettings encrypts secret fields only', () => {
  const sealed = sealSettings(oldKeyring, 1, smtpSettings);
  assert.ok(isEncrypted(sealed.password));
  assert.equal(encryptedKeyId(sealed.password), 'old');
  assert.equal(sealed.host, smtpSettings.host);
  assert.equal(sealed.port, 587);
  assert.equal(sealed.user, smtpSettings.user);
  assert.ok(!JSON.stringify(sealed).includes(smtpSettings.password));
  assert.equal(smtpSettings.password, 'app-password-Zq81', 'the input was modified');
});

test('openSettings reverses sealSettings', () => {
  for (const settings of [smtpSettings, mandrillSettings]) {
    const sealed = sealSettings(oldKeyring, 4, settings);
    assert.deepEqual(openSettings(oldKeyring, 4, sealed), settings);
  }
});

test('sealSettings keeps current-key values', () => {
  const sealed = sealSettings(oldKeyring, 1, smtpSettings);
  const again = sealSettings(oldKeyring, 1, sealed);
  assert.equal(again.password, sealed.password);
});

test('sealSettings skips empty and non-string secrets', () => {
  const settings = { password: '', apiKey: null, other: 'x' };
  assert.deepEqual(sealSettings(oldKeyring, 1, settings), settings);
  assert.deepEqual(sealSettings(oldKeyring, 1, {}), {});
  assert.equal(needsSealing(oldKeyring, settings), false);
});

test('openSettings passes plaintext through', () => {
  assert.deepEqual(openSettings(oldKeyring, 1, smtpSettings), smtpSettings);
  assert.deepEqual(openSettings(oldKeyring, 1, mandrillSettings), mandrillSettings);
});

test('settings reject damaged enc values', () => {
  const sealed = sealSettings(oldKeyring, 1, smtpSettings);
  const truncated = { ...sealed, password: (sealed.password as string).slice(0, -3) };
  const futureFormat = { apiKey: 'enc:v2:k1:abc' };
  for (const settings of [truncated, futureFormat]) {
    assert.throws(() => openSettings(oldKeyring, 1, settings), SecretError);
    assert.throws(() => sealSettings(oldKeyring, 1, settings), /starts with "enc:"/);
    assert.equal(needsSealing(oldKeyring, settings), true);
  }
});

test('sealSettings rejects value of other account', () => {
  const sealedForOne = sealSettings(oldKeyring, 1, smtpSettings);
  assert.throws(
    () => sealSettings(oldKeyring, 2, sealedForOne),
    /password of account 2 with key "old": authentication failed/,
  );
  assert.throws(() => openSettings(oldKeyring, 2, sealedForOne), SecretError);
});

test('settings reject value of other field', () => {
  const stored = encryptSecret(oldKeyring, 1, 'password', 'app-password-Zq81');
  assert.throws(() => openSettings(oldKeyring, 1, { apiKey: stored }), /apiKey of account 1/);
  assert.throws(() => sealSettings(oldKeyring, 1, { apiKey: stored }), /apiKey of account 1/);
});

test('rotation decrypts values under old key', () => {
  const sealedOld = sealSettings(oldKeyring, 3, mandrillSettings);
  assert.deepEqual(openSettings(rotatedKeyring, 3, sealedOld), mandrillSettings);
});

test('rotation moves sealed values to new key', () => {
  const sealedOld = sealSettings(oldKeyring, 3, { ...smtpSettings, apiKey: 'second-secret' });
  assert.equal(needsSealing(rotatedKeyring, sealedOld), true);

  const resealed = sealSettings(rotatedKeyring, 3, sealedOld);
  assert.equal(encryptedKeyId(resealed.password), 'new');
  assert.equal(encryptedKeyId(resealed.apiKey), 'new');
  assert.equal(needsSealing(rotatedKeyring, resealed), false);

  const opened = openSettings(rotatedKeyring, 3, resealed);
  assert.equal(opened.password, smtpSettings.password);
  assert.equal(opened.apiKey, 'second-secret');

  // Once resealed, the rows no longer need the old key.
  const newOnly = parseKeyring(newSpec);
  assert.equal(openSettings(newOnly, 3, resealed).password, smtpSettings.password);
});

test('needsSealing detects plaintext', () => {
  assert.equal(needsSealing(oldKeyring, smtpSettings), true);
  assert.equal(needsSealing(oldKeyring, mandrillSettings), true);
  assert.equal(needsSealing(oldKeyring, { host: 'x' }), false);
  assert.equal(needsSealing(oldKeyring, sealSettings(oldKeyring, 1, smtpSettings)), false);
});

test('unknown key error omits plaintext', () => {
  const sealed = sealSettings(rotatedKeyring, 9, smtpSettings);
  let caught: unknown;
  assert.throws(
    () => openSettings(oldKeyring, 9, sealed),
    (error) => {
      caught = error;
      return true;
    },
  );
  assert.ok(caught instanceof SecretError);
  assert.match(caught.message, /password of account 9: key "new" is not in the keyring/);
  assert.ok(!caught.message.includes(smtpSettings.password));
});
