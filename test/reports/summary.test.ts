import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../db/index.js';
import type { Method, SendState, Store } from '../../db/types.js';
import { methodSeries, methodSummary } from '../../server/reports/summary.js';
import { makeTempDir } from '../support/server.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 11, 4, 12, 0, 0);

function addSend(
  store: Store,
  accountId: number,
  method: Method,
  state: SendState,
  createdAt: number,
) {
  const send = store.sends.create({
    accountId,
    messageId: `${createdAt}@example.com`,
    method,
    kind: 'manual',
    headerFrom: 'a@example.com',
    replyTo: null,
    envelopeFrom: null,
    recipient: 'guest@guests.example',
    subject: null,
    state,
    createdAt,
  });
  return send.id;
}

function seeded(): { store: Store; accountId: number } {
  const store = openStore(path.join(makeTempDir(), 'reports.sqlite'));
  const account = store.accounts.create(
    { name: 'A', sendingAddress: 'a@example.com', replyTo: null, method: 'smtp', settings: {} },
    NOW,
  );
  return { store, accountId: account.id };
}

describe('reports', () => {
  it('series groups sends of one day into one point', () => {
    const { store, accountId } = seeded();
    const dayStart = Date.UTC(2026, 11, 3);
    addSend(store, accountId, 'smtp', 'accepted', dayStart + 1_000);
    addSend(store, accountId, 'smtp', 'rejected', dayStart + 5 * 3_600_000 + 17);
    addSend(store, accountId, 'smtp', 'accepted', dayStart + DAY + 60_000);
    const series = methodSeries(store, { days: '7', bucket: 'day' }, NOW);
    const smtp = series.series.find((s) => s.method === 'smtp');
    assert.deepEqual(
      smtp?.points.map((p) => [p.t, p.sent, p.deliveryRate]),
      [
        ['2026-12-03T00:00:00.000Z', 2, 0.5],
        ['2026-12-04T00:00:00.000Z', 1, 1],
      ],
    );
    const hourly = methodSeries(store, { days: '7', bucket: 'hour' }, NOW);
    assert.deepEqual(
      hourly.series.find((s) => s.method === 'smtp')?.points.map((p) => p.t),
      ['2026-12-03T00:00:00.000Z', '2026-12-03T05:00:00.000Z', '2026-12-04T00:00:00.000Z'],
    );
    store.close();
  });

  it('series defaults to hours up to two days', () => {
    const { store } = seeded();
    assert.equal(methodSeries(store, { days: '2' }, NOW).bucket, 'hour');
    assert.equal(methodSeries(store, { days: '3' }, NOW).bucket, 'day');
    assert.equal(methodSeries(store, { days: '2', bucket: 'day' }, NOW).bucket, 'day');
    store.close();
  });

  it('summary leaves failed and unknown sends out of sent', () => {
    const { store, accountId } = seeded();
    addSend(store, accountId, 'mandrill', 'delivered', NOW - 1_000);
    addSend(store, accountId, 'mandrill', 'bounced', NOW - 2_000);
    addSend(store, accountId, 'mandrill', 'failed', NOW - 3_000);
    addSend(store, accountId, 'mandrill', 'unknown', NOW - 4_000);
    addSend(store, accountId, 'mandrill', 'queued', NOW - 5_000);
    const mandrill = methodSummary(store, {}, NOW).methods.find((m) => m.method === 'mandrill');
    assert.equal(mandrill?.sent, 2);
    assert.equal(mandrill?.failed, 1);
    assert.equal(mandrill?.deliveryRate, 0.5);
    assert.equal(mandrill?.bounceRate, 0.5);
    store.close();
  });

  it('summary lists every method even without sends', () => {
    const { store } = seeded();
    const summary = methodSummary(store, {}, NOW);
    assert.deepEqual(
      summary.methods.map((m) => [m.method, m.sent, m.deliveryRate]),
      [
        ['default', 0, null],
        ['smtp', 0, null],
        ['mandrill', 0, null],
      ],
    );
    store.close();
  });
});
