import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RateLimiter } from '../../server/mandrill/rate-limit.js';
import { createVirtualClock, openPollFixture } from '../support/mandrill-poll-fixture.js';
import { startMandrillStandIn } from '../support/mandrill-standin.js';

const KEY = 'md-rate-key-0123456789';
const NOW = Date.parse('2026-11-20T06:00:00Z');
const DAY_MS = 86_400_000;

/** Counts the times in each 60-second window that ends at one of them and returns the max. */
function maxPerRollingMinute(times: number[]): number {
  let max = 0;
  for (const end of times) {
    const inWindow = times.filter((time) => time > end - 60_000 && time <= end).length;
    max = Math.max(max, inWindow);
  }
  return max;
}

describe('Mandrill search rate limit', () => {
  it('limiter allows 20 per rolling minute', async () => {
    const clock = createVirtualClock(NOW);
    const limiter = new RateLimiter({ limit: 20, windowMs: 60_000, ...clock });
    const times: number[] = [];
    for (let i = 0; i < 65; i += 1) {
      await limiter.acquire(KEY);
      times.push(clock.now());
    }
    assert.equal(maxPerRollingMinute(times), 20);
    assert.deepEqual(times.slice(0, 20), new Array(20).fill(NOW));
    assert.ok((times[20] as number) > NOW + 60_000 - 1);
    // Another key has a share of its own.
    await limiter.acquire('md-other-key');
    assert.equal(clock.now(), times.at(-1));
  });

  it('poller stays at 20 searches a minute', async () => {
    const clock = createVirtualClock(NOW);
    const standIn = await startMandrillStandIn({ apiKeys: [KEY], now: clock.now });
    // 90 empty days: windows grow to one day, so one run makes about 90 searches.
    const fixture = await openPollFixture({
      standIn,
      apiKey: KEY,
      clock,
      initialLookbackMs: 90 * DAY_MS,
    });
    try {
      const poller = fixture.poller();
      const account = () => fixture.store.accounts.get(fixture.accountId)!;
      const first = await poller.pollAccount(account());
      assert.equal(first.error, undefined);
      const second = await poller.pollAccount(account());
      assert.equal(second.error, undefined);

      const searches = standIn.requests.filter((r) => r.path === '/messages/search');
      assert.equal(searches.length, first.searches + second.searches);
      assert.ok(searches.length > 60, `only ${searches.length} searches`);
      assert.equal(maxPerRollingMinute(searches.map((r) => r.at)), 20);
      // The stand-in returns 429 past 20 a minute; the poller never caused one, so it never
      // had to retry.
      assert.equal(
        fixture.log.lines.filter((line) => line.msg.startsWith('Mandrill search failed')).length,
        0,
      );
      assert.ok(clock.sleeps.length > 0, 'the limiter never waited');
    } finally {
      fixture.close();
      await standIn.close();
    }
  });
});
