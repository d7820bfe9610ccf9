/**
 * Bounce messages as received, with their classification and the sends they were matched
 * to. An unmatched bounce is kept, so support can see it and match it later.
 */
export const sql = `
CREATE TABLE bounces (
  id INTEGER PRIMARY KEY,
  raw_sha256 TEXT NOT NULL UNIQUE,
  received_at INTEGER NOT NULL,
  source TEXT NOT NULL,
  kind TEXT NOT NULL,
  account_id INTEGER REFERENCES accounts(id),
  envelope_to TEXT,
  from_address TEXT,
  subject TEXT,
  original_message_id TEXT,
  recipients TEXT NOT NULL,
  matched INTEGER NOT NULL DEFAULT 0,
  size INTEGER NOT NULL,
  raw BLOB NOT NULL
);
CREATE INDEX bounces_received ON bounces (received_at);
CREATE INDEX bounces_account ON bounces (account_id, received_at);
CREATE INDEX sends_recipient ON sends (recipient COLLATE NOCASE, created_at);
`;
