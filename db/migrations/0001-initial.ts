/** Accounts, sends, their events and the Mandrill poll cursors. Times are Unix milliseconds. */
export const sql = `
CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  sending_address TEXT NOT NULL,
  reply_to TEXT,
  method TEXT NOT NULL CHECK (method IN ('default', 'smtp', 'mandrill')),
  settings TEXT NOT NULL DEFAULT '{}',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE sends (
  id INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  message_id TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('default', 'smtp', 'mandrill')),
  kind TEXT NOT NULL CHECK (kind IN ('manual', 'automated', 'external')),
  header_from TEXT NOT NULL,
  reply_to TEXT,
  envelope_from TEXT,
  recipient TEXT NOT NULL,
  subject TEXT,
  state TEXT NOT NULL,
  provider_id TEXT,
  provider_status TEXT,
  reply_code INTEGER,
  status_code TEXT,
  reason TEXT,
  detail TEXT,
  opens INTEGER NOT NULL DEFAULT 0,
  clicks INTEGER NOT NULL DEFAULT 0,
  complaints INTEGER NOT NULL DEFAULT 0,
  unsubscribes INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX sends_created ON sends (created_at);
CREATE INDEX sends_account_created ON sends (account_id, created_at);
CREATE INDEX sends_message_id ON sends (message_id);
CREATE INDEX sends_queued ON sends (id) WHERE state = 'queued';
CREATE UNIQUE INDEX sends_mandrill_id ON sends (account_id, provider_id)
  WHERE method = 'mandrill' AND provider_id IS NOT NULL;

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  send_id INTEGER REFERENCES sends(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  provider_id TEXT,
  type TEXT NOT NULL,
  source TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  state_before TEXT,
  state_after TEXT,
  data TEXT,
  dedup_key TEXT NOT NULL UNIQUE
);
CREATE INDEX events_send ON events (send_id, occurred_at);
CREATE INDEX events_unlinked ON events (account_id, provider_id) WHERE send_id IS NULL;

CREATE TABLE mandrill_cursors (
  account_id INTEGER PRIMARY KEY REFERENCES accounts(id),
  synced_until INTEGER NOT NULL,
  last_run_at INTEGER,
  last_error TEXT
);
`;
