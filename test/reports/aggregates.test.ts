import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, type Method, type SendState, type Store } from '../../db/index.js';
import { migrate } from '../../db/migrate.js';
import { migrations } from '../../db/migrations/index.js';
import { breakdownQueries } from '../../db/breakdowns.js';
import { scanBreakdownQueries } from '../../db/breakdowns-scan.js';
import { reportQueries } from '../../db/reports.js';
import { scanReportQueries } from '../../db/reports-scan.js';
import { recordEvent, recordEvents, type EventInput } from '../../server/events/record.js';
import { ALL_STATES } from '../../server/events/states.js';
import { fc } from '../support/fast-check.js';
import { makeTempDir } from '../support/server.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// 23:00 UTC, so that the six hours of sends span two UTC days.
const T0 = Date.UTC(2026, 10, 30, 23);
const METHODS: Method[] = ['default', 'smtp', 'mandrill'];
const DOMAINS = ['guests.example', 'Mail.Example', 'inbox.example'];
const CREATED_STATES: SendState[] = ['queued', 'accepted', 'rejected', 'failed'];
const EVENT_STATES: SendState[] = [
  'accepted',
  'delivered',
  'deferred',
  'soft_bounced',
  'bounced',
  'rejected',
  'unknown',
];

const REASONS = ['userunknown', 'blocked', 'MailboxFull', null];

const creation = fc.record({
  op: fc.constant('create' as const),
  account: fc.integer({ min: 0, max: 1 }),
  method: fc.constantFrom(...METHODS),
  domain: fc.integer({ min: 0, max: DOMAINS.length - 1 }),
  state: fc.constantFrom(...CREATED_STATES),
  // Over three weeks, so that the breakdowns read whole weeks and days from their tables.
  offset: fc.integer({ min: 0, max: 21 * DAY - 1 }),
  opensTracked: fc.boolean(),
  clicksTracked: fc.boolean(),
});
const event = fc.record({
  op: fc.constant('event' as const),
  send: fc.nat(),
  kind: fc.constantFrom('state', 'open', 'click', 'complaint', 'unsubscribe'),
  state: fc.constantFrom(...EVENT_STATES),
  reason: fc.constantFrom(...REASONS),
  // A small key space, so that repeated events (dedup) occur.
  key: fc.integer({ min: 0, max: 6 }),
});
/** Where each batch of events ends: recordEvent one at a time, or recordEvents. */
const flush = fc.record({ op: fc.constant('flush' as const), batched: fc.boolean() });
const operations = fc.array(fc.oneof(creation, event, event, flush), { maxLength: 60 });
type Operation =
  typeof creation extends fc.Arbitrary<infer C>
    ? | C
      | (typeof event extends fc.Arbitrary<infer E> ? E : never)
      | { op: 'flush'; batched: boolean }
    : never;

interface Fixture {
  file: string;
  store: Store;
  accountIds: number[];
}

function fixture(): Fixture {
  const file = path.join(makeTempDir('aggregates-'), 'reports.sqlite');
  const store = openStore(file);
  const accountIds = ['A', 'B'].map(
    (name) =>
      store.accounts.create(
        { name, sendingAddress: 'a@a.example', replyTo: null, method: 'smtp', settings: {} },
        T0,
      ).id,
  );
  return { file, store, accountIds };
}

function toInput(
  operation: Extract<Operation, { op: 'event' }>,
  sendId: number,
  accountId: number,
  index: number,
): EventInput {
  const base = {
    sendId,
    accountId,
    source: 'mandrill-webhook' as const,
    occurredAt: T0 + index,
    dedupKey: `k:${sendId}:${operation.kind}:${operation.key}`,
  };
  if (operation.kind === 'state') {
    return {
      ...base,
      type: operation.state,
      state: operation.state,
      patch: {
        addOpens: operation.key % 2,
        ...(operation.reason === null ? {} : { reason: operation.reason }),
      },
    };
  }
  const counters = {
    open: { addOpens: 1 },
    click: { addClicks: 1 },
    complaint: { addComplaints: 1 },
    unsubscribe: { addUnsubscribes: 1 },
  };
  const kind = operation.kind as keyof typeof counters;
  return { ...base, type: kind, patch: counters[kind] };
}

