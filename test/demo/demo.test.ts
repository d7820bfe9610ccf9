import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { DEMO_ACCOUNTS, DEMO_USERS } from '../../demo/accounts.js';
import { login, type DemoApi } from '../../demo/api.js';
import { createDemoClock } from '../../demo/clock.js';
import {
  acquireDataLock,
  DemoStartError,
  emptyDataDir,
  LOCK_FILE,
  MARKER_FILE,
} from '../../demo/data-dir.js';
import { buildDemoPlan, messagesPerAccount } from '../../demo/plan.js';
import { seedDemo, type SeedResult } from '../../demo/seed.js';
import { startDemoServer } from '../../demo/server.js';
import { startDemoStandIns, type DemoStandIns } from '../../demo/standins.js';
import { silentLogger } from '../../server/logger.js';
import type { RunningServer } from '../../server/main.js';
import { repoRoot } from '../../server/paths.js';
import { makeTempDir } from '../support/server.js';

const METHODS = ['default', 'smtp', 'mandrill'];

describe('demo seeding at small scale', () => {
  const dir = makeTempDir('deliverability-demo-');
  let standIns: DemoStandIns | undefined;
  let server: RunningServer | undefined;
  let seeded: SeedResult;
  let admin: DemoApi;

  before(async () => {
    const plan = buildDemoPlan({ messages: 60, days: 3, endMs: Date.now() - 15 * 60_000 });
    const clock = createDemoClock(plan.startMs - 3_600_000);
    standIns = await startDemoStandIns(plan, dir, clock.now);
    server = await startDemoServer(standIns, clock, {
      port: 0,
      dataDir: dir,
      logger: silentLogger(),
    });
    seeded = await seedDemo(server, standIns, plan, clock);
    admin = await login(server.url, DEMO_USERS.admin.email, DEMO_USERS.admin.password);
  });

  after(async () => {
    await server?.close();
    await standIns?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sends by all three methods', async () => {
    const { sends } = await admin.json('GET', '/api/sends?limit=500');
    assert.ok(sends.length >= 60, `only ${sends.length} sends`);
    for (const method of METHODS) {
      assert.ok(
        sends.some((s: { method: string }) => s.method === method),
        `no ${method} send`,
      );
    }
  });

  it('records delivered, bounced and rejected sends', async () => {
    const { sends } = await admin.json('GET', '/api/sends?limit=500');
    const states = new Set(sends.map((s: { state: string }) => s.state));
    assert.ok(states.has('delivered'), `states: ${[...states].join(', ')}`);
    assert.ok(states.has('bounced'), `states: ${[...states].join(', ')}`);
    assert.ok(states.has('soft_bounced'), `states: ${[...states].join(', ')}`);
    assert.ok(states.has('rejected'), `states: ${[...states].join(', ')}`);
    const rejected = sends.find(
      (s: { method: string; state: string }) => s.method === 'smtp' && s.state === 'rejected',
    );
    assert.equal(rejected?.statusCode, '5.1.1');
  });

  it('matches bounces to their sends', async () => {
    const { bounces } = await admin.json('GET', '/api/bounces?limit=100');
    assert.ok(seeded.bounces.overSmtp > 0, 'no DSN went to the bounce listener');
    assert.ok(seeded.bounces.overApi > 0, 'no bounce was posted');
    const matched = bounces.filter((b: { matched: number }) => b.matched > 0);
    assert.ok(matched.length > 0, JSON.stringify(bounces.slice(0, 3)));
    assert.ok(
      matched.some((b: { source: string }) => b.source === 'inbound-smtp'),
      'no bounce over SMTP was matched',
    );
    assert.ok(
      matched.some((b: { source: string }) => b.source === 'api'),
      'no posted bounce was matched',
    );
  });

  it('records Mandrill outcomes from webhooks and the poller', async () => {
    assert.ok(seeded.mandrill.webhookEvents > 0, 'no webhook event was posted');
    const { sends } = await admin.json('GET', '/api/sends?limit=500');
    const mandrill = sends.filter((s: { method: string }) => s.method === 'mandrill');
    const accepted = mandrill.filter((s: { state: string }) => s.state === 'accepted');
    assert.equal(accepted.length, 0, 'Mandrill sends left without an outcome');
    assert.ok(
      mandrill.some((s: { opens: number }) => s.opens > 0),
      'no Mandrill send opened',
    );
  });

  it('fills the summary for all three methods', async () => {
    const summary = await admin.json('GET', '/api/reports/summary?days=30');
    for (const method of METHODS) {
      const entry = summary.methods.find((m: { method: string }) => m.method === method);
      assert.ok(entry?.sent > 0, `${method}: ${JSON.stringify(entry)}`);
    }
  });

  it('fills the series for all three methods over several days', async () => {
    const report = await admin.json('GET', '/api/reports/series?days=30&bucket=day');
    for (const method of METHODS) {
      const series = report.series.find((s: { method: string }) => s.method === method);
      assert.ok(series?.points.length >= 2, `${method}: ${JSON.stringify(series)}`);
    }
  });

  it('stores a domain check per account', async () => {
    for (const id of seeded.ids.values()) {
      const { checks } = await admin.json('GET', `/api/accounts/${id}/checks`);
      assert.ok(checks.length >= 1, `account ${id} has no stored check`);
    }
  });
});

