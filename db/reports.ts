import type { Database } from 'better-sqlite3';
import { foldByBucket, foldByMethod, sendScans, type CountRow } from './reports-scan.js';
import { scopeParams } from './scope.js';
import type { AccountScope, Store } from './types.js';

const HOUR_MS = 3_600_000;

/** Splits [from, to) into its whole hours and the parts of hours at either end. */
function splitAtHours(
  from: number,
  to: number,
): { hours: [number, number] | null; edges: [number, number][] } {
  const first = Math.ceil(from / HOUR_MS) * HOUR_MS;
  const last = Math.floor(to / HOUR_MS) * HOUR_MS;
  if (first >= last) return { hours: null, edges: from < to ? [[from, to]] : [] };
  const edges: [number, number][] = [];
  if (from < first) edges.push([from, first]);
  if (last < to) edges.push([last, to]);
  return { hours: [first, last], edges };
}

const SUMS = `SUM(sends) AS sends, SUM(opened) AS opened, SUM(clicked) AS clicked,
  SUM(complained) AS complained`;
// The account filter of a scope, written so that SQLite looks each account up in the primary key.
const IN_SCOPE = 'account_id IN (SELECT value FROM json_each(@accountIds))';
// better-sqlite3 binds JS numbers as REAL, and REAL division would not truncate to the bucket.
const BUCKET = '(bucket_start / CAST(@bucket AS INTEGER)) * @bucket';

/**
 * Reports from the hour aggregates of migration 7, which triggers on `sends` keep up to date.
 * A period rarely starts and ends on the hour, so the whole hours inside it are read from the
 * aggregates and the minutes at either end are counted from the sends. The counts are the same
 * as those of a scan of the whole period. Reports with no account scope read the platform-wide
 * table; scoped ones read the per-account rows of the accounts in the scope.
 */
export function reportQueries(db: Database): Store['reports'] {
  const scans = sendScans(db);
  const platformByMethod = db.prepare(`SELECT method, state, ${SUMS} FROM report_platform_hours
    WHERE bucket_start >= @from AND bucket_start < @to
    GROUP BY method, state HAVING SUM(sends) > 0`);
  const scopedByMethod = db.prepare(`SELECT method, state, ${SUMS} FROM report_hours
    WHERE ${IN_SCOPE} AND bucket_start >= @from AND bucket_start < @to
    GROUP BY method, state HAVING SUM(sends) > 0`);
  const platformByBucket = db.prepare(`SELECT method, state, ${BUCKET} AS bucket_start, ${SUMS}
    FROM report_platform_hours WHERE bucket_start >= @from AND bucket_start < @to
    GROUP BY 1, 2, 3 HAVING SUM(sends) > 0`);
  const scopedByBucket = db.prepare(`SELECT method, state, ${BUCKET} AS bucket_start, ${SUMS}
    FROM report_hours WHERE ${IN_SCOPE} AND bucket_start >= @from AND bucket_start < @to
    GROUP BY 1, 2, 3 HAVING SUM(sends) > 0`);

  const hourRows = (from: number, to: number, scope: AccountScope): CountRow[] =>
    (scope === undefined
      ? platformByMethod.all({ from, to })
      : scopedByMethod.all({ from, to, accountIds: scopeParams(scope).accountIds })) as CountRow[];
  const hourBucketRows = (from: number, to: number, bucket: number, scope: AccountScope) =>
    (scope === undefined
      ? platformByBucket.all({ from, to, bucket })
      : scopedByBucket.all({
          from,
          to,
          bucket,
          accountIds: scopeParams(scope).accountIds,
        })) as CountRow[];

  return {
    countsByMethod(from, to, scope) {
      const { hours, edges } = splitAtHours(from, to);
      const rows = hours ? hourRows(hours[0], hours[1], scope) : [];
      for (const [start, end] of edges) rows.push(...scans.byMethod(start, end, scope));
      return foldByMethod(rows);
    },
    countsByMethodAndBucket(from, to, bucketMs, scope) {
      // Hour rows add up to a bucket only when the bucket is made of whole UTC hours.
      if (bucketMs % HOUR_MS !== 0) return foldByBucket(scans.byBucket(from, to, bucketMs, scope));
      const { hours, edges } = splitAtHours(from, to);
      const rows = hours ? hourBucketRows(hours[0], hours[1], bucketMs, scope) : [];
      for (const [start, end] of edges) rows.push(...scans.byBucket(start, end, bucketMs, scope));
      return foldByBucket(rows);
    },
  };
}
