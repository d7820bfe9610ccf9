import type { Database } from 'better-sqlite3';
import { addEntryCounts, emptyEntryCounts, SCANNED_ENTRY_SUMS } from './report-entry.js';
import { SCOPE_FILTER, scopeParams } from './scope.js';
import type {
  AccountScope,
  Method,
  MethodBucketCounts,
  MethodCounts,
  ReportQueries,
  SendState,
} from './types.js';

/**
 * One row of (method[, bucket], state) counts, from the sends or from the aggregates, with the
 * entry counts (ENTRY_COUNTS) under their column names.
 */
export interface CountRow {
  method: Method;
  state: SendState;
  bucket_start?: number;
  sends: number;
  [column: string]: unknown;
}

/** Folds rows of (method[, bucket], state) counts into one entry per method and bucket. */
function fold<T extends MethodCounts>(
  rows: CountRow[],
  keyOf: (row: CountRow) => string,
  make: (row: CountRow) => T,
): T[] {
  const entries = new Map<string, T>();
  for (const row of rows) {
    const key = keyOf(row);
    let entry = entries.get(key);
    if (!entry) {
      entry = make(row);
      entries.set(key, entry);
    }
    entry.counts[row.state] = (entry.counts[row.state] ?? 0) + row.sends;
    addEntryCounts(entry, row, true);
  }
  return [...entries.values()];
}

const empty = (row: CountRow): MethodCounts => ({
  method: row.method,
  counts: {},
  ...emptyEntryCounts(),
});

export function foldByMethod(rows: CountRow[]): MethodCounts[] {
  return fold(rows, (row) => row.method, empty);
}

/** One entry per method and bucket, in order of bucket start. */
export function foldByBucket(rows: CountRow[]): MethodBucketCounts[] {
  const entries = fold<MethodBucketCounts>(
    rows,
    (row) => `${row.method}:${row.bucket_start}`,
    (row) => ({ ...empty(row), bucketStart: row.bucket_start ?? 0 }),
  );
  return entries.sort((a, b) => a.bucketStart - b.bucketStart);
}

export interface SendScans {
  byMethod(from: number, to: number, scope: AccountScope): CountRow[];
  byBucket(from: number, to: number, bucketMs: number, scope: AccountScope): CountRow[];
}

/** Counts sends created in [from, to) with a GROUP BY over the sends table itself. */
export function sendScans(db: Database): SendScans {
  const byMethod = db.prepare(`SELECT method, state, COUNT(*) AS sends, ${SCANNED_ENTRY_SUMS}
    FROM sends WHERE created_at >= @from AND created_at < @to AND ${SCOPE_FILTER}
    GROUP BY method, state`);
  // better-sqlite3 binds JS numbers as REAL, and REAL division would not truncate to the bucket.
  const byBucket =
    db.prepare(`SELECT method, state, (created_at / CAST(@bucket AS INTEGER)) * @bucket AS bucket_start,
      COUNT(*) AS sends, ${SCANNED_ENTRY_SUMS}
    FROM sends WHERE created_at >= @from AND created_at < @to AND ${SCOPE_FILTER}
    GROUP BY method, bucket_start, state ORDER BY bucket_start`);
  return {
    byMethod: (from, to, scope) => byMethod.all({ from, to, ...scopeParams(scope) }) as CountRow[],
    byBucket: (from, to, bucketMs, scope) =>
      byBucket.all({ from, to, bucket: bucketMs, ...scopeParams(scope) }) as CountRow[],
  };
}

/**
 * Computes the reports by scanning the sends of the period, without the aggregates. The
 * benchmark and the tests compare the aggregate reports against these.
 */
export function scanReportQueries(db: Database): ReportQueries {
  const scans = sendScans(db);
  return {
    countsByMethod: (from, to, scope) => foldByMethod(scans.byMethod(from, to, scope)),
    countsByMethodAndBucket: (from, to, bucketMs, scope) =>
      foldByBucket(scans.byBucket(from, to, bucketMs, scope)),
  };
}
