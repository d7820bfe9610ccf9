import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';
import {
  makeTempDir,
  sessionCookieOf,
  startTestServer,
  type TestServer,
} from '../support/server.js';

const KEY = 'md-shared-platform-key-77';

describe('hardening', () => {
  let mandrill: MandrillStandIn;
  let server: TestServer;
  let dir: string;

  before(async () => {
    mandrill = await startMandrillStandIn({ apiKeys: [KEY] });
    dir = makeTempDir();
    server = await startTestServer({
      DELIVERABILITY_DATABASE: path.join(dir, 'hardening.sqlite'),
      DELIVERABILITY_MANDRILL_BASE_URL: mandrill.url,
    });
  });

  after(async () => {
    await server?.close();
    await mandrill?.close();
  });

  async function mandrillAccount(name: string, subaccount?: string) {
    const response = await server.request('POST', '/api/accounts', {
      name,
      sendingAddress: `desk@${name}.example`,
      method: 'mandrill',
      settings: subaccount ? { apiKey: KEY, subaccount } : { apiKey: KEY },
    });
    return response;
  }

  it('malformed session cookie is no session, not an error', async () => {
    const client = server.as({ cookie: 'dd_session=%E0%A4%A' });
    assert.equal((await client('GET', '/api/accounts')).status, 401);
    assert.equal((await client('GET', '/api/setup')).status, 200);
  });

  it('non-token Authorization header never falls back to the cookie', async () => {
    const login = await server.as({})('POST', '/api/session', {
      email: 'admin@desk.example',
      password: 'admin-password-123',
    });
    const cookie = sessionCookieOf(login);
    const client = server.as({ cookie, bearer: 'notatoken' });
    const response = await client(
      'PATCH',
      '/api/accounts/1',
      { name: 'x' },
      { origin: 'http://evil.example' },
    );
    assert.equal(response.status, 401);
  });

  it('last admin cannot be demoted or disabled', async () => {
    const users = await server.request('GET', '/api/users');
    const admin = users.body.users.find((u: { role: string }) => u.role === 'admin');
    const demote = await server.request('PATCH', `/api/users/${admin.id}`, { role: 'support' });
    assert.equal(demote.status, 409);
    assert.equal(demote.body.error.code, 'last_admin');
    const disable = await server.request('PATCH', `/api/users/${admin.id}`, { disabled: true });
    assert.equal(disable.status, 409);
  });

  it('Mandrill key and subaccount may serve one account only', async () => {
    assert.equal((await mandrillAccount('first')).status, 201);
    const again = await mandrillAccount('second');
    assert.equal(again.status, 409);
    assert.match(again.body.error.message, /already uses this Mandrill key/);
    assert.equal((await mandrillAccount('third', 'third-sub')).status, 201);
  });

  it('poll keeps subaccount mail out of the main account', async () => {
    const accounts = (await server.request('GET', '/api/accounts')).body.accounts;
    const main = accounts.find((a: { name: string }) => a.name === 'first');
    const sub = accounts.find((a: { name: string }) => a.name === 'third');
    const sent = await server.request('POST', `/api/accounts/${sub.id}/sends`, {
      to: 'guest@guests.example',
      subject: 'Only for the subaccount',
      text: 'x',
      kind: 'manual',
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    await server.runJobsOnce();
    const mainSends = await server.request('GET', `/api/sends?accountId=${main.id}`);
    assert.deepEqual(mainSends.body.sends, []);
    const subSend = await server.request('GET', `/api/sends/${sent.body.sends[0].id}`);
    assert.equal(subSend.body.send.state, 'delivered');
  });

  it('automated Mandrill sends skip suppressed addresses', async () => {
    const accounts = (await server.request('GET', '/api/accounts')).body.accounts;
    const main = accounts.find((a: { name: string }) => a.name === 'first');
    await server.request('POST', `/api/accounts/${main.id}/suppressions`, {
      address: 'Unsubscribed@Guests.example',
      reason: 'unsubscribe',
    });
    const response = await server.request('POST', `/api/accounts/${main.id}/sends`, {
      to: ['unsubscribed@guests.example', 'guest@guests.example'],
      subject: 'Rule',
      text: 'x',
      kind: 'automated',
    });
    assert.deepEqual(
      response.body.sends.map((s: { state: string }) => s.state),
      ['suppressed', 'accepted'],
    );
  });

  it('method change needs the new settings', async () => {
    const created = await mandrillAccount('switching', 'switching-sub');
    const response = await server.request('PATCH', `/api/accounts/${created.body.account.id}`, {
      method: 'default',
    });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /settings: are required when the method changes/);
  });

  it('database file is readable by its owner only', () => {
    assert.equal(fs.statSync(path.join(dir, 'hardening.sqlite')).mode & 0o777, 0o600);
  });

  it('start-up refuses a missing key file when secrets are stored', async () => {
    const keyFile = path.join(dir, 'secret.key');
    const saved = fs.readFileSync(keyFile);
    await server.close();
    fs.rmSync(keyFile);
    try {
      await assert.rejects(
        startTestServer({ DELIVERABILITY_DATABASE: path.join(dir, 'hardening.sqlite') }),
        /contains encrypted secrets, but the key file .* is missing/,
      );
    } finally {
      fs.writeFileSync(keyFile, saved, { mode: 0o600 });
      server = await startTestServer({
        DELIVERABILITY_DATABASE: path.join(dir, 'hardening.sqlite'),
        DELIVERABILITY_MANDRILL_BASE_URL: mandrill.url,
      });
    }
  });
});
