import type { Database } from 'better-sqlite3';
import type { MandrillCursor, Store } from './types.js';

interface CursorRow {
  account_id: number;
  synced_until: number;
  last_run_at: number | null;
  last_error: string | null;
}

export function cursorQueries(db: Database): Store['cursors'] {
  const byAccount = db.prepare('SELECT * FROM mandrill_cursors WHERE account_id = ?');
  const upsert = db.prepare(`INSERT INTO mandrill_cursors
    (account_id, synced_until, last_run_at, last_error)
    VALUES (@accountId, @syncedUntil, @lastRunAt, @lastError)
    ON CONFLICT (account_id) DO UPDATE SET synced_until = excluded.synced_until,
      last_run_at = excluded.last_run_at, last_error = excluded.last_error`);

  return {
    get(accountId: number): MandrillCursor | null {
      const row = byAccount.get(accountId) as CursorRow | undefined;
      if (!row) return null;
      return {
        accountId: row.account_id,
        syncedUntil: row.synced_until,
        lastRunAt: row.last_run_at,
        lastError: row.last_error,
      };
    },
    save(cursor: MandrillCursor): void {
      upsert.run(cursor);
    },
  };
}
