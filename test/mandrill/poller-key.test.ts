import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { updateAccount } from '../../server/accounts/service.js';
import { mandrillSyncStatus } from '../../server/mandrill/sync-status.js';
import {
  createVirtualClock,
  openPollFixture,
  seedMessages,
  utcDaySeconds,
} from '../support/mandrill-poll-fixture.js';
import { startMandrillStandIn } from '../support/mandrill-standin.js';

const OLD_KEY = 'md-revoked-key-0123456789';
const NEW_KEY = 'md-replacement-key-987654';
const NOW = Date.parse('2026-11-20T06:00:00Z');
const WARN = 40;

describe('Mandrill poller with a rejected key', () => {
  it('flags, stops, and resumes after a key change', async () => {
    const clock = createVirtualClock(NOW);
    const standIn = await startMandrillStandIn({ apiKeys: [NEW_KEY], now: clock.now });
    seedMessages(standIn, {
      prefix: 'k',
      count: 5,
      tsOf: (i) => utcDaySeconds('2026-11-19') + i * 60,
      apiKey: NEW_KEY,
    });
    const fixture = await openPollFixture({ standIn, apiKey: OLD_KEY, clock });
    try {
      const poller = fixture.poller();
      const account = () => fixture.store.accounts.get(fixture.accountId)!;

      const first = await poller.pollAccount(account());
      assert.match(first.error ?? '', /^Invalid_Key/);
      const flagged = mandrillSyncStatus(fixture.store, fixture.accountId);
      assert.equal(flagged?.state, 'key_rejected');
      assert.equal(flagged?.keyRejectedAt, NOW);
      assert.match(flagged?.lastError ?? '', /^Invalid_Key/);
      assert.doesNotMatch(JSON.stringify(flagged), /md-revoked/);
      const requestsAfterFlag = standIn.requests.length;
      // One search, not retried: the same key is rejected the same way every time.
      assert.equal(requestsAfterFlag, 1);
      assert.equal(fixture.log.lines.filter((line) => line.level >= WARN).length, 1);

      for (let run = 0; run < 5; run += 1) {
        clock.advance(300_000);
        const skipped = await poller.pollAccount(account());
        assert.equal(skipped.skipped, 'key_rejected');
        assert.equal(skipped.error, undefined);
      }
      assert.equal(standIn.requests.length, requestsAfterFlag);
      assert.equal(fixture.log.lines.filter((line) => line.level >= WARN).length, 1);
      assert.doesNotMatch(JSON.stringify(fixture.log.lines), /md-revoked|md-replacement/);

      clock.advance(1_000);
      await updateAccount(
        fixture.store,
        fixture.keyring,
        fixture.accountId,
        { settings: { apiKey: NEW_KEY } },
        clock.now(),
      );
      const cleared = mandrillSyncStatus(fixture.store, fixture.accountId);
      assert.notEqual(cleared?.state, 'key_rejected');
      assert.equal(cleared?.keyRejectedAt, null);

      const resumed = await poller.pollAccount(account());
      assert.equal(resumed.error, undefined);
      assert.equal(resumed.messages, 5);
      assert.equal(mandrillSyncStatus(fixture.store, fixture.accountId)?.state, 'ok');
    } finally {
      fixture.close();
      await standIn.close();
    }
  });

  it('status of an unknown account is null', async () => {
    const clock = createVirtualClock(NOW);
    const standIn = await startMandrillStandIn({ apiKeys: [NEW_KEY], now: clock.now });
    const fixture = await openPollFixture({ standIn, apiKey: NEW_KEY, clock });
    try {
      assert.equal(mandrillSyncStatus(fixture.store, 9999), null);
      assert.equal(mandrillSyncStatus(fixture.store, fixture.accountId)?.state, 'never_synced');
    } finally {
      fixture.close();
      await standIn.close();
    }
  });
});
