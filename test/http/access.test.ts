import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../../server/paths.js';
import { startTestServer, type RequestFn, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';

/** Where each router file is mounted (server/http/app.ts). */
const MOUNTS: Record<string, string> = {
  'accounts.ts': '/api/accounts',
  'analyze.ts': '/api',
  'suppressions.ts': '/api/accounts',
  'mandrill.ts': '/api/accounts',
  'mailbox.ts': '/api/accounts',
  'domains.ts': '/api/domains',
  'reports.ts': '/api/reports',
  'sends.ts': '/api',
  'bounces.ts': '/api',
  'session.ts': '/api',
  'users.ts': '/api',
  'static.ts': '',
  'webhooks.ts': '/webhooks',
  'tracking.ts': '/t',
};

/** Every route the server defines, read from the router source files. */
function definedRoutes(): string[] {
  const dir = path.join(repoRoot, 'server', 'http');
  const routes: string[] = [];
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(dir, file), 'utf8');
    for (const match of source.matchAll(
      /router\.(get|post|patch|put|delete|head)\(\s*'([^']+)'/g,
    )) {
      const mount = MOUNTS[file];
      assert.ok(mount !== undefined, `add ${file} to MOUNTS and its routes to ROUTES`);
      // A router's '/' under a mount is the mount path itself.
      const suffix = match[2] === '/' && mount ? '' : match[2];
      routes.push(`${match[1]?.toUpperCase()} ${mount}${suffix}`);
    }
  }
  return routes.sort();
}

type Access =
  | 'public'
  | 'static'
  | 'any'
  | 'admin'
  | 'account-read'
  | 'account-manage'
  | 'account-send'
  | 'send-read';

interface RouteCase {
  route: string;
  access: Access;
  body?: unknown;
}

const SEND_BODY = { to: 'guest@guests.example', subject: 'Hi', text: 'Hi', kind: 'manual' };

/** Each route with the access it needs; `:id` is filled with the account (or send) under test. */
const ROUTES: RouteCase[] = [
  { route: 'GET /', access: 'static' },
  { route: 'GET /styles.css', access: 'static' },
  { route: 'GET /vendor/chart.umd.min.js', access: 'static' },
  { route: 'GET /vendor/chartjs-adapter-date-fns.bundle.min.js', access: 'static' },
  { route: 'GET /api/setup', access: 'public' },
  { route: 'GET /api/session', access: 'public' },
  { route: 'POST /api/session', access: 'public' },
  { route: 'DELETE /api/session', access: 'public' },
  { route: 'GET /api/accounts', access: 'any' },
  { route: 'POST /api/accounts', access: 'any' },
  { route: 'GET /api/accounts/:id', access: 'account-read' },
  { route: 'PATCH /api/accounts/:id', access: 'account-manage', body: { name: 'Renamed' } },
  { route: 'GET /api/accounts/:id/check', access: 'account-read' },
  { route: 'GET /api/accounts/:id/checks', access: 'account-read' },
  { route: 'GET /api/accounts/:id/suppressions', access: 'account-read' },
  { route: 'GET /api/accounts/:id/mandrill/sender-domains', access: 'account-read' },
  { route: 'GET /api/accounts/:id/mandrill/rejects', access: 'account-read' },
  { route: 'GET /api/accounts/:id/mandrill/status', access: 'account-read' },
  { route: 'GET /api/accounts/:id/mailbox/status', access: 'account-read' },
  {
    route: 'POST /api/accounts/:id/suppressions',
    access: 'account-manage',
    body: { address: 'x@guests.example', reason: 'manual' },
  },
  { route: 'DELETE /api/accounts/:id/suppressions/:address', access: 'account-manage' },
  { route: 'POST /api/accounts/:id/sends', access: 'account-send', body: SEND_BODY },
  { route: 'GET /api/sends', access: 'any' },
  { route: 'GET /api/sends/:id', access: 'send-read' },
  { route: 'GET /api/sends.csv', access: 'any' },
  { route: 'POST /api/bounces', access: 'any' },
  { route: 'GET /api/bounces', access: 'any' },
  { route: 'GET /api/bounces.csv', access: 'any' },
  { route: 'GET /api/bounces/:id', access: 'any' },
  { route: 'GET /api/domains/:domain/check', access: 'any' },
  { route: 'GET /api/reports/summary', access: 'any' },
  { route: 'GET /api/reports/summary.csv', access: 'any' },
  { route: 'GET /api/reports/series', access: 'any' },
  { route: 'GET /api/reports/breakdowns', access: 'any' },
  { route: 'GET /api/reports/breakdowns.csv', access: 'any' },
  { route: 'POST /api/analyze', access: 'any', body: { message: 'From: a@b.example\r\n\r\nHi' } },
  { route: 'GET /api/users', access: 'admin' },
  { route: 'POST /api/users', access: 'admin' },
  { route: 'PATCH /api/users/:id', access: 'admin' },
  { route: 'DELETE /api/users/:id/sessions', access: 'admin' },
  { route: 'GET /api/tokens', access: 'admin' },
  { route: 'POST /api/tokens', access: 'admin' },
  { route: 'DELETE /api/tokens/:id', access: 'admin' },
  // Authenticated by Mandrill's signature, not by a session.
  { route: 'HEAD /webhooks/mandrill/:account', access: 'public' },
  { route: 'POST /webhooks/mandrill/:account', access: 'public' },
  // Loaded by mail clients, which have no credentials; the token's HMAC is the proof.
  { route: 'GET /t/o/:token.gif', access: 'public' },
  { route: 'GET /t/c/:token', access: 'public' },
];

