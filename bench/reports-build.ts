/**
 * Builds the reports benchmark's database: accounts, sends and their events written directly
 * with prepared statements in large transactions, at the schema before the report aggregates
 * (migration 6). The caller then applies the later migrations, whose backfills fill the report
 * rows. Failed sends get a bounce reason; no default or smtp send is marked as tracked,
 * because that column comes with migration 9 (the counts are read the same either way).
 */
import { performance } from 'node:perf_hooks';
import type { Database } from 'better-sqlite3';
import { migrate } from '../db/migrate.js';
import { migrations } from '../db/migrations/index.js';
import type { Method, SendState } from '../db/types.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ROWS_PER_TRANSACTION = 200_000;

export interface BuildOptions {
  sends: number;
  accounts: number;
  domains: number;
  days: number;
  /** The end of the period the sends are spread over. */
  end: number;
  /** The build stops with an error when it runs longer than this. */
  maxSeconds: number;
}

export interface BuildResult {
  sends: number;
  events: number;
  seconds: number;
  /** The account with the most sends, and its share of them. */
  largestAccount: { id: number; sends: number };
}

/** A seeded generator (mulberry32), so that every run builds the same database. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Returns a picker of an index in [0, weights.length) with the given relative weights. */
function weighted(weights: number[], next: () => number): () => number {
  const total = weights.reduce((sum, w) => sum + w, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum += w / total;
    cumulative.push(sum);
  }
  return () => {
    const r = next();
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((cumulative[mid] as number) < r) low = mid + 1;
      else high = mid;
    }
    return low;
  };
}

/**
 * Final states and their shares per method: default and smtp see no delivery past their
 * server, so most of their sends stay accepted; Mandrill reports deliveries.
 */
const STATE_MIX: Record<Method, [SendState, number][]> = {
  default: [
    ['accepted', 95.2],
    ['rejected', 2],
    ['bounced', 1.5],
    ['soft_bounced', 0.5],
    ['deferred', 0.2],
    ['failed', 0.4],
    ['unknown', 0.1],
    ['queued', 0.1],
  ],
  smtp: [
    ['accepted', 93.6],
    ['rejected', 2.5],
    ['bounced', 2],
    ['soft_bounced', 0.8],
    ['deferred', 0.3],
    ['failed', 0.6],
    ['unknown', 0.1],
    ['queued', 0.1],
  ],
  mandrill: [
    ['delivered', 93],
    ['accepted', 1],
    ['bounced', 2],
    ['soft_bounced', 1],
    ['rejected', 1.5],
    ['deferred', 0.5],
    ['suppressed', 0.5],
    ['queued', 0.5],
  ],
};
const METHODS: Method[] = ['default', 'smtp', 'mandrill'];
const FAILED_STATES = new Set<SendState>(['bounced', 'soft_bounced', 'rejected', 'deferred']);

/** Bounce reasons (sisimai's names) with the status and reply text of a typical example. */
const REASONS: [string, string, string][] = [
  ['userunknown', '5.1.1', '550 5.1.1 The email account that you tried to reach does not exist'],
  ['mailboxfull', '5.2.2', '552 5.2.2 The recipient mailbox is full'],
  ['blocked', '5.7.1', '554 5.7.1 Service unavailable; client host blocked using a blocklist'],
  ['spamdetected', '5.7.1', '550 5.7.1 Message rejected as spam by content filtering'],
  ['authfailure', '5.7.26', '550 5.7.26 Unauthenticated email is not accepted: DMARC policy'],
  ['hostunknown', '5.1.2', '550 5.1.2 Host unknown: the domain has no mail server'],
  ['ratelimited', '4.7.0', '421 4.7.0 Too many messages from this IP address; try later'],
  ['expired', '4.4.7', '4.4.7 Delivery time expired'],
  ['norelaying', '5.7.1', '550 5.7.1 Relaying denied'],
  ['policyviolation', '5.7.1', '550 5.7.1 Message refused by local policy'],
];

