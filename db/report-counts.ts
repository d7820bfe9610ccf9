import type { Database } from 'better-sqlite3';
import {
  CURRENT_REPORT_COUNTS,
  REPORT_TABLES,
  addDeltasSql,
  backfillSql,
  keyParts,
  type CountedSend,
} from './migrations/report-sql.js';

/**
 * Keeps the report rows current for the writes of db/sends.ts. Each change is added up in
 * memory per report row and written with one upsert per row touched: at the end of a single
 * write, or once at the end of a batch of writes.
 */
export interface ReportCounts {
  /** Records that a send now counts (a new send) in the report rows. */
  add(send: CountedSend): void;
  /** Records that a send changed from `before` to `after`. */
  change(before: CountedSend, after: CountedSend): void;
  /** Writes the changes recorded so far, unless a batch is running: it writes them at its end. */
  flush(): void;
  /**
   * Runs `write` with the changes held until it ends. Must run inside a transaction, which
   * must roll back if `write` throws. A batch inside a batch joins the outer one.
   */
  batch<T>(write: () => T): T;
}

interface PendingRow {
  table: number;
  key: (string | number)[];
  deltas: number[];
}

export function reportCounts(db: Database): ReportCounts {
  const counts = CURRENT_REPORT_COUNTS;
  const upserts = REPORT_TABLES.map((table) => db.prepare(addDeltasSql(table, counts)));
  const pending = new Map<string, PendingRow>();
  let batchDepth = 0;

  /** Adds `deltas`, one per count column, to the rows of `send`'s keys. */
  const addToRows = (send: CountedSend, deltas: number[]): void => {
    const parts = keyParts(send);
    REPORT_TABLES.forEach((table, index) => {
      const key = table.key(send, parts);
      if (key === null) return;
      // Only the last key value (a domain or a reason) is free text, so ':' cannot be ambiguous.
      const id = `${index}:${key.join(':')}`;
      let row = pending.get(id);
      if (!row) {
        row = { table: index, key, deltas: new Array<number>(counts.length).fill(0) };
        pending.set(id, row);
      }
      for (let i = 0; i < deltas.length; i += 1) {
        row.deltas[i] = (row.deltas[i] as number) + (deltas[i] as number);
      }
    });
  };
  const contributions = (send: CountedSend, sign: 1 | -1): number[] =>
    counts.map((count) => (count.value(send) ? sign : 0));
  const sameKeys = (a: CountedSend, b: CountedSend): boolean =>
    a.accountId === b.accountId &&
    a.method === b.method &&
    a.recipient === b.recipient &&
    a.createdAt === b.createdAt &&
    a.reason === b.reason;

  const flush = (): void => {
    if (batchDepth > 0) return;
    const rows = [...pending.values()];
    pending.clear();
    for (const row of rows) {
      if (row.deltas.every((delta) => delta === 0)) continue;
      upserts[row.table]?.run(...row.key, ...row.deltas);
    }
  };

  return {
    add: (send) => addToRows(send, contributions(send, 1)),
    change(before, after) {
      if (!sameKeys(before, after)) {
        addToRows(before, contributions(before, -1));
        addToRows(after, contributions(after, 1));
        return;
      }
      // Same rows: one pass adds the difference, which is usually a state moving over.
      const removed = contributions(before, -1);
      const deltas = contributions(after, 1).map((added, i) => added + (removed[i] as number));
      if (deltas.some((delta) => delta !== 0)) addToRows(after, deltas);
    },
    flush,
    batch<T>(write: () => T): T {
      if (!db.inTransaction) throw new Error('A batch of send writes must run in a transaction');
      batchDepth += 1;
      let result: T;
      try {
        result = write();
      } catch (error) {
        // The caller's transaction rolls back, so the changes held must not be written later.
        if (batchDepth === 1) pending.clear();
        throw error;
      } finally {
        batchDepth -= 1;
      }
      flush();
      return result;
    },
  };
}

/**
 * Deletes the report rows and counts every send again, in one transaction that holds the
 * write lock throughout. Returns how many sends were counted and how many rows were written.
 */
export function rebuildReportRows(db: Database): { sends: number; rows: number } {
  return db.transaction(() => {
    let rows = 0;
    for (const table of REPORT_TABLES) db.prepare(`DELETE FROM ${table.name}`).run();
    // report_hours comes first: the coarser tables are summed from it.
    for (const table of REPORT_TABLES) {
      rows += db.prepare(backfillSql(table, CURRENT_REPORT_COUNTS)).run().changes;
    }
    const sends = db.prepare('SELECT COUNT(*) FROM sends').pluck().get() as number;
    return { sends, rows };
  })();
}
