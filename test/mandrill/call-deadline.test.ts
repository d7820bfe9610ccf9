import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError, loadConfig } from '../../server/config.js';
import { createMandrillApi, MandrillApiError } from '../../server/mandrill/client.js';
import { isTransient } from '../../server/mandrill/retry.js';
import {
  createVirtualClock,
  openPollFixture,
  seedMessages,
} from '../support/mandrill-poll-fixture.js';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';
import { startTestServer } from '../support/server.js';

const KEY = 'md-deadline-key-5550123456';
const NOW = Date.parse('2026-11-20T06:00:00Z');
/** The per-call deadline of these tests. Every stall below lasts far longer. */
const DEADLINE_MS = 300;
const STALL_MS = 8_000;

/** Waits up to `withinMs` for the stand-in to have no open connection, and returns the count. */
async function waitForNoConnections(standIn: MandrillStandIn, withinMs: number): Promise<number> {
  const until = Date.now() + withinMs;
  let open = await standIn.openConnections();
  while (open > 0 && Date.now() < until) {
    await delay(20);
    open = await standIn.openConnections();
  }
  return open;
}

/** Everything an error carries that could reach a log line or a stored message. */
function errorText(error: unknown): string {
  const { message, stack } = error as Error;
  return JSON.stringify({ ...(error as object), message, stack });
}

