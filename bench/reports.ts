/**
 * Measures the dashboard's report calls on a large database. Each call runs as the product
 * makes it, reading the report rows, and beside it the same call computed by GROUP BY over
 * the sends (the reports before the aggregates), interleaved in the same run. Builds the
 * database first (bench/reports-build.ts) and fills the report rows with the backfills of
 * migrations 7 and 9. Prints the build and backfill times and, per call, the median and p95
 * of both. The scans take seconds each at 10 million sends, so they run fewer times.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openStore } from '../db/index.js';
import { migrate } from '../db/migrate.js';
import { REPORT_TABLES } from '../db/migrations/report-sql.js';
import { scanBreakdownQueries } from '../db/breakdowns-scan.js';
import { scanReportQueries } from '../db/reports-scan.js';
import type { AccountScope, Store } from '../db/types.js';
import { breakdowns } from '../server/reports/breakdowns.js';
import { methodSeries, methodSummary } from '../server/reports/summary.js';
import { makeTempDir } from '../test/support/server.js';
import { buildDatabase } from './reports-build.js';

const SENDS = Number(process.env.BENCH_REPORT_SENDS ?? 10_000_000);
const RUNS = Number(process.env.BENCH_REPORT_RUNS ?? 20);
const SCAN_RUNS = Math.min(RUNS, Number(process.env.BENCH_REPORT_SCAN_RUNS ?? 5));
const BUILD_SECONDS = Number(process.env.BENCH_REPORT_BUILD_SECONDS ?? 3600);
// Not on the hour, so that every period has partial hours at both ends.
const NOW = Date.UTC(2026, 11, 4, 12, 34, 56, 789);

interface View {
  name: string;
  call(store: Store, scope: AccountScope): unknown;
}

const VIEWS: View[] = [
  ...[7, 30, 90].map((days) => ({
    name: `summary ${days} days`,
    call: (store: Store, scope: AccountScope) => methodSummary(store, { days }, NOW, scope),
  })),
  ...[30, 90].map((days) => ({
    name: `series ${days} days by day`,
    call: (store: Store, scope: AccountScope) =>
      methodSeries(store, { days, bucket: 'day' }, NOW, scope),
  })),
  ...[7, 30].map((days) => ({
    name: `series ${days} days by hour`,
    call: (store: Store, scope: AccountScope) =>
      methodSeries(store, { days, bucket: 'hour' }, NOW, scope),
  })),
  ...[7, 30, 90].map((days) => ({
    name: `breakdowns ${days} days`,
    call: (store: Store, scope: AccountScope) => breakdowns(store, { days }, NOW, scope),
  })),
];

/**
 * The message log's searches (GET /api/sends, `store.sends.search`), first page of 50, aim
 * 100 ms p95. They read `sends` in both columns (there is no aggregate to compare with), so
 * their "scan" figures are a second timing of the same query. `sample` is a send picked from
 * the built database, so the exact lookups find something.
 */
function messageLogViews(sample: { recipient: string; messageId: string }): View[] {
  const search = (filters: Record<string, unknown>) => (store: Store, scope: AccountScope) =>
    store.sends.search({ limit: 50, scope, ...filters });
  return [
    { name: 'log: newest page', call: search({}) },
    { name: 'log: one recipient', call: search({ recipient: sample.recipient }) },
    { name: 'log: one Message-ID', call: search({ messageId: sample.messageId }) },
    { name: 'log: rarest recipient domain', call: search({ recipientDomain: 'mail49.example' }) },
    { name: 'log: state bounced', call: search({ state: 'bounced' }) },
    { name: 'log: ever soft_bounced', call: search({ everState: 'soft_bounced' }) },
    {
      name: 'log: smtp, last 7 days',
      call: search({ method: 'smtp', from: NOW - 7 * 86_400_000, to: NOW }),
    },
  ];
}

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? 0;
}

function timeOnce(fn: () => unknown): { ms: number; result: unknown } {
  const start = performance.now();
  const result = fn();
  return { ms: performance.now() - start, result };
}

const dir = makeTempDir('bench-reports-');
const file = path.join(dir, 'reports.sqlite');
console.log(`building ${SENDS} sends and ${SENDS * 3} events in ${file}`);
const raw = new Database(file);
const built = buildDatabase(raw, {
  sends: SENDS,
  accounts: 200,
  domains: 50,
  days: 90,
  end: NOW,
  maxSeconds: BUILD_SECONDS,
});
console.log(
  `build: ${built.seconds.toFixed(0)} s for ${built.sends} sends and ${built.events} events`,
);
const backfillStart = performance.now();
migrate(raw);
const backfillSeconds = (performance.now() - backfillStart) / 1000;
const count = (table: string) =>
  (raw.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const tables = REPORT_TABLES.map((table) => `${table.name} ${count(table.name)}`);
console.log(`backfill of migrations 7 to 9: ${backfillSeconds.toFixed(1)} s; rows:`);
console.log(`  ${tables.join(', ')}`);
const sample = raw
  .prepare('SELECT recipient, message_id AS messageId FROM sends WHERE id = ?')
  .get(Math.ceil(built.sends / 2)) as { recipient: string; messageId: string };
raw.pragma('journal_mode = WAL');
raw.exec('ANALYZE');
raw.close();
console.log(`database file: ${(fs.statSync(file).size / 1e9).toFixed(2)} GB`);

const store = openStore(file);
const scanDb = new Database(file, { readonly: true });
const scanStore: Store = {
  ...store,
  reports: { ...scanReportQueries(scanDb), rebuild: store.reports.rebuild },
  breakdowns: scanBreakdownQueries(scanDb),
};
const { id: accountId, sends: accountSends } = built.largestAccount;
const scopes: { name: string; scope: AccountScope }[] = [
  { name: 'all accounts', scope: undefined },
  { name: `account ${accountId} (${accountSends} sends, the largest)`, scope: [accountId] },
];

console.log(`\n${RUNS} runs per call, the first ${SCAN_RUNS} interleaved with the scan (ms)`);
console.log(
  'call | scope | aggregates median | p95 | scan median | p95 | scan/aggregates (medians)',
);
for (const view of [...VIEWS, ...messageLogViews(sample)]) {
  for (const { name, scope } of scopes) {
    const aggregate: number[] = [];
    const scan: number[] = [];
    for (let run = 0; run < RUNS; run += 1) {
      const fast = timeOnce(() => view.call(store, scope));
      aggregate.push(fast.ms);
      if (run >= SCAN_RUNS) continue;
      const slow = timeOnce(() => view.call(scanStore, scope));
      if (run === 0) assert.deepEqual(fast.result, slow.result, `${view.name}, ${name}`);
      scan.push(slow.ms);
    }
    aggregate.sort((a, b) => a - b);
    scan.sort((a, b) => a - b);
    const medianAggregate = percentile(aggregate, 0.5);
    const medianScan = percentile(scan, 0.5);
    console.log(
      [
        view.name,
        name,
        medianAggregate.toFixed(1),
        percentile(aggregate, 0.95).toFixed(1),
        medianScan.toFixed(1),
        percentile(scan, 0.95).toFixed(1),
        (medianScan / medianAggregate).toFixed(0),
      ].join(' | '),
    );
  }
}
scanDb.close();
store.close();
fs.rmSync(dir, { recursive: true, force: true });
