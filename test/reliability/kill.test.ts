import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { repoRoot } from '../../server/paths.js';
import { makeTempDir, sessionCookieOf } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';

const cli = path.join(repoRoot, 'dist', 'server', 'cli.js');
const PASSWORD = 'kill-test-password-1';

interface Served {
  child: ChildProcess;
  url: string;
}

/** Runs the real CLI as its own process, so SIGKILL stops it as a crash would. */
function serve(env: NodeJS.ProcessEnv): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving the dashboard on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${output}`)));
  });
}

function setup(env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'setup', '--email', 'admin@kill.example'], { env });
    child.stdin.end(`${PASSWORD}\n`);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`setup exited with ${code}`)),
    );
  });
}

async function login(url: string): Promise<string> {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@kill.example', password: PASSWORD }),
  });
  const headers = response.headers;
  return sessionCookieOf({ status: response.status, headers, body: null });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('crash during a stream of sends', () => {
  let relay: SmtpPeer | undefined;
  const children: ChildProcess[] = [];

  after(async () => {
    for (const child of children) child.kill('SIGKILL');
    await relay?.close();
  });

  it('SIGKILL loses no acknowledged send', async (t) => {
    relay = await startSmtpPeer({ dataDelayMs: 30 });
    const dir = makeTempDir();
    const database = path.join(dir, 'kill.sqlite');
    const env = {
      ...process.env,
      DELIVERABILITY_DATABASE: database,
      DELIVERABILITY_LOG_LEVEL: 'silent',
      DELIVERABILITY_DNS: '127.0.0.1:9',
      DELIVERABILITY_MANDRILL_BASE_URL: 'http://127.0.0.1:9/api/1.3',
      DELIVERABILITY_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
    };
    await setup(env);
    const first = await serve(env);
    children.push(first.child);
    const cookie = await login(first.url);
    const headers = { 'content-type': 'application/json', cookie };
    const account = await fetch(`${first.url}/api/accounts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: 'Kill',
        sendingAddress: 'desk@kill.example',
        method: 'default',
      }),
    }).then((r) => r.json() as Promise<{ account: { id: number } }>);

    const acknowledged: number[] = [];
    let stop = false;
    const worker = async () => {
      for (let i = 0; !stop && i < 200; i += 1) {
        try {
          const response = await fetch(`${first.url}/api/accounts/${account.account.id}/sends`, {
            method: 'POST',
            headers,
            body: JSON.stringify({
              to: 'guest@guests.example',
              subject: `n${i}`,
              text: 'x',
              kind: 'manual',
            }),
          });
          if (response.status !== 201) continue;
          const body = (await response.json()) as { sends: { id: number }[] };
          acknowledged.push(...body.sends.map((s) => s.id));
        } catch {
          return; // The server died under this request.
        }
      }
    };
    const workers = Array.from({ length: 4 }, worker);
    const deadline = Date.now() + 30_000;
    while (acknowledged.length < 25 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.ok(acknowledged.length >= 25, `only ${acknowledged.length} sends were acknowledged`);
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await exited(first.child);

    const second = await serve(env);
    children.push(second.child);
    const cookie2 = await login(second.url);
    const list = await fetch(`${second.url}/api/sends?limit=500`, {
      headers: { cookie: cookie2 },
    }).then((r) => r.json() as Promise<{ sends: { id: number; state: string }[] }>);
    const states = new Map(list.sends.map((s) => [s.id, s.state]));
    for (const id of acknowledged)
      assert.equal(states.get(id), 'accepted', `acknowledged send ${id}`);
    const counts: Record<string, number> = {};
    for (const state of states.values()) counts[state] = (counts[state] ?? 0) + 1;
    t.diagnostic(`acknowledged ${acknowledged.length}, stored states ${JSON.stringify(counts)}`);
    assert.equal(counts.queued, undefined, 'no send is left queued');
    assert.deepEqual(
      Object.keys(counts).filter((s) => s !== 'accepted' && s !== 'unknown'),
      [],
    );
    second.child.kill('SIGTERM');
    await exited(second.child);
    const db = new Database(database, { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
  });
});
