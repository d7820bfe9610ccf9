import type { Database } from 'better-sqlite3';
import type { Store, SuppressionRecord } from './types.js';

interface SuppressionRow {
  account_id: number;
  address: string;
  reason: SuppressionRecord['reason'];
  send_id: number | null;
  detail: string | null;
  created_at: number;
}

function toRecord(row: SuppressionRow): SuppressionRecord {
  return {
    accountId: row.account_id,
    address: row.address,
    reason: row.reason,
    sendId: row.send_id,
    detail: row.detail,
    createdAt: row.created_at,
  };
}

export function suppressionQueries(db: Database): Store['suppressions'] {
  const insert = db.prepare(`INSERT INTO suppressions
    (account_id, address, reason, send_id, detail, created_at)
    VALUES (@accountId, @address, @reason, @sendId, @detail, @createdAt)
    ON CONFLICT (account_id, address) DO NOTHING`);
  const find = db.prepare(`SELECT * FROM suppressions WHERE account_id = ?
    AND address IN (SELECT value FROM json_each(?))`);
  const list = db.prepare(
    'SELECT * FROM suppressions WHERE account_id = ? ORDER BY created_at DESC',
  );
  const remove = db.prepare('DELETE FROM suppressions WHERE account_id = ? AND address = ?');

  return {
    add: (suppression) => insert.run(suppression).changes > 0,
    find: (accountId, addresses) =>
      (find.all(accountId, JSON.stringify(addresses)) as SuppressionRow[]).map(toRecord),
    list: (accountId) => (list.all(accountId) as SuppressionRow[]).map(toRecord),
    remove: (accountId, address) => remove.run(accountId, address).changes > 0,
  };
}