describe('demo plan sizes', () => {
  for (const messages of [12, 13, 50, 51, 60, 3000, 20000]) {
    it(`splits ${messages} messages exactly`, () => {
      const counts = messagesPerAccount(messages, DEMO_ACCOUNTS);
      assert.equal(
        counts.reduce((sum, count) => sum + count, 0),
        messages,
        `counts ${counts.join(', ')}`,
      );
      assert.ok(
        counts.every((count) => count >= 3),
        `counts ${counts.join(', ')}`,
      );
    });
  }

  it('plans 50 recipients for 50 messages', () => {
    const plan = buildDemoPlan({ messages: 50, days: 7, endMs: Date.now() });
    const recipients = plan.sends.reduce((sum, send) => sum + send.to.length, 0);
    assert.equal(plan.messages, 50);
    assert.equal(recipients, 50);
  });
});

describe('demo data folder lock', () => {
  it('lock rejects a running holder', () => {
    const dir = makeTempDir('deliverability-demo-lock-');
    const lock = acquireDataLock(dir);
    try {
      assert.throws(
        () => acquireDataLock(dir),
        (error: unknown) =>
          error instanceof DemoStartError && error.message.includes(`pid ${process.pid}`),
      );
    } finally {
      lock.release();
    }
    assert.equal(fs.existsSync(path.join(dir, LOCK_FILE)), false, 'release left the lock file');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lock taken over from stopped holder', () => {
    const dir = makeTempDir('deliverability-demo-lock-');
    const stopped = spawnSync(process.execPath, ['-e', '']);
    assert.ok(stopped.pid, 'no pid for the stopped process');
    fs.writeFileSync(path.join(dir, LOCK_FILE), `${stopped.pid}\n`);
    const lock = acquireDataLock(dir);
    assert.equal(fs.readFileSync(lock.path, 'utf8').trim(), String(process.pid));
    lock.release();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('lock file without pid rejected', () => {
    const dir = makeTempDir('deliverability-demo-lock-');
    fs.writeFileSync(path.join(dir, LOCK_FILE), 'not a pid');
    assert.throws(() => acquireDataLock(dir), /does not contain a pid/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('unmarked folder keeps its files', () => {
    const dir = makeTempDir('deliverability-demo-lock-');
    const own = path.join(dir, 'notes.txt');
    fs.writeFileSync(own, 'not demo data');
    assert.throws(() => emptyDataDir(dir, false), /notes\.txt/);
    assert.equal(fs.readFileSync(own, 'utf8'), 'not demo data');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('marked folder emptied except lock', () => {
    const dir = makeTempDir('deliverability-demo-lock-');
    const lock = acquireDataLock(dir);
    fs.writeFileSync(path.join(dir, MARKER_FILE), '');
    fs.writeFileSync(path.join(dir, 'deliverability.sqlite'), 'old');
    emptyDataDir(dir, false);
    assert.deepEqual(fs.readdirSync(dir).sort(), [MARKER_FILE, LOCK_FILE].sort());
    lock.release();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

const DEMO_MAIN = path.join(repoRoot, 'dist', 'demo', 'main.js');

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Builds the environment of a small demo on `dataDir`, without the caller's DEMO_* variables. */
function demoEnv(dataDir: string, port: number): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('DEMO_')),
  );
  return {
    ...env,
    DEMO_DATA_DIR: dataDir,
    DEMO_PORT: String(port),
    DEMO_MESSAGES: '12',
    DEMO_DAYS: '1',
  };
}

/** Runs `npm run demo`'s script and resolves with its URL once it has printed its guide. */
function startDemo(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DEMO_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Serving (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1] && output.includes('Ctrl-C stops the demo')) resolve({ child, url: match[1] });
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the demo exited with ${code}: ${output}`)));
  });
}

/** Runs the demo's script to its end, stopping it with SIGTERM once it serves. */
function runDemo(env: NodeJS.ProcessEnv): Promise<DemoRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [DEMO_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Ctrl-C stops the demo')) child.kill('SIGTERM');
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function countSends(databasePath: string): number {
  const db = new Database(databasePath, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM sends').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('second demo beside a running one', () => {
  const dataDir = makeTempDir('deliverability-demo-first-');
  const otherDir = makeTempDir('deliverability-demo-second-');
  const databasePath = path.join(dataDir, 'deliverability.sqlite');
  let first: { child: ChildProcess; url: string };
  let inode: number;
  let sends: number;

  before(async () => {
    first = await startDemo(demoEnv(dataDir, 0));
    inode = fs.statSync(databasePath).ino;
    sends = countSends(databasePath);
  });

  after(() => {
    if (first?.child.exitCode === null) first.child.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(otherDir, { recursive: true, force: true });
  });

  it('same data folder rejected', async () => {
    const second = await runDemo(demoEnv(dataDir, 0));
    assert.equal(second.code, 1, second.stdout + second.stderr);
    assert.match(second.stderr, new RegExp(`Another demo \\(pid ${first.child.pid}\\)`));
    assert.match(second.stderr, /DEMO_DATA_DIR=/);
    assert.equal(second.stdout, '');

    assert.equal(fs.statSync(databasePath).ino, inode, 'the database file was replaced');
    assert.equal(fs.statSync(databasePath).nlink, 1, 'the database file was unlinked');
    assert.ok(sends >= 12, `only ${sends} sends before the second demo`);
    assert.equal(countSends(databasePath), sends);
    const admin = await login(first.url, DEMO_USERS.admin.email, DEMO_USERS.admin.password);
    const page = await admin.json('GET', '/api/sends?limit=500');
    assert.equal(page.sends.length, sends);
  });

  it('same port rejected before deleting', async () => {
    const port = new URL(first.url).port;
    const previousDatabase = path.join(otherDir, 'deliverability.sqlite');
    fs.writeFileSync(path.join(otherDir, MARKER_FILE), '');
    fs.writeFileSync(previousDatabase, 'previous demo');
    const second = await runDemo(demoEnv(otherDir, Number(port)));
    assert.equal(second.code, 1, second.stdout + second.stderr);
    assert.match(second.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is in use`));
    assert.equal(fs.readFileSync(previousDatabase, 'utf8'), 'previous demo');
    assert.equal(fs.existsSync(path.join(otherDir, LOCK_FILE)), false, 'the lock was not released');
  });

  it('releases the lock when stopped', async () => {
    assert.equal(first.child.exitCode, null, 'the first demo stopped early');
    const exited = new Promise<number | null>((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(fs.existsSync(path.join(dataDir, LOCK_FILE)), false);
  });
});

describe('demo settings', () => {
  it('bad values give one line each', async () => {
    const dataDir = makeTempDir('deliverability-demo-settings-');
    const file = path.join(dataDir, 'a-file');
    fs.writeFileSync(file, '');
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ DEMO_PORT: 'abc' }, /^Invalid DEMO_PORT="abc": must be a whole number from 0 to 65535\n$/],
      [{ DEMO_MESSAGES: '5' }, /^Invalid DEMO_MESSAGES="5": must be a whole number from 12/],
      [
        { DEMO_DATA_DIR: file },
        /^Cannot use .*a-file as the demo's data folder .*Set DEMO_DATA_DIR/,
      ],
    ];
    for (const [settings, message] of cases) {
      const run = await runDemo({ ...demoEnv(dataDir, 0), ...settings });
      assert.equal(run.code, 1, JSON.stringify(settings));
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