describe('Mandrill call deadline', () => {
  it('stalled call fails at the deadline', async () => {
    const standIn = await startMandrillStandIn({ apiKeys: [KEY] });
    try {
      const api = createMandrillApi({ baseUrl: standIn.url, timeoutMs: DEADLINE_MS });
      standIn.faults.add('/users/ping', [1], { kind: 'stall', ms: STALL_MS });
      const started = Date.now();
      const error = await api.ping(KEY).then(
        () => assert.fail('a stalled ping succeeded'),
        (caught: unknown) => caught,
      );
      const elapsed = Date.now() - started;
      assert.ok(error instanceof MandrillApiError);
      assert.equal(error.errorName, 'NetworkError');
      assert.equal(error.message, 'Mandrill users/ping timed out after 0.3 s');
      assert.ok(isTransient(error), 'the retry logic would not retry the timeout');
      assert.ok(elapsed >= DEADLINE_MS - 20, `failed after ${elapsed} ms, before the deadline`);
      assert.ok(elapsed < STALL_MS / 2, `failed after ${elapsed} ms, not at the deadline`);
      assert.doesNotMatch(errorText(error), new RegExp(KEY));
      // The request is aborted, so its connection closes long before the stall would end it.
      assert.equal(await waitForNoConnections(standIn, 2_000), 0);
    } finally {
      await standIn.close();
    }
  });

  it('rejects a timeout that is not positive', () => {
    for (const timeoutMs of [0, -1, Number.NaN]) {
      assert.throws(
        () => createMandrillApi({ baseUrl: 'http://127.0.0.1:9/api/1.3', timeoutMs }),
        RangeError,
        `timeout ${timeoutMs}`,
      );
    }
  });

  it('poller retries a stalled search', async () => {
    const clock = createVirtualClock(NOW);
    const standIn = await startMandrillStandIn({ apiKeys: [KEY], now: clock.now });
    seedMessages(standIn, { prefix: 'e', count: 20, tsOf: (i) => NOW / 1000 - 7200 + i * 60 });
    standIn.faults.add('/messages/search', [1], { kind: 'stall', ms: STALL_MS });
    const fixture = await openPollFixture({ standIn, apiKey: KEY, clock, timeoutMs: DEADLINE_MS });
    try {
      const started = Date.now();
      const result = await fixture
        .poller()
        .pollAccount(fixture.store.accounts.get(fixture.accountId)!);
      const elapsed = Date.now() - started;
      assert.equal(result.error, undefined);
      assert.equal(result.messages, 20);
      assert.ok(elapsed < STALL_MS / 2, `the poll took ${elapsed} ms, as long as the stall`);
      const retries = fixture.log.lines.filter(
        (line) => line.msg === 'Mandrill search failed; retrying after a backoff',
      );
      assert.equal(retries.length, 1);
      assert.equal(retries[0]?.error, 'NetworkError');
      assert.doesNotMatch(JSON.stringify(fixture.log.lines), new RegExp(KEY));
    } finally {
      fixture.close();
      await standIn.close();
    }
  });

  it('poller stops after every attempt stalls', async () => {
    const clock = createVirtualClock(NOW);
    const standIn = await startMandrillStandIn({ apiKeys: [KEY], now: clock.now });
    seedMessages(standIn, { prefix: 'f', count: 5, tsOf: (i) => NOW / 1000 - 7200 + i * 60 });
    standIn.faults.add('/messages/search', [1, 2], { kind: 'stall', ms: STALL_MS });
    const fixture = await openPollFixture({ standIn, apiKey: KEY, clock, timeoutMs: DEADLINE_MS });
    try {
      const poller = fixture.poller({ retry: { maxAttempts: 2 } });
      const started = Date.now();
      const result = await poller.pollAccount(fixture.store.accounts.get(fixture.accountId)!);
      const elapsed = Date.now() - started;
      const expected = 'NetworkError: Mandrill messages/search timed out after 0.3 s';
      assert.equal(result.error, expected);
      assert.ok(elapsed < STALL_MS / 2, `the poll took ${elapsed} ms, as long as the stall`);
      assert.equal(standIn.faults.count('/messages/search'), 2);
      const cursor = fixture.store.cursors.get(fixture.accountId);
      assert.equal(cursor?.lastError, expected);
      const failed = fixture.log.lines.find(
        (line) => line.msg === 'Mandrill poll failed; the next run resumes from the cursor',
      );
      assert.ok(failed, 'the failed run was not logged');
      assert.doesNotMatch(JSON.stringify(fixture.log.lines), new RegExp(KEY));
    } finally {
      fixture.close();
      await standIn.close();
    }
  });

  it('server applies the timeout setting', async () => {
    const standIn = await startMandrillStandIn({ apiKeys: [KEY] });
    const server = await startTestServer({
      DELIVERABILITY_MANDRILL_BASE_URL: standIn.url,
      DELIVERABILITY_MANDRILL_TIMEOUT_SECONDS: '1',
    });
    try {
      const created = await server.request('POST', '/api/accounts', {
        name: 'Lakeside Cabins',
        sendingAddress: 'stay@lakeside.example',
        method: 'mandrill',
        settings: { apiKey: KEY },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const outside = standIn.addMessage({ email: 'walkin@guests.example' });
      standIn.faults.add('/messages/search', [1], { kind: 'stall', ms: 20_000 });
      const started = Date.now();
      await server.runJobsOnce();
      const elapsed = Date.now() - started;
      // One deadline of 1 s and one backoff of at most 2 s, far below the stall.
      assert.ok(elapsed < 10_000, `the poll took ${elapsed} ms`);
      assert.equal(standIn.faults.count('/messages/search') >= 2, true);
      const send = server.services.store.sends.findByProviderId(
        created.body.account.id,
        outside._id,
      );
      assert.equal(send?.state, 'delivered');
    } finally {
      await server.close();
      await standIn.close();
    }
  });
});

describe('Mandrill call timeout setting', () => {
  it('defaults to 30 seconds', () => {
    assert.equal(loadConfig({}).mandrill.callTimeoutSeconds, 30);
    const set = loadConfig({ DELIVERABILITY_MANDRILL_TIMEOUT_SECONDS: '5' });
    assert.equal(set.mandrill.callTimeoutSeconds, 5);
  });

  it('rejects values outside 1 to 300', () => {
    for (const value of ['0', '301', '1.5', 'soon']) {
      assert.throws(
        () => loadConfig({ DELIVERABILITY_MANDRILL_TIMEOUT_SECONDS: value }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.message.includes(`DELIVERABILITY_MANDRILL_TIMEOUT_SECONDS="${value}"`) &&
          error.message.includes('from 1 to 300'),
        `value ${value}`,
      );
    }
  });
});
