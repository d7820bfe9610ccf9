import path from 'node:path';
import { Writable } from 'node:stream';
import { openStore, type Store } from '../../db/index.js';
import { createAccount } from '../../server/accounts/service.js';
import { createLogger, type Logger } from '../../server/logger.js';
import { createMandrillApi, type MandrillApi } from '../../server/mandrill/client.js';
import { createMandrillPoller, type PollerDeps } from '../../server/mandrill/poller.js';
import type { MandrillMessageInfo } from '../../server/mandrill/types.js';
import { generateKeySpec, parseKeyring, type SecretKeyring } from '../../server/secrets/index.js';
import { classifySmtpReply } from '../../server/bounces/classify.js';
import type { MandrillStandIn } from './mandrill-standin.js';
import { makeTempDir } from './server.js';

/** A clock that moves only through `advance` or `sleep`, so nothing waits in real time. */
export interface VirtualClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  advance(ms: number): void;
  /** Every wait requested through `sleep`, in milliseconds. */
  sleeps: number[];
}

export function createVirtualClock(start: number): VirtualClock {
  let time = start;
  const sleeps: number[] = [];
  return {
    now: () => time,
    async sleep(ms) {
      sleeps.push(ms);
      time += Math.max(0, ms);
    },
    advance(ms) {
      time += ms;
    },
    sleeps,
  };
}

/** Log lines written by a pino logger, parsed. */
export interface CapturedLog {
  logger: Logger;
  lines: { level: number; msg: string; [key: string]: unknown }[];
}

export function captureLog(): CapturedLog {
  const lines: CapturedLog['lines'] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) lines.push(JSON.parse(line));
      }
      done();
    },
  });
  return { logger: createLogger('debug', destination), lines };
}

export interface PollFixture {
  databasePath: string;
  store: Store;
  keyring: SecretKeyring;
  accountId: number;
  api: MandrillApi;
  log: CapturedLog;
  /** Creates a poller on this fixture's store (a new one models a restarted process). */
  poller(overrides?: Partial<PollerDeps>): ReturnType<typeof createMandrillPoller>;
  /** Closes the store and opens the same file again, as a restarted process would. */
  reopen(): void;
  close(): void;
}

export const KEYRING_SPEC = generateKeySpec('k1');

/**
 * Opens a fresh SQLite file with one Mandrill account using `apiKey`, and
 * builds pollers on it that talk to `standIn` through the official client.
 * The poller's jitter is fixed at half the ceiling, so runs are repeatable.
 */
export async function openPollFixture(options: {
  standIn: MandrillStandIn;
  apiKey: string;
  clock: VirtualClock;
  subaccount?: string;
  timeoutMs?: number;
  initialLookbackMs?: number;
}): Promise<PollFixture> {
  const databasePath = path.join(makeTempDir('deliverability-poll-'), 'poll.sqlite');
  const keyring = parseKeyring(KEYRING_SPEC);
  let store = openStore(databasePath);
  const account = await createAccount(
    store,
    keyring,
    {
      name: 'Lakeside Cabins',
      sendingAddress: 'stay@lakeside.example',
      method: 'mandrill',
      settings: {
        apiKey: options.apiKey,
        ...(options.subaccount ? { subaccount: options.subaccount } : {}),
      },
    },
    options.clock.now(),
  );
  const api = createMandrillApi({
    baseUrl: options.standIn.url,
    timeoutMs: options.timeoutMs ?? 2_000,
  });
  const log = captureLog();
  const fixture: PollFixture = {
    databasePath,
    get store() {
      return store;
    },
    keyring,
    accountId: account.id,
    api,
    log,
    poller: (overrides = {}) =>
      createMandrillPoller({
        store,
        api,
        keyring,
        logger: log.logger,
        now: options.clock.now,
        sleep: options.clock.sleep,
        random: () => 0.5,
        classify: classifySmtpReply,
        initialLookbackMs: options.initialLookbackMs ?? 4 * 86_400_000,
        ...overrides,
      }),
    reopen() {
      store.close();
      store = openStore(databasePath);
    },
    close: () => store.close(),
  };
  return fixture;
}

/** Sends, events and the cursor of an account, without row ids and record times. */
export function snapshotRows(store: Store, accountId: number) {
  const sends = store.sends
    .listRecent({ limit: 1_000_000, accountId })
    .map(({ id, updatedAt, accountName, ...send }) => {
      const events = store.events
        .listForSend(id)
        .map(({ id: _eventId, sendId: _sendId, recordedAt: _recordedAt, ...event }) => event)
        .sort((a, b) => a.dedupKey.localeCompare(b.dedupKey));
      return { ...send, events };
    })
    .sort((a, b) => String(a.providerId).localeCompare(String(b.providerId)));
  return sends;
}

/** Unix seconds of 00:00:00 UTC on the given day. */
export function utcDaySeconds(isoDay: string): number {
  return Date.parse(`${isoDay}T00:00:00Z`) / 1000;
}

/**
 * Adds `count` messages with ids derived from `prefix` and their index, so
 * two stand-ins seeded alike hold the same data. States, bounces, opens and
 * clicks vary with the index; `tsOf` places each message in time.
 */
export function seedMessages(
  standIn: MandrillStandIn,
  options: { prefix: string; count: number; tsOf: (index: number) => number; apiKey?: string },
): MandrillMessageInfo[] {
  const added: MandrillMessageInfo[] = [];
  for (let i = 0; i < options.count; i += 1) {
    const ts = options.tsOf(i);
    const message: Partial<MandrillMessageInfo> & { email: string } = {
      _id: `${options.prefix}${i.toString(16).padStart(8, '0')}`,
      ts,
      email: `guest${i}@guests.example`,
      sender: 'stay@lakeside.example',
      subject: `Booking ${i}`,
      state: 'sent',
      smtp_events: [{ ts: ts + 2, type: 'sent', diag: '250 2.0.0 OK' }],
    };
    if (i % 10 === 3) {
      message.state = 'bounced';
      message.diag = 'smtp;550 5.1.1 The email account that you tried to reach does not exist.';
      message.bounce_description = 'bad_mailbox';
      message.smtp_events = [{ ts: ts + 3, type: 'bounced', diag: '550 5.1.1 user unknown' }];
    } else if (i % 10 === 5) {
      message.opens = 2;
      message.opens_detail = [
        { ts: ts + 60, ip: '192.0.2.7', location: 'Oslo, NO', ua: 'Mozilla/5.0' },
        { ts: ts + 120, ip: '192.0.2.7', location: 'Oslo, NO', ua: 'Mozilla/5.0' },
      ];
      message.clicks = 1;
      message.clicks_detail = [{ ts: ts + 90, url: 'https://lakeside.example/checkin' }];
    } else if (i % 10 === 7) {
      message.state = 'rejected';
    } else if (i % 50 === 9) {
      message.state = 'spam';
    }
    added.push(standIn.addMessage(message, options.apiKey));
  }
  return added;
}
