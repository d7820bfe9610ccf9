import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, type Method, type SendState, type Store } from '../../db/index.js';
import { migrate } from '../../db/migrate.js';
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

const creation = fc.record({
  op: fc.constant('create' as const),
  account: fc.integer({ min: 0, max: 1 }),
  method: fc.constantFrom(...METHODS),
  domain: fc.integer({ min: 0, max: DOMAINS.length - 1 }),
  state: fc.constantFrom(...CREATED_STATES),
  offset: fc.integer({ min: 0, max: 6 * HOUR - 1 }),
});
const event = fc.record({
  op: fc.constant('event' as const),
  send: fc.nat(),
  kind: fc.constantFrom('state', 'open', 'click', 'complaint'),
  state: fc.constantFrom(...EVENT_STATES),
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
      patch: { addOpens: operation.key % 2 },
    };
  }
  const counters = {
    open: { addOpens: 1 },
    click: { addClicks: 1 },
    complaint: { addComplaints: 1 },
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

/** The key columns of each aggregate table, computed from a send. */
const TABLE_KEYS: Record<string, (send: SendRow) => Record<string, number | string>> = {
  report_hours: (send) => ({
    account_id: send.account_id,
    bucket_start: Math.floor(send.created_at / HOUR) * HOUR,
    method: send.method,
    recipient_domain: (send.recipient.split('@')[1] as string).toLowerCase(),
  }),
  report_account_hours: (send) => ({
    account_id: send.account_id,
    bucket_start: Math.floor(send.created_at / HOUR) * HOUR,
    method: send.method,
  }),
  report_platform_hours: (send) => ({
    bucket_start: Math.floor(send.created_at / HOUR) * HOUR,
    method: send.method,
  }),
};
const COUNTS = [...ALL_STATES, 'opened', 'clicked', 'complained'];

interface SendRow {
  account_id: number;
  created_at: number;
  method: string;
  recipient: string;
  state: string;
  opens: number;
  clicks: number;
  complaints: number;
}

type AggregateRow = Record<string, number | string>;

/** Reads the rows of an aggregate table that have a nonzero count. */
function aggregateRows(db: Database.Database, table: string): AggregateRow[] {
  const rows = db.prepare(`SELECT * FROM ${table}`).all() as AggregateRow[];
  return rows.filter((row) => COUNTS.some((count) => row[count] !== 0));
}

/** Groups the sends table into the rows of an aggregate table, in JavaScript. */
function expectedRows(db: Database.Database, table: string): AggregateRow[] {
  const keyOf = TABLE_KEYS[table] as (send: SendRow) => AggregateRow;
  const groups = new Map<string, AggregateRow>();
  for (const send of db.prepare('SELECT * FROM sends').all() as SendRow[]) {
    const keys = keyOf(send);
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

/** Drops the aggregates and applies migrations 7 and 8 again, so the backfill rebuilds them. */
function backfillAgain(db: Database.Database): void {
  db.exec(`DROP TRIGGER sends_report_delete;
    DROP TABLE report_hours; DROP TABLE report_account_hours; DROP TABLE report_platform_hours;
    DELETE FROM schema_migrations WHERE version IN (7, 8)`);
  assert.deepEqual(migrate(db), [7, 8]);
}

describe('report aggregates', () => {
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
          backfillAgain(db);
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
            const scopes = {
              all: undefined,
              first: [fx.accountIds[0] as number],
              both: fx.accountIds,
              none: [],
            };
            const scope = scopes[p.scope as keyof typeof scopes];
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
});
