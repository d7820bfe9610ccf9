import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { DEMO_USERS } from '../../demo/accounts.js';
import { login, type DemoApi } from '../../demo/api.js';
import { createDemoClock } from '../../demo/clock.js';
import { buildDemoPlan } from '../../demo/plan.js';
import { seedDemo, type SeedResult } from '../../demo/seed.js';
import { startDemoServer } from '../../demo/server.js';
import { startDemoStandIns, type DemoStandIns } from '../../demo/standins.js';
import { silentLogger } from '../../server/logger.js';
import type { RunningServer } from '../../server/main.js';
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
