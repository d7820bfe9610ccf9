import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from './server.js';
import { startSmtpPeer, type SmtpPeer } from './smtp-peers.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * The sends of the fixture, as hours after 00:00 UTC of its first day and the recipient. The
 * relay rejects nobody@gmail.example, so day 1 has one rejected send. Per day: day 0 has 3
 * sends in 2 hours, day 1 has 2 in 2 hours, day 2 has 1, day 3 none and day 4 has 1.
 */
export const TIMED_SENDS: [number, string][] = [
  [2, 'a@gmail.example'],
  [5, 'b@gmail.example'],
  [5.5, 'c@outlook.example'],
  [27, 'd@gmail.example'],
  [28, 'nobody@gmail.example'],
  [49, 'e@gmail.example'],
  [96, 'f@outlook.example'],
];

export interface TimedSends {
  server: TestServer;
  /** 00:00 UTC of the first day, ten days before the real time, so that presets include it. */
  firstDay: number;
  /** Returns the date `n` days after the first day, such as `2026-11-24`. */
  day(n: number): string;
  close(): Promise<void>;
}

/**
 * Starts the real server with a relay and records the sends of TIMED_SENDS at their times
 * through the API, on a clock that the server reads. The clock is the real one again before
 * this returns, so that sessions made afterwards, such as a browser's, last as usual. `env`
 * adds server settings, such as the URL of a Mandrill stand-in.
 */
export async function startTimedSends(env: Record<string, string> = {}): Promise<TimedSends> {
  let clock: number | null = null;
  const relay: SmtpPeer = await startSmtpPeer({ unknownRecipients: ['nobody@gmail.example'] });
  const server = await startTestServer(
    { DELIVERABILITY_RELAY_URL: `smtp://127.0.0.1:${relay.port}`, ...env },
    { now: () => clock ?? Date.now() },
  );
  const created = await server.request('POST', '/api/accounts', {
    name: 'Harbor',
    sendingAddress: 'office@harbor.example',
    method: 'default',
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const accountId = created.body.account.id as number;
  const firstDay = Math.floor(Date.now() / DAY) * DAY - 10 * DAY;
  for (const [hours, to] of TIMED_SENDS) {
    clock = firstDay + hours * HOUR;
    const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to,
      subject: `Booking for ${to}`,
      text: 'See you soon.',
      kind: 'manual',
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
  }
  clock = null;
  return {
    server,
    firstDay,
    day: (n) => new Date(firstDay + n * DAY).toISOString().slice(0, 10),
    close: async () => {
      await server.close();
      await relay.close();
    },
  };
}