/** Creates the sends and records the events, through recordEvent or recordEvents per batch. */
function apply(fx: Fixture, ops: Operation[]): void {
  const sends: { id: number; accountId: number }[] = [];
  let pending: EventInput[] = [];
  const record = (batched: boolean): void => {
    if (batched) fx.store.transaction(() => recordEvents(fx.store, pending, T0 + DAY));
    else for (const input of pending) recordEvent(fx.store, input, T0 + DAY);
    pending = [];
  };
  ops.forEach((op, index) => {
    if (op.op === 'create') {
      const accountId = fx.accountIds[op.account] as number;
      const send = fx.store.sends.create({
        accountId,
        messageId: `m${index}@a.example`,
        method: op.method,
        kind: 'manual',
        headerFrom: 'a@a.example',
        replyTo: null,
        envelopeFrom: null,
        recipient: `guest${index}@${DOMAINS[op.domain]}`,
        subject: null,
        state: op.state,
        opensTracked: op.opensTracked,
        clicksTracked: op.clicksTracked,
        createdAt: T0 + op.offset,
      });
      sends.push({ id: send.id, accountId });
    } else if (op.op === 'event') {
      const send = sends[op.send % Math.max(1, sends.length)];
      if (send) pending.push(toInput(op, send.id, send.accountId, index));
    } else {
      record(op.batched);
    }
  });
  record(false);
}

const hourOf = (time: number) => Math.floor(time / HOUR) * HOUR;
const dayOf = (time: number) => Math.floor(time / DAY) * DAY;
// Weeks count from the Unix epoch, as the week tables count them.
const weekOf = (time: number) => Math.floor(time / (7 * DAY)) * 7 * DAY;
const domainOf = (send: SendRow) => (send.recipient.split('@')[1] as string).toLowerCase();

/**
 * The key columns of each aggregate table, computed from a send, or null for a send the table
 * leaves out.
 */
const TABLE_KEYS: Record<string, (send: SendRow) => Record<string, number | string> | null> = {
  report_hours: (send) => ({
    account_id: send.account_id,
    bucket_start: hourOf(send.created_at),
    method: send.method,
    recipient_domain: domainOf(send),
  }),
  report_account_hours: (send) => ({
    account_id: send.account_id,
    bucket_start: hourOf(send.created_at),
    method: send.method,
  }),
  report_platform_hours: (send) => ({
    bucket_start: hourOf(send.created_at),
    method: send.method,
  }),
  report_domain_hours: (send) => ({
    bucket_start: hourOf(send.created_at),
    method: send.method,
    recipient_domain: domainOf(send),
  }),
  report_account_days: (send) => ({
    account_id: send.account_id,
    bucket_start: dayOf(send.created_at),
    method: send.method,
  }),
  report_account_domain_days: (send) => ({
    account_id: send.account_id,
    bucket_start: dayOf(send.created_at),
    method: send.method,
    recipient_domain: domainOf(send),
  }),
  report_account_weeks: (send) => ({
    account_id: send.account_id,
    bucket_start: weekOf(send.created_at),
    method: send.method,
  }),
  report_domain_weeks: (send) => ({
    bucket_start: weekOf(send.created_at),
    method: send.method,
    recipient_domain: domainOf(send),
  }),
  report_domain_days: (send) => ({
    bucket_start: dayOf(send.created_at),
    method: send.method,
    recipient_domain: domainOf(send),
  }),
  report_account_reason_days: (send) =>
    send.reason === null
      ? null
      : {
          account_id: send.account_id,
          bucket_start: dayOf(send.created_at),
          method: send.method,
          reason: send.reason,
        },
  report_reason_days: (send) =>
    send.reason === null
      ? null
      : { bucket_start: dayOf(send.created_at), method: send.method, reason: send.reason },
};
const COUNTS = [
  ...ALL_STATES,
  'opened',
  'clicked',
  'complained',
  'unsubscribed',
  'open_tracked_delivered',
  'open_tracked_opened',
  'click_tracked_delivered',
  'click_tracked_clicked',
];

interface SendRow {
  account_id: number;
  created_at: number;
  method: string;
  recipient: string;
  state: string;
  opens: number;
  clicks: number;
  complaints: number;
  reason: string | null;
  unsubscribes: number;
  opens_tracked: number;
  clicks_tracked: number;
}

type AggregateRow = Record<string, number | string>;

/** Reads the rows of an aggregate table that have a nonzero count. */
function aggregateRows(db: Database.Database, table: string): AggregateRow[] {
  const rows = db.prepare(`SELECT * FROM ${table}`).all() as AggregateRow[];
  return rows.filter((row) => COUNTS.some((count) => row[count] !== 0));
}

