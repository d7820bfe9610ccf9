import type { Database } from 'better-sqlite3';
import type { Store, StoredCheck } from './types.js';

interface CheckRow {
  id: number;
  account_id: number | null;
  domain: string;
  method: string | null;
  checked_at: number;
  outcomes: string;
  changed: number;
  result: string;
}

function toRecord(row: CheckRow): StoredCheck {
  return {
    id: row.id,
    accountId: row.account_id,
    domain: row.domain,
    method: row.method,
    checkedAt: row.checked_at,
    outcomes: JSON.parse(row.outcomes) as Record<string, string>,
    changed: row.changed === 1,
    result: JSON.parse(row.result),
  };
}

export function checkQueries(db: Database): Store['checks'] {
  const insert = db.prepare(`INSERT INTO domain_checks
    (account_id, domain, method, checked_at, outcomes, changed, result)
    VALUES (@accountId, @domain, @method, @checkedAt, @outcomes, @changed, @result)`);
  const byId = db.prepare('SELECT * FROM domain_checks WHERE id = ?');
  const latest = db.prepare(`SELECT * FROM domain_checks WHERE account_id = ?
    ORDER BY checked_at DESC, id DESC LIMIT 1`);
  const list = db.prepare(`SELECT * FROM domain_checks WHERE account_id = ?
    ORDER BY checked_at DESC, id DESC LIMIT ?`);

  return {
    add(check) {
      const id = insert.run({
        ...check,
        outcomes: JSON.stringify(check.outcomes),
        changed: check.changed ? 1 : 0,
        result: JSON.stringify(check.result),
      }).lastInsertRowid;
      return toRecord(byId.get(Number(id)) as CheckRow);
    },
    latestForAccount(accountId) {
      const row = latest.get(accountId) as CheckRow | undefined;
      return row ? toRecord(row) : null;
    },
    listForAccount: (accountId, limit) => (list.all(accountId, limit) as CheckRow[]).map(toRecord),
  };
}
