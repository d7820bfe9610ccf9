/** Domain check results kept with their time, so verdict changes can be seen. */
export const sql = `
CREATE TABLE domain_checks (
  id INTEGER PRIMARY KEY,
  account_id INTEGER REFERENCES accounts(id),
  domain TEXT NOT NULL,
  method TEXT,
  checked_at INTEGER NOT NULL,
  outcomes TEXT NOT NULL,
  changed INTEGER NOT NULL DEFAULT 0,
  result TEXT NOT NULL
);
CREATE INDEX domain_checks_account ON domain_checks (account_id, checked_at);
`;
