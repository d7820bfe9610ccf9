import type { Database } from 'better-sqlite3';
import type { MailboxCursor, Store } from './types.js';

interface MailboxCursorRow {
  account_id: number;
  server: string;
  folder: string;
  uid_validity: number | null;
  last_uid: number;
  last_run_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  messages_read: number;
}

export function mailboxCursorQueries(db: Database): Store['mailboxCursors'] {
  const byAccount = db.prepare('SELECT * FROM mailbox_cursors WHERE account_id = ?');
  const upsert = db.prepare(`INSERT INTO mailbox_cursors
    (account_id, server, folder, uid_validity, last_uid, last_run_at, last_success_at, last_error,
      last_error_at, messages_read)
    VALUES (@accountId, @server, @folder, @uidValidity, @lastUid, @lastRunAt, @lastSuccessAt, @lastError,
      @lastErrorAt, @messagesRead)
    ON CONFLICT (account_id) DO UPDATE SET server = excluded.server, folder = excluded.folder,
      uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
      last_run_at = excluded.last_run_at, last_success_at = excluded.last_success_at,
      last_error = excluded.last_error, last_error_at = excluded.last_error_at,
      messages_read = excluded.messages_read`);

  return {
    get(accountId: number): MailboxCursor | null {
      const row = byAccount.get(accountId) as MailboxCursorRow | undefined;
      if (!row) return null;
      return {
        accountId: row.account_id,
        server: row.server,
        folder: row.folder,
        uidValidity: row.uid_validity,
        lastUid: row.last_uid,
        lastRunAt: row.last_run_at,
        lastSuccessAt: row.last_success_at,
        lastError: row.last_error,
        lastErrorAt: row.last_error_at,
        messagesRead: row.messages_read,
      };
    },
    save(cursor: MailboxCursor): void {
      upsert.run(cursor);
    },
  };
}