describe('access control', () => {
  let relay: SmtpPeer;
  let server: TestServer;
  const ids = { a: 0, b: 0, sendA: 0, sendB: 0, managerA: 0 };
  const as: Record<string, RequestFn> = {};
  let tokenA = '';

  before(async () => {
    relay = await startSmtpPeer();
    server = await startTestServer({ DELIVERABILITY_RELAY_URL: `smtp://127.0.0.1:${relay.port}` });
    const admin = server.request;
    for (const key of ['a', 'b'] as const) {
      const created = await admin('POST', '/api/accounts', {
        name: `Account ${key}`,
        sendingAddress: `office@${key}.example`,
        method: 'default',
      });
      ids[key] = created.body.account.id;
      const sent = await admin('POST', `/api/accounts/${ids[key]}/sends`, SEND_BODY);
      ids[key === 'a' ? 'sendA' : 'sendB'] = sent.body.sends[0].id;
    }
    const users = [
      { email: 'manager-a@desk.example', role: 'manager', accountIds: [ids.a] },
      { email: 'manager-b@desk.example', role: 'manager', accountIds: [ids.b] },
      { email: 'support@desk.example', role: 'support', accountIds: [] },
    ];
    for (const user of users) {
      const created = await admin('POST', '/api/users', {
        ...user,
        name: user.email,
        password: 'long-password-42',
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      if (user.email.startsWith('manager-a')) ids.managerA = created.body.user.id;
      as[user.email.split('@')[0] as string] = await server.login(user.email, 'long-password-42');
    }
    const token = await admin('POST', '/api/tokens', { name: 'platform', accountIds: [ids.a] });
    assert.equal(token.status, 201);
    tokenA = token.body.token;
    as.token = server.as({ bearer: tokenA });
    as.anonymous = server.as({});
  });

  after(async () => {
    await server?.close();
    await relay?.close();
  });

  function pathFor(route: string, account: number, send: number): string {
    return route
      .replace(/^\S+ /, '')
      .replace('/sends/:id', `/sends/${send}`)
      .replace(':id', String(account))
      .replace(':address', 'x@guests.example')
      .replace(':domain', 'a.example');
  }

  function methodOf(route: string): string {
    return route.split(' ')[0] as string;
  }

  it('route table covers every defined route', () => {
    const listed = ROUTES.map((r) => r.route).sort();
    assert.deepEqual(definedRoutes(), listed);
  });

  it('every non-public route needs credentials', async () => {
    for (const { route, access, body } of ROUTES) {
      if (access === 'public' || access === 'static') continue;
      const response = await as.anonymous!(methodOf(route), pathFor(route, ids.a, ids.sendA), body);
      assert.equal(
        response.status,
        401,
        `${route} answered ${response.status} without credentials`,
      );
      assert.equal(response.body.error.code, 'unauthenticated');
    }
  });

  it('manager of B reaches nothing of account A', async () => {
    const before = await server.request('GET', `/api/accounts/${ids.a}`);
    const sendsBefore = await server.request('GET', `/api/sends?accountId=${ids.a}`);
    for (const { route, access, body } of ROUTES) {
      if (!access.startsWith('account') && access !== 'send-read') continue;
      const response = await as['manager-b']!(
        methodOf(route),
        pathFor(route, ids.a, ids.sendA),
        body,
      );
      assert.equal(
        response.status,
        404,
        `${route} let manager B reach account A (${response.status})`,
      );
    }
    assert.deepEqual((await server.request('GET', `/api/accounts/${ids.a}`)).body, before.body);
    assert.deepEqual(
      (await server.request('GET', `/api/sends?accountId=${ids.a}`)).body,
      sendsBefore.body,
    );
  });

  it('manager of A reaches nothing of account B', async () => {
    for (const { route, access, body } of ROUTES) {
      if (!access.startsWith('account') && access !== 'send-read') continue;
      const response = await as['manager-a']!(
        methodOf(route),
        pathFor(route, ids.b, ids.sendB),
        body,
      );
      assert.equal(
        response.status,
        404,
        `${route} let manager A reach account B (${response.status})`,
      );
    }
  });

  it('manager lists show only their accounts', async () => {
    const accounts = await as['manager-b']!('GET', '/api/accounts');
    assert.deepEqual(
      accounts.body.accounts.map((a: { id: number }) => a.id),
      [ids.b],
    );
    const sends = await as['manager-b']!('GET', '/api/sends');
    assert.ok(sends.body.sends.length > 0);
    assert.ok(sends.body.sends.every((s: { accountId: number }) => s.accountId === ids.b));
    const summary = await as['manager-b']!('GET', '/api/reports/summary');
    const total = summary.body.methods.reduce((n: number, m: { sent: number }) => n + m.sent, 0);
    const own = sends.body.sends.filter((s: { state: string }) => s.state !== 'queued').length;
    assert.equal(total, own);
  });

  it('manager may read, change and send for their account', async () => {
    const read = await as['manager-a']!('GET', `/api/accounts/${ids.a}`);
    assert.equal(read.status, 200);
    const changed = await as['manager-a']!('PATCH', `/api/accounts/${ids.a}`, { name: 'Harbor A' });
    assert.equal(changed.status, 200);
    const sent = await as['manager-a']!('POST', `/api/accounts/${ids.a}/sends`, SEND_BODY);
    assert.equal(sent.status, 201);
  });

  it('support reads every account but changes none', async () => {
    for (const id of [ids.a, ids.b]) {
      assert.equal((await as.support!('GET', `/api/accounts/${id}`)).status, 200);
      const patch = await as.support!('PATCH', `/api/accounts/${id}`, { name: 'x' });
      assert.equal(patch.status, 403);
      const send = await as.support!('POST', `/api/accounts/${id}/sends`, SEND_BODY);
      assert.equal(send.status, 403);
    }
    assert.equal(
      (
        await as.support!('POST', '/api/accounts', {
          name: 'n',
          sendingAddress: 'a@b.example',
          method: 'default',
        })
      ).status,
      403,
    );
  });

  it('non-admins reach no admin route', async () => {
    for (const who of ['manager-a', 'support', 'token']) {
      for (const { route, access } of ROUTES.filter((r) => r.access === 'admin')) {
        const method = methodOf(route);
        const body = method === 'GET' || method === 'DELETE' ? undefined : {};
        const response = await as[who]!(method, pathFor(route, ids.managerA, 1), body);
        assert.equal(response.status, 403, `${who} reached ${route} (${response.status})`);
      }
    }
  });

  it('API token reads and sends only for its accounts', async () => {
    assert.equal((await as.token!('GET', `/api/accounts/${ids.a}`)).status, 200);
    assert.equal((await as.token!('GET', `/api/accounts/${ids.b}`)).status, 404);
    assert.equal((await as.token!('PATCH', `/api/accounts/${ids.a}`, { name: 'x' })).status, 403);
    assert.equal((await as.token!('POST', `/api/accounts/${ids.a}/sends`, SEND_BODY)).status, 201);
    assert.equal((await as.token!('POST', `/api/accounts/${ids.b}/sends`, SEND_BODY)).status, 404);
    const list = await server.request('GET', '/api/tokens');
    const record = list.body.tokens.find((t: { prefix: string }) => tokenA.startsWith(t.prefix));
    assert.ok(record.lastUsedAt, 'last use is recorded');
    assert.doesNotMatch(JSON.stringify(list.body), new RegExp(tokenA));
  });

  it('revoked token is refused', async () => {
    const created = await server.request('POST', '/api/tokens', {
      name: 'short-lived',
      accountIds: [ids.b],
    });
    const client = server.as({ bearer: created.body.token });
    assert.equal((await client('GET', `/api/accounts/${ids.b}`)).status, 200);
    assert.equal(
      (await server.request('DELETE', `/api/tokens/${created.body.record.id}`)).status,
      204,
    );
    assert.equal((await client('GET', `/api/accounts/${ids.b}`)).status, 401);
  });

  it('cross-site state change is refused', async () => {
    const evil = await server.request(
      'POST',
      '/api/accounts',
      { name: 'x', sendingAddress: 'a@b.example', method: 'default' },
      { origin: 'http://evil.example' },
    );
    assert.equal(evil.status, 403);
    assert.equal(evil.body.error.code, 'cross_site_request');
    const fetchMetadata = await server.request(
      'PATCH',
      `/api/accounts/${ids.a}`,
      { name: 'x' },
      { 'sec-fetch-site': 'cross-site' },
    );
    assert.equal(fetchMetadata.status, 403);
    const sameOrigin = await server.request(
      'PATCH',
      `/api/accounts/${ids.a}`,
      { name: 'Same origin' },
      { 'sec-fetch-site': 'same-origin', origin: server.url },
    );
    assert.equal(sameOrigin.status, 200);
  });

  it('logout ends the session', async () => {
    const client = await server.login('support@desk.example', 'long-password-42');
    assert.equal((await client('GET', '/api/session')).status, 200);
    assert.equal((await client('DELETE', '/api/session')).status, 204);
    assert.equal((await client('GET', '/api/accounts')).status, 401);
  });

  it('password change ends the user sessions', async () => {
    const client = await server.login('manager-b@desk.example', 'long-password-42');
    const users = await server.request('GET', '/api/users');
    const id = users.body.users.find(
      (u: { email: string }) => u.email === 'manager-b@desk.example',
    ).id;
    assert.equal(
      (await server.request('PATCH', `/api/users/${id}`, { password: 'another-password-43' }))
        .status,
      200,
    );
    assert.equal((await client('GET', '/api/accounts')).status, 401);
    assert.doesNotMatch(JSON.stringify(users.body), /scrypt|passwordHash/);
  });

  it('security headers are set', async () => {
    const response = await server.request('GET', '/api/session');
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'DENY');
  });
});
