import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { SecretError, generateKeySpec, loadKeyring } from '../../server/secrets/index.js';

let folder: string;

beforeEach(() => {
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'deliverability-secrets-'));
});

afterEach(() => {
  fs.rmSync(folder, { recursive: true, force: true });
});

function writeKeyFile(name: string, content: string, mode: number): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, content, { mode });
  // The umask applies to writeFileSync's mode, so chmod sets the exact mode.
  fs.chmodSync(file, mode);
  return file;
}

function loadError(run: () => unknown): SecretError {
  let caught: unknown;
  assert.throws(run, (error) => {
    caught = error;
    return true;
  });
  assert.ok(caught instanceof SecretError, `expected a SecretError, got ${String(caught)}`);
  return caught;
}

test('loadKeyring creates default key file', () => {
  const defaultKeyFile = path.join(folder, 'keys', 'secret.key');
  const { keyring, created } = loadKeyring({ defaultKeyFile });

  assert.equal(created, true);
  assert.match(keyring.current.id, /^k\d{8}$/);
  assert.equal(keyring.current.key.length, 32);
  assert.equal(fs.statSync(defaultKeyFile).mode & 0o777, 0o600);
  assert.equal(fs.statSync(path.dirname(defaultKeyFile)).mode & 0o777, 0o700);

  const content = fs.readFileSync(defaultKeyFile, 'utf8');
  assert.equal(content, `${keyring.current.id}:${keyring.current.key.toString('base64')}\n`);
  assert.deepEqual(fs.readdirSync(path.dirname(defaultKeyFile)), ['secret.key']);
});

test('loadKeyring reuses default key file', () => {
  const defaultKeyFile = path.join(folder, 'keys', 'secret.key');
  const first = loadKeyring({ defaultKeyFile });
  const second = loadKeyring({ defaultKeyFile });

  assert.equal(second.created, false);
  assert.equal(second.keyring.current.id, first.keyring.current.id);
  assert.deepEqual(second.keyring.current.key, first.keyring.current.key);
});

test('loadKeyring keeps existing folder mode', () => {
  fs.chmodSync(folder, 0o755);
  const defaultKeyFile = path.join(folder, 'secret.key');
  assert.equal(loadKeyring({ defaultKeyFile }).created, true);
  assert.equal(fs.statSync(folder).mode & 0o777, 0o755);
  assert.equal(fs.statSync(defaultKeyFile).mode & 0o777, 0o600);
});

test('loadKeyring rejects 0644 key file', () => {
  const spec = generateKeySpec('k1');
  const keyFile = writeKeyFile('open.key', spec, 0o644);
  const error = loadError(() => loadKeyring({ keyFile, defaultKeyFile: path.join(folder, 'd') }));
  assert.match(error.message, /mode 0644/);
  assert.ok(error.message.includes(`chmod 600 ${keyFile}`), error.message);
  assert.ok(!error.message.includes(spec.split(':')[1]!));
});

test('loadKeyring rejects group-readable default file', () => {
  const defaultKeyFile = writeKeyFile('default.key', generateKeySpec('k1'), 0o640);
  const error = loadError(() => loadKeyring({ defaultKeyFile }));
  assert.match(error.message, /mode 0640.*chmod 600/);
});

test('loadKeyring prefers keys over files', () => {
  const keyFile = writeKeyFile('file.key', generateKeySpec('fromfile'), 0o600);
  const defaultKeyFile = path.join(folder, 'default.key');
  const { keyring, created } = loadKeyring({
    keys: generateKeySpec('fromkeys'),
    keyFile,
    defaultKeyFile,
  });
  assert.equal(keyring.current.id, 'fromkeys');
  assert.equal(created, false);
  assert.equal(fs.existsSync(defaultKeyFile), false);
});

test('loadKeyring prefers key file over default', () => {
  const keyFile = writeKeyFile('file.key', `  ${generateKeySpec('fromfile')}\n\n`, 0o600);
  const defaultKeyFile = path.join(folder, 'default.key');
  const { keyring, created } = loadKeyring({ keys: '  ', keyFile, defaultKeyFile });
  assert.equal(keyring.current.id, 'fromfile');
  assert.equal(created, false);
  assert.equal(fs.existsSync(defaultKeyFile), false);
});

test('loadKeyring reads rotated key file', () => {
  const spec = `${generateKeySpec('new')},${generateKeySpec('old')}`;
  const keyFile = writeKeyFile('rotated.key', spec, 0o400);
  const { keyring } = loadKeyring({ keyFile, defaultKeyFile: path.join(folder, 'd') });
  assert.equal(keyring.current.id, 'new');
  assert.deepEqual([...keyring.all.keys()], ['new', 'old']);
});

test('loadKeyring rejects missing key file', () => {
  const keyFile = path.join(folder, 'missing.key');
  const error = loadError(() => loadKeyring({ keyFile, defaultKeyFile: path.join(folder, 'd') }));
  assert.match(error.message, /missing\.key not found/);
  assert.equal(fs.existsSync(keyFile), false);
});

test('loadKeyring rejects multi-line key file', () => {
  const keyFile = writeKeyFile(
    'two.key',
    `${generateKeySpec('a')}\n${generateKeySpec('b')}`,
    0o600,
  );
  const error = loadError(() => loadKeyring({ keyFile, defaultKeyFile: path.join(folder, 'd') }));
  assert.match(error.message, /more than one line/);
});

test('loadKeyring names file in spec errors', () => {
  const shortKey = Buffer.alloc(16, 7).toString('base64');
  const keyFile = writeKeyFile('short.key', `k1:${shortKey}`, 0o600);
  const error = loadError(() => loadKeyring({ keyFile, defaultKeyFile: path.join(folder, 'd') }));
  assert.ok(error.message.startsWith(`key file ${keyFile}: `), error.message);
  assert.match(error.message, /key "k1" decodes to 16 bytes/);
  assert.ok(!error.message.includes(shortKey));
  assert.equal(error.keyId, 'k1');
});

test('loadKeyring rejects empty key file', () => {
  const keyFile = writeKeyFile('empty.key', '\n', 0o600);
  const error = loadError(() => loadKeyring({ keyFile, defaultKeyFile: path.join(folder, 'd') }));
  assert.match(error.message, /is empty/);
});
