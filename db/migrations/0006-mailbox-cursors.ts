/**
 * The mailbox reader's position in each smtp account's mailbox, read over IMAP: the server,
 * login and folder, the folder's UIDVALIDITY, the highest UID read, and the latest run and
 * error. Times are Unix milliseconds.
 */
export const sql = `
CREATE TABLE mailbox_cursors (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
  server TEXT NOT NULL,
  folder TEXT NOT NULL,
  uid_validity INTEGER,
  last_uid INTEGER NOT NULL DEFAULT 0,
  last_run_at INTEGER,
  last_success_at INTEGER,
  last_error TEXT,
  last_error_at INTEGER,
  messages_read INTEGER NOT NULL DEFAULT 0
);
`;
