/**
 * Counts the Mandrill API calls the poller makes to reconcile 10,000
 * messages spread over three UTC days, one of which (6,000 messages, half
 * of them in two peak hours) is far over the 1000-message search cap.
 * Against the loopback stand-in, on a virtual clock, so the rate limit
 * costs no real time. 2% of the messages are still open (deferred or
 * soft-bounced) at the first run and settle after it. Later runs, 20
 * minutes apart, follow them with messages/info (at most 100 calls per
 * run) until none is open.
 *
 * The baseline is the lower bound of searches for the same messages,
 * ceil(messages / 1000): no walk can collect them in fewer, because each
 * search returns at most 1000. Prints calls by method, per 10,000
 * messages, and the ratio of searches to that bound.
 */
import {
  createVirtualClock,
  openPollFixture,
  seedMessages,
  utcDaySeconds,
} from '../test/support/mandrill-poll-fixture.js';
import { startMandrillStandIn } from '../test/support/mandrill-standin.js';

const KEY = 'md-bench-key-0123456789';
const NOW = Date.parse('2026-11-20T06:00:00Z');
const FOLLOW_UP_WAIT_MS = 20 * 60_000;

/** A small seeded generator (mulberry32), so every run places the messages alike. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function countByPath(requests: { path: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) counts[request.path] = (counts[request.path] ?? 0) + 1;
  return counts;
}

async function main(): Promise<void> {
  const clock = createVirtualClock(NOW);
  const standIn = await startMandrillStandIn({ apiKeys: [KEY], now: clock.now });
  const random = seededRandom(20261120);
  const day = (iso: string) => utcDaySeconds(iso);
  const anywhere = (start: number) => () => start + Math.floor(random() * 86_400);
  const peak = day('2026-11-18') + 9 * 3600;
  const plan = [
    { prefix: 'a', count: 2000, tsOf: anywhere(day('2026-11-17')) },
    { prefix: 'b', count: 3000, tsOf: anywhere(day('2026-11-18')) },
    { prefix: 'c', count: 3000, tsOf: () => peak + Math.floor(random() * 7200) },
    { prefix: 'd', count: 2000, tsOf: anywhere(day('2026-11-19')) },
  ];
  const messages = plan.flatMap((part) => seedMessages(standIn, part));
  const open = messages.filter((_, i) => i % 50 === 1);
  for (const [i, message] of open.entries()) {
    standIn.update(message._id, { state: i % 2 === 0 ? 'deferred' : 'soft-bounced' });
  }

  const fixture = await openPollFixture({ standIn, apiKey: KEY, clock });
  const poller = fixture.poller();
  const account = () => fixture.store.accounts.get(fixture.accountId)!;
  try {
    const first = await poller.pollAccount(account());
    const afterFirst = standIn.requests.length;
    const firstMinutes = (clock.now() - NOW) / 60_000;

    for (const message of open) standIn.update(message._id, { state: 'sent' });
    const isOpen = (providerId: string) => {
      const send = fixture.store.sends.findByProviderId(fixture.accountId, providerId);
      return !send || ['accepted', 'deferred', 'soft_bounced'].includes(send.state);
    };
    // Later runs, each after the follow-up interval, until every open send has settled.
    const later: { calls: Record<string, number>; newEvents: number; error?: string }[] = [];
    while (open.some((message) => isOpen(message._id)) && later.length < 10) {
      clock.advance(FOLLOW_UP_WAIT_MS);
      const before = standIn.requests.length;
      const result = await poller.pollAccount(account());
      later.push({
        calls: countByPath(standIn.requests.slice(before)),
        newEvents: result.newEvents,
        error: result.error,
      });
    }

    const firstCalls = countByPath(standIn.requests.slice(0, afterFirst));
    const allCalls = countByPath(standIn.requests);
    const stillOpen = open.filter((message) => isOpen(message._id)).length;
    const recorded = fixture.store.sends.listRecent({
      limit: 100_000,
      accountId: fixture.accountId,
    }).length;

    const baseline = Math.ceil(messages.length / 1000);
    const searches = firstCalls['/messages/search'] ?? 0;
    const per10k = (calls: number) => ((calls * 10_000) / messages.length).toFixed(1);
    const totalCalls = standIn.requests.length;

    console.log(`messages in the stand-in: ${messages.length} (${open.length} open at first)`);
    console.log(`sends recorded: ${recorded}; open sends left at the end: ${stillOpen}`);
    console.log(
      `run 1 (reconcile from empty): ${first.windows} windows, calls ${JSON.stringify(firstCalls)}, ` +
        `${firstMinutes.toFixed(1)} virtual minutes under the 20-a-minute search limit`,
    );
    for (const [i, run] of later.entries()) {
      console.log(
        `run ${i + 2} (${FOLLOW_UP_WAIT_MS / 60_000} min later): calls ${JSON.stringify(run.calls)}, ` +
          `${run.newEvents} new events`,
      );
    }
    console.log(`baseline lower bound: ceil(${messages.length} / 1000) = ${baseline} searches`);
    console.log(
      `searches in run 1: ${searches}, ratio to the baseline ${(searches / baseline).toFixed(2)}`,
    );
    console.log(
      `all calls, all runs: ${totalCalls}, that is ${per10k(totalCalls)} per 10,000 messages ` +
        `(search ${per10k(allCalls['/messages/search'] ?? 0)}, ` +
        `info ${per10k(allCalls['/messages/info'] ?? 0)})`,
    );
    const error = first.error ?? later.find((run) => run.error)?.error;
    if (error || stillOpen > 0) {
      console.error(`poll error: ${error ?? 'open sends left'}`);
      process.exitCode = 1;
    }
  } finally {
    fixture.close();
    await standIn.close();
  }
}

await main();
