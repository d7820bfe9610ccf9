import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';
import { startTestServer, makeTempDir, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';
import { createTestCertificate } from '../support/tls.js';

const MANDRILL_KEY = 'md-test-key-0123456789';

describe('sending by each method', () => {
  let relay: SmtpPeer;
  let managerServer: SmtpPeer;
  let implicitTlsServer: SmtpPeer;
  let mandrill: MandrillStandIn;
  let server: TestServer;

  before(async () => {
    const cert = createTestCertificate(makeTempDir());
    relay = await startSmtpPeer();
    managerServer = await startSmtpPeer({
      tls: cert,
      auth: { user: 'office@harbor-rentals.example', password: 'correct horse' },
      unknownRecipients: ['nobody@guests.example'],
    });
    implicitTlsServer = await startSmtpPeer({ tls: cert, secure: true });
    mandrill = await startMandrillStandIn({
      apiKeys: [MANDRILL_KEY],
      rejects: { 'blocked@guests.example': 'hard-bounce' },
    });
    server = await startTestServer({
      DELIVERABILITY_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
      DELIVERABILITY_SMTP_CA_FILE: cert.certFile,
      DELIVERABILITY_MANDRILL_BASE_URL: mandrill.url,
      DELIVERABILITY_PLATFORM_FROM: 'notifications@mail.platform.example',
    });
  });

  after(async () => {
    await server?.close();
    await Promise.all([
      relay?.close(),
      managerServer?.close(),
      implicitTlsServer?.close(),
      mandrill?.close(),
    ]);
  });

  async function createAccount(body: Record<string, unknown>): Promise<number> {
    const response = await server.request('POST', '/api/accounts', {
      name: 'Harbor Rentals',
      sendingAddress: 'office@harbor-rentals.example',
      replyTo: 'office@harbor-rentals.example',
      ...body,
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.account.id as number;
  }

  function send(accountId: number, to: string | string[], kind = 'manual') {
    return server.request('POST', `/api/accounts/${accountId}/sends`, {
      to,
      subject: 'Your booking at Harbor View',
      text: 'See you on Friday.',
      kind,
    });
  }

  function sqliteRow(id: number): Record<string, unknown> {
    const db = new Database(server.databasePath, { readonly: true });
    try {
      return db.prepare('SELECT * FROM sends WHERE id = ?').get(id) as Record<string, unknown>;
    } finally {
      db.close();
    }
  }

  it('default method sends from the platform with the manager in Reply-To', async () => {
    const accountId = await createAccount({ method: 'default' });
    const response = await send(accountId, 'guest@guests.example');
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const [sent] = response.body.sends;
    assert.equal(sent.state, 'accepted');
    assert.match(sent.providerId, /^TEST\d+$/);
    const received = relay.messages.at(-1);
    assert.ok(received, 'the relay received nothing');
    // A return path per message (VERP), on the platform's envelope domain.
    assert.match(received.from, /^bounces\+[0-9a-f]{32}\.[0-9a-f]{10}@mail\.platform\.example$/);
    const parsed = await simpleParser(received.raw);
    assert.equal(parsed.from?.value[0]?.address, 'notifications@mail.platform.example');
    assert.equal(parsed.from?.value[0]?.name, 'Harbor Rentals via Platform Notifications');
    assert.equal(parsed.replyTo?.value[0]?.address, 'office@harbor-rentals.example');
    const row = sqliteRow(sent.id);
    assert.equal(row.state, 'accepted');
    assert.equal(row.method, 'default');
    assert.equal(row.header_from, 'notifications@mail.platform.example');
  });

  it('default method refuses automated sends', async () => {
    const accountId = await createAccount({ method: 'default' });
    const before = relay.messages.length;
    const response = await send(accountId, 'guest@guests.example', 'automated');
    assert.equal(response.status, 422);
    assert.equal(response.body.error.code, 'automated_not_allowed');
    assert.match(response.body.error.message, /smtp or mandrill/);
    assert.equal(relay.messages.length, before);
    const list = await server.request('GET', `/api/sends?accountId=${accountId}`);
    assert.equal(list.body.sends.length, 0);
  });

  it('smtp method sends as the manager over STARTTLS with authentication', async () => {
    const accountId = await createAccount({
      method: 'smtp',
      settings: {
        host: '127.0.0.1',
        port: managerServer.port,
        security: 'starttls',
        user: 'office@harbor-rentals.example',
        password: 'correct horse',
      },
    });
    const response = await send(accountId, 'guest@guests.example', 'automated');
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(response.body.sends[0].state, 'accepted');
    assert.match(response.body.sends[0].detail, /^250 2\.0\.0 Ok: queued as TEST/);
    const received = managerServer.messages.at(-1);
    assert.ok(received);
    assert.equal(received.from, 'office@harbor-rentals.example');
    const parsed = await simpleParser(received.raw);
    assert.equal(parsed.from?.value[0]?.address, 'office@harbor-rentals.example');
    assert.equal(parsed.replyTo, undefined, 'Reply-To is the From address, so it is left out');
  });

  it('smtp method records a partial rejection per recipient', async () => {
    const accountId = await createAccount({
      method: 'smtp',
      settings: {
        host: '127.0.0.1',
        port: managerServer.port,
        security: 'starttls',
        user: 'office@harbor-rentals.example',
        password: 'correct horse',
      },
    });
    const response = await send(accountId, ['guest@guests.example', 'nobody@guests.example']);
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const [accepted, rejected] = response.body.sends;
    assert.equal(accepted.recipient, 'guest@guests.example');
    assert.equal(accepted.state, 'accepted');
    assert.equal(rejected.recipient, 'nobody@guests.example');
    assert.equal(rejected.state, 'rejected');
    assert.equal(rejected.replyCode, 550);
    assert.equal(rejected.statusCode, '5.1.1');
    assert.equal(rejected.reason, 'userunknown');
    assert.equal(accepted.messageId, rejected.messageId);
    assert.deepEqual(managerServer.messages.at(-1)?.to, ['guest@guests.example']);
  });

  it('smtp method reports a wrong password as failed', async () => {
    const accountId = await createAccount({
      method: 'smtp',
      settings: {
        host: '127.0.0.1',
        port: managerServer.port,
        security: 'starttls',
        user: 'office@harbor-rentals.example',
        password: 'wrong',
      },
    });
    const response = await send(accountId, 'guest@guests.example');
    const [sent] = response.body.sends;
    assert.equal(sent.state, 'failed');
    assert.match(sent.detail, /^Authentication failed at 127\.0\.0\.1:\d+/);
    assert.doesNotMatch(sent.detail, /wrong/);
  });

  it('smtp method reports a refused connection as failed', async () => {
    const closed = await startSmtpPeer();
    const port = closed.port;
    await closed.close();
    const accountId = await createAccount({
      method: 'smtp',
      settings: { host: '127.0.0.1', port, security: 'starttls' },
    });
    const [sent] = (await send(accountId, 'guest@guests.example')).body.sends;
    assert.equal(sent.state, 'failed');
    assert.match(sent.detail, /refused the connection/);
  });

  it('smtp method sends over implicit TLS', async () => {
    const accountId = await createAccount({
      method: 'smtp',
      settings: { host: '127.0.0.1', port: implicitTlsServer.port, security: 'tls' },
    });
    const [sent] = (await send(accountId, 'guest@guests.example')).body.sends;
    assert.equal(sent.state, 'accepted', sent.detail);
    assert.equal(implicitTlsServer.messages.length, 1);
  });

  it('smtp method reports implicit TLS against a plain port as failed', async () => {
    const accountId = await createAccount({
      method: 'smtp',
      settings: { host: '127.0.0.1', port: managerServer.port, security: 'tls' },
    });
    const [sent] = (await send(accountId, 'guest@guests.example')).body.sends;
    assert.equal(sent.state, 'failed');
    assert.match(sent.detail, /TLS|timed out/);
  });

  it('smtp method reports STARTTLS against a server without it as failed, not rejected', async () => {
    // The relay peer offers no STARTTLS.
    const accountId = await createAccount({
      method: 'smtp',
      settings: { host: '127.0.0.1', port: relay.port, security: 'starttls' },
    });
    const [sent] = (await send(accountId, 'guest@guests.example')).body.sends;
    assert.equal(sent.state, 'failed', JSON.stringify(sent));
    assert.match(sent.detail, /does not offer STARTTLS.*set security to tls/);
  });

  it('mandrill method records accepted and rejected recipients', async () => {
    const accountId = await createAccount({
      method: 'mandrill',
      settings: { apiKey: MANDRILL_KEY },
    });
    const response = await send(accountId, ['guest@guests.example', 'blocked@guests.example']);
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const [accepted, rejected] = response.body.sends;
    assert.equal(accepted.state, 'accepted');
    assert.match(accepted.providerId, /^[0-9a-f]{32}$/);
    assert.equal(accepted.providerStatus, 'sent');
    assert.equal(rejected.state, 'rejected');
    assert.match(rejected.detail, /hard-bounce/);
    assert.equal(mandrill.requests.at(-1)?.key, MANDRILL_KEY);
    const row = sqliteRow(accepted.id);
    assert.equal(row.provider_id, accepted.providerId);
  });

  it('mandrill method reports an invalid key as failed without the key', async () => {
    const accountId = await createAccount({
      method: 'mandrill',
      settings: { apiKey: 'md-revoked-key-999' },
    });
    const [sent] = (await send(accountId, 'guest@guests.example')).body.sends;
    assert.equal(sent.state, 'failed');
    assert.match(sent.detail, /Invalid_Key/);
    assert.doesNotMatch(JSON.stringify(sent), /md-revoked-key-999/);
  });

  it('account API masks secrets', async () => {
    const accountId = await createAccount({
      method: 'mandrill',
      settings: { apiKey: MANDRILL_KEY, subaccount: 'mask-test' },
    });
    const response = await server.request('GET', `/api/accounts/${accountId}`);
    assert.equal(response.status, 200);
    assert.equal(response.body.account.settings.apiKey, '****6789');
    assert.doesNotMatch(JSON.stringify(response.body), /md-test-key/);
  });

  it('account API shows no part of a password', async () => {
    const accountId = await createAccount({
      method: 'smtp',
      settings: {
        host: '127.0.0.1',
        port: 587,
        security: 'starttls',
        user: 'u',
        password: 'S3cretPassw0rd!',
      },
    });
    const response = await server.request('GET', `/api/accounts/${accountId}`);
    assert.equal(response.body.account.settings.password, '****');
  });

  it('account update refuses a masked secret and keeps the stored one', async () => {
    const accountId = await createAccount({
      method: 'mandrill',
      settings: { apiKey: MANDRILL_KEY, subaccount: 'update-test' },
    });
    const update = await server.request('PATCH', `/api/accounts/${accountId}`, {
      settings: { apiKey: '****6789' },
    });
    assert.equal(update.status, 400);
    assert.match(update.body.error.message, /settings\.apiKey: is the masked value/);
    const [sent] = (await send(accountId, 'guest@guests.example')).body.sends;
    assert.equal(sent.state, 'accepted', sent.detail);
  });
});
