import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mandrillSyncStatus } from '../../server/mandrill/sync-status.js';
import {
  createVirtualClock,
  openPollFixture,
  seedMessages,
  utcDaySeconds,
  type PollFixture,
} from '../support/mandrill-poll-fixture.js';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';

const KEY = 'md-walk-key-0123456789';
const NOW = Date.parse('2026-11-20T06:00:00Z');

describe('Mandrill search walk', () => {
  let standIn: MandrillStandIn;
  let fixture: PollFixture;
  const clock = createVirtualClock(NOW);
  const ids = new Set<string>();

  before(async () => {
    standIn = await startMandrillStandIn({ apiKeys: [KEY], now: clock.now });
    const busyDay = utcDaySeconds('2026-11-18');
    const seeded = [
      // 300 on a quiet day, one every few minutes.
      ...seedMessages(standIn, {
        prefix: 'a',
        count: 300,
        tsOf: (i) => utcDaySeconds('2026-11-17') + i * 280,
      }),
      // 2,500 on the busy day: 1,900 spread out and 600 in the one second 14:00:00.
      ...seedMessages(standIn, { prefix: 'b', count: 1900, tsOf: (i) => busyDay + i * 45 }),
      ...seedMessages(standIn, { prefix: 'c', count: 600, tsOf: () => busyDay + 14 * 3600 }),
      ...seedMessages(standIn, {
        prefix: 'd',
        count: 200,
        tsOf: (i) => utcDaySeconds('2026-11-19') + i * 400,
      }),
    ];
    for (const message of seeded) ids.add(message._id);
    fixture = await openPollFixture({ standIn, apiKey: KEY, clock });
  });

  after(async () => {
    fixture?.close();
    await standIn?.close();
  });

  it('collects a day over the cap', async () => {
    const result = await fixture
      .poller()
      .pollAccount(fixture.store.accounts.get(fixture.accountId)!);
    assert.equal(result.error, undefined);
    assert.equal(result.messages, 3000);

    const sends = fixture.store.sends.listRecent({ limit: 10_000, accountId: fixture.accountId });
    assert.equal(sends.length, 3000);
    assert.deepEqual(new Set(sends.map((send) => send.providerId)), ids);
    const inOneSecond = sends.filter((send) => send.providerId?.startsWith('c'));
    assert.equal(inOneSecond.length, 600);
  });

  it('sends dates to the second', () => {
    const searches = standIn.requests.filter((r) => r.path === '/messages/search');
    assert.ok(searches.length > 0);
    for (const search of searches) {
      assert.match(String(search.body.date_from), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.match(String(search.body.date_to), /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      assert.equal(search.body.limit, 1000);
    }
  });

  it('keeps every search under the cap when committed', () => {
    const status = mandrillSyncStatus(fixture.store, fixture.accountId);
    assert.equal(status?.state, 'ok');
    assert.equal(status?.warning, null);
    assert.equal(status?.syncedUntil, NOW);
  });

  it('a second run records nothing new', async () => {
    const result = await fixture
      .poller()
      .pollAccount(fixture.store.accounts.get(fixture.accountId)!);
    assert.equal(result.error, undefined);
    assert.equal(result.newEvents, 0);
    assert.equal(result.externalSends, 0);
  });
});

describe('Mandrill search walk at a full second', () => {
  it('warns when one second reaches the cap', async () => {
    const clock = createVirtualClock(NOW);
    const standIn = await startMandrillStandIn({ apiKeys: [KEY], now: clock.now });
    const second = utcDaySeconds('2026-11-19') + 3600;
    seedMessages(standIn, { prefix: 'e', count: 1005, tsOf: () => second });
    seedMessages(standIn, { prefix: 'f', count: 10, tsOf: (i) => second + 1 + i });
    const fixture = await openPollFixture({ standIn, apiKey: KEY, clock });
    try {
      const result = await fixture
        .poller()
        .pollAccount(fixture.store.accounts.get(fixture.accountId)!);
      assert.equal(result.error, undefined);
      assert.equal(result.messages, 1010);

      const status = mandrillSyncStatus(fixture.store, fixture.accountId);
      assert.match(
        status?.warning ?? '',
        /cap of 1000 messages for the one second 2026-11-19 01:00:00/,
      );
      assert.equal(status?.syncedUntil, NOW);
      const warnings = fixture.log.lines.filter((line) => line.level === 40);
      assert.equal(warnings.length, 1);
    } finally {
      fixture.close();
      await standIn.close();
    }
  });
});
