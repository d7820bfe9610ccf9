/**
 * What the mailbox reader has read of each smtp account's mailbox over IMAP: the folder and
 * its UIDVALIDITY, the highest UID read, and the latest run and error. Times are Unix
 * milliseconds.
 */
export const sql = `
CREATE TABLE mailbox_cursors (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
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
