import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mandrillSyncStatus } from '../../server/mandrill/sync-status.js';
import type { MandrillFault } from '../support/mandrill-faults.js';
import {
  createVirtualClock,
  openPollFixture,
  seedMessages,
  snapshotRows,
  utcDaySeconds,
} from '../support/mandrill-poll-fixture.js';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';

const KEY = 'md-faults-key-0123456789';
const NOW = Date.parse('2026-11-20T06:00:00Z');
/** Above the client timeout set below, so the client gives up on a stalled request. */
const STALL_MS = 1_500;
const CLIENT_TIMEOUT_MS = 300;

/** Seeds the same 3,000 messages over three days, 2,500 of them on 2026-11-18. */
function seedThreeDays(standIn: MandrillStandIn): void {
  const busyDay = utcDaySeconds('2026-11-18');
  seedMessages(standIn, {
    prefix: 'a',
    count: 300,
    tsOf: (i) => utcDaySeconds('2026-11-17') + i * 280,
  });
  seedMessages(standIn, { prefix: 'b', count: 2000, tsOf: (i) => busyDay + i * 40 });
  seedMessages(standIn, { prefix: 'c', count: 500, tsOf: () => busyDay + 14 * 3600 });
  seedMessages(standIn, {
    prefix: 'd',
    count: 200,
    tsOf: (i) => utcDaySeconds('2026-11-19') + i * 400,
  });
}

/** Polls a fresh database against freshly seeded data with the faults planned; returns its rows. */
async function pollWithFaults(plan: (standIn: MandrillStandIn) => void) {
  const clock = createVirtualClock(NOW);
  const standIn = await startMandrillStandIn({ apiKeys: [KEY], now: clock.now });
  seedThreeDays(standIn);
  plan(standIn);
  const fixture = await openPollFixture({
    standIn,
    apiKey: KEY,
    clock,
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
  try {
    const account = fixture.store.accounts.get(fixture.accountId)!;
    const result = await fixture.poller().pollAccount(account);
    const searches = standIn.faults.count('/messages/search');
    return { result, rows: snapshotRows(fixture.store, fixture.accountId), clock, searches };
  } finally {
    fixture.close();
    await standIn.close();
  }
}

describe('Mandrill poller under API faults', () => {
  let reference: ReturnType<typeof snapshotRows>;

  before(async () => {
    const { result, rows } = await pollWithFaults(() => {});
    assert.equal(result.error, undefined);
    reference = rows;
    assert.equal(reference.length, 3000);
  });

  const faults: [string, MandrillFault][] = [
    ['429 with an error body', { kind: 'rate-limit' }],
    ['500 ServiceUnavailable', { kind: 'unavailable' }],
    ['stall past the timeout', { kind: 'stall', ms: STALL_MS }],
    ['body that is not JSON', { kind: 'bad-json' }],
    ['dropped connection', { kind: 'drop' }],
  ];
  for (const [name, fault] of faults) {
    it(`${name} gives the same rows`, async () => {
      const { result, rows, clock } = await pollWithFaults((standIn) =>
        standIn.faults.add('/messages/search', [2, 3], fault),
      );
      assert.equal(result.error, undefined);
      assert.equal(rows.length, reference.length);
      assert.deepEqual(rows, reference);
      // Two retries, each after a backoff with jitter.
      assert.equal(clock.sleeps.filter((ms) => ms > 0).length >= 2, true);
    });
  }

  it('every fault at once gives the same rows', async () => {
    const { result, rows, searches } = await pollWithFaults((standIn) => {
      standIn.faults.add('/messages/search', [1], { kind: 'rate-limit' });
      standIn.faults.add('/messages/search', [3], { kind: 'unavailable' });
      standIn.faults.add('/messages/search', [5], { kind: 'stall', ms: STALL_MS });
      standIn.faults.add('/messages/search', [7], { kind: 'bad-json' });
      standIn.faults.add('/messages/search', [9], { kind: 'drop' });
    });
    assert.equal(result.error, undefined);
    assert.ok(searches > 9, `only ${searches} searches, so some faults were never reached`);
    assert.deepEqual(rows, reference);
  });

  it('restart mid-walk loses and repeats nothing', async () => {
    const clock = createVirtualClock(NOW);
    const standIn = await startMandrillStandIn({ apiKeys: [KEY], now: clock.now });
    seedThreeDays(standIn);
    // Five failures in a row use up the attempts of one search, so the run stops partway.
    standIn.faults.add('/messages/search', [6, 7, 8, 9, 10], { kind: 'unavailable' });
    const fixture = await openPollFixture({ standIn, apiKey: KEY, clock });
    try {
      const first = await fixture
        .poller()
        .pollAccount(fixture.store.accounts.get(fixture.accountId)!);
      assert.match(first.error ?? '', /^ServiceUnavailable/);
      assert.ok(first.windows > 0, 'the first run committed no window');
      const partway = fixture.store.cursors.get(fixture.accountId);
      assert.ok(partway);
      assert.ok(partway.syncedUntil < NOW, 'the first run reached the end');
      const collected = fixture.store.sends.listRecent({
        limit: 10_000,
        accountId: fixture.accountId,
      }).length;
      assert.ok(collected > 0, 'the first run collected nothing');
      assert.ok(collected < 3000, 'the first run collected everything');
      assert.equal(mandrillSyncStatus(fixture.store, fixture.accountId)?.state, 'failing');

      fixture.reopen();
      const second = await fixture
        .poller()
        .pollAccount(fixture.store.accounts.get(fixture.accountId)!);
      assert.equal(second.error, undefined);
      assert.deepEqual(snapshotRows(fixture.store, fixture.accountId), reference);
      assert.equal(mandrillSyncStatus(fixture.store, fixture.accountId)?.state, 'ok');
    } finally {
      fixture.close();
      await standIn.close();
    }
  });
});
