/**
 * The Mandrill poller's account status (a rejected key, failed runs, the
 * latest warning) and its follow-up of sends that are still open. Times are
 * Unix milliseconds.
 */
export const sql = `
CREATE TABLE mandrill_sync_status (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
  key_rejected_at INTEGER,
  key_rejected_account_version INTEGER,
  failed_runs INTEGER NOT NULL DEFAULT 0,
  warning TEXT,
  warning_at INTEGER
);

CREATE TABLE mandrill_follow_ups (
  send_id INTEGER PRIMARY KEY REFERENCES sends(id),
  checked_at INTEGER NOT NULL,
  checks INTEGER NOT NULL,
  gave_up_at INTEGER
);

CREATE INDEX sends_open_mandrill ON sends (account_id, created_at)
  WHERE method = 'mandrill' AND provider_id IS NOT NULL
    AND state IN ('accepted', 'deferred', 'soft_bounced');
`;