export function buildDatabase(db: Database, options: BuildOptions): BuildResult {
  const start = performance.now();
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -262144');
  migrate(db, migrations.slice(0, 6));

  const next = random(20261204);
  // 40% of the accounts send by default, 35% by smtp and 25% by mandrill.
  const accountMethods = Array.from({ length: options.accounts }, (_, i): Method => {
    const share = i / options.accounts;
    if (share < 0.4) return 'default';
    if (share < 0.75) return 'smtp';
    return 'mandrill';
  });
  const insertAccount = db.prepare(`INSERT INTO accounts
    (id, name, sending_address, method, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    accountMethods.forEach((method, i) => {
      const begin = options.end - options.days * DAY_MS;
      insertAccount.run(
        i + 1,
        `Account ${i + 1}`,
        `office@a${i + 1}.example`,
        method,
        begin,
        begin,
      );
    });
  })();

  // Account sizes and recipient domains both follow a Zipf-like law: a few send or receive most.
  const pickAccount = weighted(
    accountMethods.map((_, i) => 1 / Math.pow(i + 1, 0.8)),
    next,
  );
  const pickDomain = weighted(
    Array.from({ length: options.domains }, (_, i) => 1 / (i + 1)),
    next,
  );
  const pickState = Object.fromEntries(
    METHODS.map((m) => [
      m,
      weighted(
        STATE_MIX[m].map(([, share]) => share),
        next,
      ),
    ]),
  ) as Record<Method, () => number>;
  // Shuffle which account is the largest, so that size does not follow the account's method.
  const accountOrder = accountMethods.map((_, i) => i + 1);
  for (let i = accountOrder.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [accountOrder[i], accountOrder[j]] = [accountOrder[j] as number, accountOrder[i] as number];
  }

  const insertSend = db.prepare(`INSERT INTO sends
    (id, account_id, message_id, method, kind, header_from, recipient, subject, state,
     provider_id, opens, clicks, complaints, reason, status_code, detail, created_at, updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  // A few reasons explain most failures, as in real bounce logs.
  const pickReason = weighted(
    REASONS.map((_, i) => 1 / (i + 1)),
    next,
  );
  const insertEvent = db.prepare(`INSERT INTO events
    (send_id, account_id, type, source, occurred_at, recorded_at, state_before, state_after,
     dedup_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);

  const perAccount = new Map<number, number>();
  const periodStart = options.end - options.days * DAY_MS;
  const step = (options.days * DAY_MS) / options.sends;
  let events = 0;
  for (let first = 0; first < options.sends; first += ROWS_PER_TRANSACTION) {
    const last = Math.min(options.sends, first + ROWS_PER_TRANSACTION);
    db.transaction(() => {
      for (let i = first; i < last; i += 1) {
        const id = i + 1;
        const accountId = accountOrder[pickAccount()] as number;
        perAccount.set(accountId, (perAccount.get(accountId) ?? 0) + 1);
        const method = accountMethods[accountId - 1] as Method;
        const state = STATE_MIX[method][pickState[method]()]?.[0] as SendState;
        const createdAt = Math.floor(periodStart + i * step);
        const hex = id.toString(16).padStart(8, '0');
        // Only Mandrill tracks opens: 35% of its delivered sends are opened, 8% clicked.
        const tracked = method === 'mandrill' && state === 'delivered';
        const opened = tracked && next() < 0.35;
        const clicked = opened && next() < 0.23;
        const complained = tracked && next() < 0.001;
        const reason = FAILED_STATES.has(state) ? REASONS[pickReason()] : undefined;
        insertSend.run(
          id,
          accountId,
          `m${hex}@a${accountId}.example`,
          method,
          next() < 0.7 ? 'automated' : 'manual',
          `office@a${accountId}.example`,
          `guest${hex}@mail${pickDomain()}.example`,
          'Your booking',
          state,
          method === 'mandrill' ? `p${hex}` : null,
          opened ? 1 + Math.floor(next() * 3) : 0,
          clicked ? 1 : 0,
          complained ? 1 : 0,
          reason?.[0] ?? null,
          reason?.[1] ?? null,
          reason?.[2] ?? null,
          createdAt,
          createdAt + 60_000,
        );
        // Three events a send: the hand-off, the outcome, and an open or a delivery attempt.
        const source = method === 'mandrill' ? 'mandrill-webhook' : 'smtp';
        insertEvent.run(
          id,
          accountId,
          'accepted',
          source,
          createdAt,
          createdAt,
          'queued',
          'accepted',
          `b:${hex}:0`,
        );
        insertEvent.run(
          id,
          accountId,
          'deferred',
          source,
          createdAt + 30_000,
          createdAt + 30_000,
          'accepted',
          'accepted',
          `b:${hex}:1`,
        );
        insertEvent.run(
          id,
          accountId,
          state,
          source,
          createdAt + 60_000,
          createdAt + 60_000,
          'accepted',
          state,
          `b:${hex}:2`,
        );
        events += 3;
      }
    })();
    const seconds = (performance.now() - start) / 1000;
    if (seconds > options.maxSeconds) {
      throw new Error(
        `The build ran over BENCH_REPORT_BUILD_SECONDS=${options.maxSeconds} after ${last} sends; ` +
          'set a smaller BENCH_REPORT_SENDS or a larger limit.',
      );
    }
    if (last % 1_000_000 === 0) console.log(`  ${last} sends built in ${seconds.toFixed(0)} s`);
  }
  let largestAccount = { id: 0, sends: 0 };
  for (const [id, sends] of perAccount) {
    if (sends > largestAccount.sends) largestAccount = { id, sends };
  }
  return {
    sends: options.sends,
    events,
    seconds: (performance.now() - start) / 1000,
    largestAccount,
  };
}