/** Groups the sends table into the rows of an aggregate table, in JavaScript. */
function expectedRows(db: Database.Database, table: string): AggregateRow[] {
  const keyOf = TABLE_KEYS[table] as (send: SendRow) => AggregateRow | null;
  const groups = new Map<string, AggregateRow>();
  for (const send of db.prepare('SELECT * FROM sends').all() as SendRow[]) {
    const keys = keyOf(send);
    if (keys === null) continue;
    const id = JSON.stringify(keys);
    let row = groups.get(id);
    if (!row) {
      row = { ...keys, ...Object.fromEntries(COUNTS.map((count) => [count, 0])) };
      groups.set(id, row);
    }
    (row[send.state] as number) += 1;
    (row.opened as number) += send.opens > 0 ? 1 : 0;
    (row.clicked as number) += send.clicks > 0 ? 1 : 0;
    (row.complained as number) += send.complaints > 0 ? 1 : 0;
    (row.unsubscribed as number) += send.unsubscribes > 0 ? 1 : 0;
    const delivered = ['accepted', 'delivered'].includes(send.state);
    const opensSeen = delivered && send.opens_tracked === 1;
    const clicksSeen = delivered && send.clicks_tracked === 1;
    (row.open_tracked_delivered as number) += opensSeen ? 1 : 0;
    (row.open_tracked_opened as number) += opensSeen && send.opens > 0 ? 1 : 0;
    (row.click_tracked_delivered as number) += clicksSeen ? 1 : 0;
    (row.click_tracked_clicked as number) += clicksSeen && send.clicks > 0 ? 1 : 0;
  }
  return [...groups.values()];
}

/** Sorts rows by their JSON text, so that two lists of the same rows compare equal. */
function sorted<T>(rows: T[]): T[] {
  const keyed = rows.map((row) => ({ key: JSON.stringify(row), row }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : 1));
  return keyed.map(({ row }) => row);
}

function assertAggregatesMatchSends(db: Database.Database): void {
  for (const table of Object.keys(TABLE_KEYS)) {
    assert.deepEqual(sorted(aggregateRows(db, table)), sorted(expectedRows(db, table)), table);
  }
}

const storedSend = fc.record({
  account: fc.integer({ min: 1, max: 2 }),
  method: fc.constantFrom(...METHODS),
  domain: fc.integer({ min: 0, max: DOMAINS.length - 1 }),
  state: fc.constantFrom(...ALL_STATES),
  reason: fc.constantFrom(...REASONS),
  opens: fc.integer({ min: 0, max: 2 }),
  clicks: fc.integer({ min: 0, max: 1 }),
  complaints: fc.integer({ min: 0, max: 1 }),
  offset: fc.integer({ min: 0, max: 3 * DAY }),
});

/** The account scope a generated period names: everyone, one account, both, or none. */
function scopeNamed(name: string, fx: Fixture): number[] | undefined {
  if (name === 'first') return [fx.accountIds[0] as number];
  if (name === 'both') return fx.accountIds;
  if (name === 'none') return [];
  return undefined;
}

/** Writes sends into a database at schema version 6, before the report tables existed. */
function databaseBeforeReports(
  sends: (typeof storedSend extends fc.Arbitrary<infer S> ? S : never)[],
) {
  const file = path.join(makeTempDir('aggregates-'), 'old.sqlite');
  const db = new Database(file);
  migrate(
    db,
    migrations.filter((migration) => migration.version <= 6),
  );
  db.exec(`INSERT INTO accounts (id, name, sending_address, method, created_at, updated_at)
    VALUES (1, 'A', 'a@a.example', 'smtp', 0, 0), (2, 'B', 'b@b.example', 'smtp', 0, 0)`);
  const insert = db.prepare(`INSERT INTO sends (account_id, message_id, method, kind, header_from,
      recipient, state, reason, opens, clicks, complaints, created_at, updated_at)
    VALUES (?, ?, ?, 'manual', 'a@a.example', ?, ?, ?, ?, ?, ?, ?, ?)`);
  sends.forEach((send, i) => {
    const createdAt = T0 + send.offset;
    insert.run(
      send.account,
      `m${i}@a.example`,
      send.method,
      `guest${i}@${DOMAINS[send.domain]}`,
      send.state,
      send.reason,
      send.opens,
      send.clicks,
      send.complaints,
      createdAt,
      createdAt,
    );
  });
  return db;
}

