/** Users with roles, their accounts, sessions, API tokens and the suppression list. */
export const sql = `
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  email TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'support', 'manager')),
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  disabled_at INTEGER
);

CREATE TABLE user_accounts (
  user_id INTEGER NOT NULL REFERENCES users(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  PRIMARY KEY (user_id, account_id)
);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_by INTEGER REFERENCES users(id),
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);

CREATE TABLE api_token_accounts (
  token_id INTEGER NOT NULL REFERENCES api_tokens(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  PRIMARY KEY (token_id, account_id)
);

CREATE TABLE suppressions (
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  address TEXT NOT NULL COLLATE NOCASE,
  reason TEXT NOT NULL CHECK (reason IN ('hard_bounce', 'complaint', 'unsubscribe', 'manual')),
  send_id INTEGER REFERENCES sends(id),
  detail TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (account_id, address)
);

CREATE INDEX sends_automated ON sends (account_id, created_at) WHERE kind = 'automated';
`;
