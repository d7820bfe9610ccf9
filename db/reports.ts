import type { Database } from 'better-sqlite3';
import { REPORT_STATES } from './migrations/report-sql.js';
import { HOUR_MS, splitAt } from './period-parts.js';
import { addEntryCounts, emptyEntryCounts, ENTRY_COUNTS } from './report-entry.js';
import { foldByBucket, foldByMethod, sendScans } from './reports-scan.js';
import { scopeParams } from './scope.js';
import type {
  AccountScope,
  Method,
  MethodBucketCounts,
  MethodCounts,
  ReportQueries,
  SendState,
} from './types.js';

/** A summed aggregate row: the method, the bucket, one count per state, then the other counts. */
type AggregateRow = [Method, number, ...number[]];

/** Turns summed aggregate rows into entries, leaving out states and entries with no sends. */
function toEntries(rows: AggregateRow[]): MethodBucketCounts[] {
  const entries: MethodBucketCounts[] = [];
  const first = REPORT_STATES.length + 2;
  for (const row of rows) {
    const counts: MethodCounts['counts'] = {};
    let total = 0;
    REPORT_STATES.forEach((state, i) => {
      const sends = row[i + 2] as number;
      if (sends !== 0) counts[state] = sends;
      total += sends;
    });
    if (total === 0) continue;
    const entry: MethodBucketCounts = {
      method: row[0],
      bucketStart: row[1],
      counts,
      ...emptyEntryCounts(),
    };
    ENTRY_COUNTS.forEach(([field], i) => (entry[field] = row[first + i] as number));
    entries.push(entry);
  }
  return entries;
}

/** Adds the entries counted from the sends at the ends of the period to those of the hours. */
function merge<T extends MethodCounts>(entries: T[], extra: T[], keyOf: (entry: T) => string): T[] {
  const byKey = new Map(entries.map((entry) => [keyOf(entry), entry]));
  for (const entry of extra) {
    const into = byKey.get(keyOf(entry));
    if (!into) {
      byKey.set(keyOf(entry), entry);
      continue;
    }
    for (const [state, sends] of Object.entries(entry.counts) as [SendState, number][]) {
      into.counts[state] = (into.counts[state] ?? 0) + sends;
    }
    addEntryCounts(into, entry);
  }
  return [...byKey.values()];
}

const COUNTS = [...REPORT_STATES, ...ENTRY_COUNTS.map(([, column]) => column)];
const COLUMNS = COUNTS.join(', ');
const SUMS = COUNTS.map((count) => `SUM(${count})`).join(', ');
// The account filter of a scope, written so that SQLite looks each account up in the primary key.
const IN_SCOPE = 'account_id IN (SELECT value FROM json_each(@accountIds))';
// better-sqlite3 binds JS numbers as REAL, and REAL division would not truncate to the bucket.
const BUCKET = '(bucket_start / CAST(@bucket AS INTEGER)) * @bucket';

/**
 * Reports from the hour aggregates, which db/send-writes.ts keeps up to date.
 * A period rarely starts and ends on the hour, so the whole hours inside it are read from the
 * aggregates and the minutes at either end are counted from the sends. The counts are the same
 * as those of a scan of the whole period. Reports with no account scope read the platform-wide
 * rows; scoped ones read the rows of the accounts in the scope.
 */
export function reportQueries(db: Database): ReportQueries {
  const scans = sendScans(db);
  const statement = (table: string, filter: string, bucket: string | null) =>
    db
      .prepare(
        bucket === null
          ? `SELECT method, bucket_start, ${COLUMNS} FROM ${table}
            WHERE ${filter} bucket_start >= @from AND bucket_start < @to`
          : `SELECT method, ${bucket}, ${SUMS} FROM ${table}
            WHERE ${filter} bucket_start >= @from AND bucket_start < @to GROUP BY 1, 2`,
      )
      .raw();
  const scoped = `${IN_SCOPE} AND`;
  // Each table has one row per hour and method (and account), so hour buckets need no grouping.
  const statements = {
    platform: {
      total: statement('report_platform_hours', '', '0'),
      hour: statement('report_platform_hours', '', null),
      bucket: statement('report_platform_hours', '', BUCKET),
    },
    scoped: {
      total: statement('report_account_hours', scoped, '0'),
      hour: statement('report_account_hours', scoped, `bucket_start`),
      bucket: statement('report_account_hours', scoped, BUCKET),
    },
  };

  /** Reads the aggregates of [from, to), which must start and end on the hour. */
  const hourEntries = (from: number, to: number, bucket: number | null, scope: AccountScope) => {
    let kind: 'total' | 'hour' | 'bucket' = 'bucket';
    if (bucket === null) kind = 'total';
    else if (bucket === HOUR_MS) kind = 'hour';
    const params = {
      from,
      to,
      ...(kind === 'bucket' ? { bucket } : {}),
      ...(scope === undefined ? {} : { accountIds: scopeParams(scope).accountIds }),
    };
    const rows = statements[scope === undefined ? 'platform' : 'scoped'][kind].all(params);
    return toEntries(rows as AggregateRow[]);
  };

  return {
    countsByMethod(from, to, scope) {
      const { whole: hours, rest: edges } = splitAt(from, to, HOUR_MS);
      const entries: MethodCounts[] = (
        hours ? hourEntries(hours[0], hours[1], null, scope) : []
      ).map(({ bucketStart: _, ...entry }) => entry);
      const rows = edges.flatMap(([start, end]) => scans.byMethod(start, end, scope));
      return merge(entries, foldByMethod(rows), (entry) => entry.method);
    },
    countsByMethodAndBucket(from, to, bucketMs, scope) {
      // Hour rows add up to a bucket only when the bucket is made of whole UTC hours.
      if (bucketMs % HOUR_MS !== 0) return foldByBucket(scans.byBucket(from, to, bucketMs, scope));
      const { whole: hours, rest: edges } = splitAt(from, to, HOUR_MS);
      const entries = hours ? hourEntries(hours[0], hours[1], bucketMs, scope) : [];
      const rows = edges.flatMap(([start, end]) => scans.byBucket(start, end, bucketMs, scope));
      const merged = merge(entries, foldByBucket(rows), (e) => `${e.method}:${e.bucketStart}`);
      return merged.sort((a, b) => a.bucketStart - b.bucketStart);
    },
  };
}
