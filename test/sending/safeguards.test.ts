import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { makeTempDir, startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';
import { createTestCertificate } from '../support/tls.js';

const PASSWORD = 'manager-smtp-password-7';

describe('sending safeguards', () => {
  let peer: SmtpPeer;
  let server: TestServer;
  let dir: string;
  let accountId: number;
  let caFile: string;

  const send = (to: string | string[], kind = 'automated') =>
    server.request('POST', `/api/accounts/${accountId}/sends`, {
      to,
      subject: 'Rule',
      text: 'Hi',
      kind,
    });

  before(async () => {
    dir = makeTempDir();
    const cert = createTestCertificate(dir);
    caFile = cert.certFile;
    peer = await startSmtpPeer({
      tls: cert,
      auth: { user: 'office@lodge.example', password: PASSWORD },
      unknownRecipients: ['gone@guests.example'],
    });
    server = await startTestServer({
      DELIVERABILITY_DATABASE: path.join(dir, 'safeguards.sqlite'),
      DELIVERABILITY_SMTP_CA_FILE: caFile,
      DELIVERABILITY_SMTP_AUTOMATED_PER_HOUR: '4',
    });
    const created = await server.request('POST', '/api/accounts', {
      name: 'Lodge',
      sendingAddress: 'office@lodge.example',
      method: 'smtp',
      settings: {
        host: '127.0.0.1',
        port: peer.port,
        security: 'starttls',
        user: 'office@lodge.example',
        password: PASSWORD,
      },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    accountId = created.body.account.id;
  });

  after(async () => {
    await server?.close();
    await peer?.close();
  });

  function storedSettings(): string {
    const db = new Database(path.join(dir, 'safeguards.sqlite'), { readonly: true });
    try {
      return (
        db.prepare('SELECT settings FROM accounts WHERE id = ?').get(accountId) as {
          settings: string;
        }
      ).settings;
    } finally {
      db.close();
    }
  }

  it('password is encrypted at rest and still works', async () => {
    const settings = storedSettings();
    assert.doesNotMatch(settings, new RegExp(PASSWORD));
    assert.match(JSON.parse(settings).password, /^enc:v1:k\d{8}:/);
    const keyFile = path.join(dir, 'secret.key');
    assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600);
    const [sent] = (await send('guest@guests.example', 'manual')).body.sends;
    assert.equal(sent.state, 'accepted', sent.detail);
  });

  it('hard rejection suppresses the address for automated sends', async () => {
    const [rejected] = (await send('gone@guests.example', 'manual')).body.sends;
    assert.equal(rejected.state, 'rejected');
    const list = await server.request('GET', `/api/accounts/${accountId}/suppressions`);
    assert.deepEqual(
      list.body.suppressions.map((s: { address: string; reason: string }) => [s.address, s.reason]),
      [['gone@guests.example', 'hard_bounce']],
    );
    const before = peer.messages.length;
    const response = await send(['gone@guests.example', 'guest@guests.example']);
    assert.equal(response.status, 201);
    const [held, delivered] = response.body.sends;
    assert.equal(held.state, 'suppressed');
    assert.match(
      held.detail,
      /^Held back: gone@guests\.example is on the account's suppression list \(hard bounce since \d{4}-\d\d-\d\d\)/,
    );
    assert.equal(delivered.state, 'accepted');
    assert.equal(peer.messages.length, before + 1);
    assert.deepEqual(peer.messages.at(-1)?.to, ['guest@guests.example']);
  });

  it('automated sends stop at the hourly cap', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await send(`g${i}@guests.example`)).status);
    const capped = statuses.indexOf(429);
    assert.ok(capped > 0, `statuses ${statuses.join(',')}`);
    const response = await send('late@guests.example');
    assert.equal(response.status, 429);
    assert.equal(response.body.error.code, 'volume_cap');
    assert.match(response.body.error.message, /over its cap of 4/);
    const manual = await send('late@guests.example', 'manual');
    assert.equal(manual.status, 201, 'manual sends are not capped');
  });

  it('private SMTP destinations are refused before connecting', async () => {
    const guarded = await startTestServer({ DELIVERABILITY_SMTP_ALLOW: '' });
    try {
      const cases = [
        { host: '127.0.0.1', port: 587, expected: /loopback/ },
        { host: '10.0.0.5', port: 587, expected: /private/ },
        { host: '169.254.169.254', port: 25, expected: /link-local/ },
        {
          host: '142.250.27.108',
          port: 8080,
          expected: /Port 8080 is not an SMTP submission port/,
        },
      ];
      for (const { host, port, expected } of cases) {
        const created = await guarded.request('POST', '/api/accounts', {
          name: 'Guarded',
          sendingAddress: 'office@guarded.example',
          method: 'smtp',
          settings: { host, port, security: 'starttls' },
        });
        assert.equal(created.status, 422, host);
        assert.equal(created.body.error.code, 'smtp_destination_refused');
        assert.match(created.body.error.message, expected);
      }
      // An account stored before its host went bad is refused again at send time.
      const stored = guarded.services.store.accounts.create(
        {
          name: 'Stale',
          sendingAddress: 'office@stale.example',
          replyTo: null,
          method: 'smtp',
          settings: { host: '10.0.0.5', port: 587, security: 'starttls' },
        },
        Date.now(),
      );
      const response = await guarded.request('POST', `/api/accounts/${stored.id}/sends`, {
        to: 'guest@guests.example',
        subject: 'x',
        text: 'x',
        kind: 'manual',
      });
      const [sent] = response.body.sends;
      assert.equal(sent.state, 'failed');
      assert.match(
        sent.detail,
        /The SMTP host 10\.0\.0\.5 is a private address; sending there is refused/,
      );
    } finally {
      await guarded.close();
    }
  });

  it('busy database answers 503 with Retry-After', async () => {
    const busy = await startTestServer({ DELIVERABILITY_DATABASE_BUSY_TIMEOUT_MS: '50' });
    const blocker = new Database(busy.databasePath);
    try {
      blocker.exec('BEGIN EXCLUSIVE');
      const response = await busy.request('POST', '/api/accounts', {
        name: 'x',
        sendingAddress: 'a@b.example',
        method: 'default',
      });
      assert.equal(response.status, 503);
      assert.equal(response.headers.get('retry-after'), '1');
      assert.equal(response.body.error.code, 'busy');
    } finally {
      blocker.exec('ROLLBACK');
      blocker.close();
      await busy.close();
    }
  });
});