describe('report aggregates', () => {
  it('are backfilled by the migrations', () => {
    fc.assert(
      fc.property(fc.array(storedSend, { maxLength: 40 }), (sends) => {
        const db = databaseBeforeReports(sends);
        try {
          const applied = migrate(db);
          assert.deepEqual(
            applied,
            migrations.filter((m) => m.version > 6).map((m) => m.version),
          );
          assertAggregatesMatchSends(db);
        } finally {
          db.close();
        }
      }),
      { numRuns: 30 },
    );
  });

  it('are rebuilt from the sends on request', () => {
    fc.assert(
      fc.property(operations, (ops) => {
        const fx = fixture();
        const db = new Database(fx.file);
        try {
          apply(fx, ops);
          // Rows gone wrong: one changed, one deleted, as a write outside the store leaves them.
          db.exec(`UPDATE report_platform_hours SET delivered = delivered + 7;
            DELETE FROM report_hours WHERE (account_id, bucket_start, method, recipient_domain)
              IN (SELECT account_id, bucket_start, method, recipient_domain FROM report_hours LIMIT 1)`);
          const rebuilt = fx.store.reports.rebuild();
          assert.equal(rebuilt.sends, db.prepare('SELECT COUNT(*) FROM sends').pluck().get());
          assertAggregatesMatchSends(db);
        } finally {
          db.close();
          fx.store.close();
        }
      }),
      { numRuns: 20 },
    );
  });

  it('equal a GROUP BY over sends', () => {
    fc.assert(
      fc.property(operations, (ops) => {
        const fx = fixture();
        const db = new Database(fx.file);
        try {
          apply(fx, ops);
          assertAggregatesMatchSends(db);
          fx.store.reports.rebuild();
          assertAggregatesMatchSends(db);
        } finally {
          db.close();
          fx.store.close();
        }
      }),
      { numRuns: 60 },
    );
  });

  it('give the reports of a scan', () => {
    const period = fc.record({
      from: fc.integer({ min: -HOUR, max: 7 * HOUR }),
      length: fc.integer({ min: 0, max: 8 * HOUR }),
      bucket: fc.constantFrom(HOUR, DAY),
      scope: fc.constantFrom('all', 'first', 'both', 'none'),
    });
    fc.assert(
      fc.property(operations, fc.array(period, { minLength: 1, maxLength: 5 }), (ops, periods) => {
        const fx = fixture();
        const db = new Database(fx.file);
        try {
          apply(fx, ops);
          const aggregates = reportQueries(db);
          const scans = scanReportQueries(db);
          const byMethod = (a: { method: string }, b: { method: string }) =>
            a.method.localeCompare(b.method);
          for (const p of periods) {
            const scope = scopeNamed(p.scope, fx);
            const from = T0 + p.from;
            const to = from + p.length;
            assert.deepEqual(
              aggregates.countsByMethod(from, to, scope).sort(byMethod),
              scans.countsByMethod(from, to, scope).sort(byMethod),
            );
            const byBucket = (
              a: { bucketStart: number; method: string },
              b: { bucketStart: number; method: string },
            ) => a.bucketStart - b.bucketStart || byMethod(a, b);
            assert.deepEqual(
              aggregates.countsByMethodAndBucket(from, to, p.bucket, scope).sort(byBucket),
              scans.countsByMethodAndBucket(from, to, p.bucket, scope).sort(byBucket),
            );
          }
        } finally {
          db.close();
          fx.store.close();
        }
      }),
      { numRuns: 40 },
    );
  });

  it('give the breakdowns of a scan', () => {
    const period = fc.record({
      from: fc.integer({ min: -DAY, max: 21 * DAY }),
      length: fc.integer({ min: 0, max: 21 * DAY }),
      scope: fc.constantFrom('all', 'first', 'both', 'none'),
    });
    fc.assert(
      fc.property(operations, fc.array(period, { minLength: 1, maxLength: 4 }), (ops, periods) => {
        const fx = fixture();
        const db = new Database(fx.file);
        try {
          apply(fx, ops);
          const aggregates = breakdownQueries(db);
          const scans = scanBreakdownQueries(db);
          const byKey = (a: { key: string; method: string }, b: { key: string; method: string }) =>
            `${a.method}:${a.key}`.localeCompare(`${b.method}:${b.key}`);
          for (const p of periods) {
            const scope = scopeNamed(p.scope, fx);
            const from = T0 + p.from;
            const to = from + p.length;
            const fast = aggregates.byDomainAndAccount(from, to, scope);
            const slow = scans.byDomainAndAccount(from, to, scope);
            assert.deepEqual(
              fast.byRecipientDomain.sort(byKey),
              slow.byRecipientDomain.sort(byKey),
            );
            assert.deepEqual(fast.byAccount.sort(byKey), slow.byAccount.sort(byKey));
            assert.deepEqual(
              aggregates.topReasons(from, to, scope, 10),
              scans.topReasons(from, to, scope, 10),
            );
          }
        } finally {
          db.close();
          fx.store.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
