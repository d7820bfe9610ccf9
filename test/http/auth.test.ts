import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { repoRoot } from '../../server/paths.js';
import {
  ADMIN,
  makeTempDir,
  sessionCookieOf,
  startTestServer,
  type TestServer,
} from '../support/server.js';

const cli = path.join(repoRoot, 'dist', 'server', 'cli.js');

function runSetup(database: string, password: string, email = 'first@desk.example') {
  return runUserCommand(database, password, ['setup', '--email', email, '--name', 'First Admin']);
}

/** Runs a CLI command that reads a password from standard input. */
function runUserCommand(database: string, password: string, args: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(
      process.execPath,
      [cli, ...args],
      {
        env: {
          ...process.env,
          DELIVERABILITY_DATABASE: database,
          DELIVERABILITY_LOG_LEVEL: 'silent',
        },
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
    child.stdin?.end(`${password}\n`);
  });
}

describe('authentication', () => {
  let server: TestServer;
  let clock = Date.now();

  before(async () => {
    server = await startTestServer(
      { DELIVERABILITY_LOGIN_ATTEMPTS: '3', DELIVERABILITY_SESSION_HOURS: '1' },
      { now: () => clock },
    );
  });

  after(async () => {
    await server?.close();
  });

  it('login sets a strict HttpOnly cookie', async () => {
    const response = await server.as({})('POST', '/api/session', ADMIN);
    assert.equal(response.status, 200);
    const header = response.headers.get('set-cookie') ?? '';
    assert.match(header, /HttpOnly/i);
    assert.match(header, /SameSite=Strict/i);
    assert.equal(response.body.user.role, 'admin');
    assert.equal(response.body.user.passwordHash, undefined);
  });

  it('each login gets a new token, stored only as its hash', async () => {
    const first = sessionCookieOf(await server.as({})('POST', '/api/session', ADMIN));
    const second = sessionCookieOf(await server.as({})('POST', '/api/session', ADMIN));
    assert.notEqual(first, second);
    const db = new Database(server.databasePath, { readonly: true });
    const hashes = db.prepare('SELECT token_hash FROM sessions').all() as { token_hash: string }[];
    db.close();
    const token = first.split('=')[1] ?? '';
    assert.ok(
      hashes.every((row) => row.token_hash !== token && /^[0-9a-f]{64}$/.test(row.token_hash)),
    );
  });

  it('wrong password is 401 with no hint', async () => {
    const wrong = await server.as({})('POST', '/api/session', {
      email: ADMIN.email,
      password: 'nope-nope-nope',
    });
    const unknown = await server.as({})('POST', '/api/session', {
      email: 'ghost@desk.example',
      password: 'nope-nope-nope',
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.equal(wrong.body.error.message, unknown.body.error.message);
  });

  it('login attempts are rate limited', async () => {
    const body = { email: 'target@desk.example', password: 'guess-guess-1' };
    const statuses = [];
    for (let i = 0; i < 4; i += 1)
      statuses.push((await server.as({})('POST', '/api/session', body)).status);
    assert.deepEqual(statuses, [401, 401, 401, 429]);
    const limited = await server.as({})('POST', '/api/session', body);
    assert.equal(limited.body.error.code, 'rate_limited');
  });

  it('session expires after its lifetime', async () => {
    const client = await server.login(ADMIN.email, ADMIN.password);
    assert.equal((await client('GET', '/api/accounts')).status, 200);
    clock += 61 * 60_000;
    assert.equal((await client('GET', '/api/accounts')).status, 401);
  });

  it('setup reports when no user exists', async () => {
    const response = await server.as({})('GET', '/api/setup');
    assert.equal(response.body.needed, false);
    assert.match(response.body.command, /^node dist\/server\/cli\.js setup --email /);
  });

  it('setup command creates the first admin once', async () => {
    const database = path.join(makeTempDir(), 'setup.sqlite');
    const short = await runSetup(database, 'short');
    assert.equal(short.code, 2);
    assert.match(short.stderr, /password: must have at least 12 characters/);
    const first = await runSetup(database, 'first-admin-password');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Created admin first@desk\.example/);
    const again = await runSetup(database, 'second-admin-password', 'second@desk.example');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /Set-up is done already/);
  });

  it('reset-admin never prints the password', async () => {
    const database = path.join(makeTempDir(), 'reset.sqlite');
    await runSetup(database, 'first-admin-password');
    const args = ['reset-admin', '--email', 'first@desk.example'];
    const short = await runUserCommand(database, 'tiny-secret', args);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /password: must have at least 12 characters/);
    assert.doesNotMatch(short.stderr, /tiny-secret/);
    const reset = await runUserCommand(database, 'second-admin-password', args);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /first@desk\.example is an admin again/);
  });
});
