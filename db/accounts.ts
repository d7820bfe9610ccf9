import type { Database } from 'better-sqlite3';
import { SCOPE_FILTER, scopeParams } from './scope.js';
import type { AccountPatch, AccountRecord, Method, NewAccount, Store } from './types.js';

interface AccountRow {
  id: number;
  name: string;
  sending_address: string;
  reply_to: string | null;
  method: Method;
  settings: string;
  created_at: number;
  updated_at: number;
}

function toRecord(row: AccountRow): AccountRecord {
  return {
    id: row.id,
    name: row.name,
    sendingAddress: row.sending_address,
    replyTo: row.reply_to,
    method: row.method,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function accountQueries(db: Database): Store['accounts'] {
  const insert = db.prepare(`INSERT INTO accounts
    (name, sending_address, reply_to, method, settings, created_at, updated_at)
    VALUES (@name, @sendingAddress, @replyTo, @method, @settings, @now, @now)`);
  const byId = db.prepare('SELECT * FROM accounts WHERE id = ?');
  const all = db.prepare(
    `SELECT * FROM accounts WHERE ${SCOPE_FILTER.replaceAll('account_id', 'id')} ORDER BY id`,
  );
  const byMethod = db.prepare('SELECT * FROM accounts WHERE method = ? ORDER BY id');
  const updateRow = db.prepare(`UPDATE accounts SET name = @name,
    sending_address = @sendingAddress, reply_to = @replyTo, method = @method,
    settings = @settings, updated_at = @now WHERE id = @id`);

  const get = (id: number): AccountRecord | null => {
    const row = byId.get(id) as AccountRow | undefined;
    return row ? toRecord(row) : null;
  };

  return {
    create(account: NewAccount, now: number): AccountRecord {
      const result = insert.run({
        ...account,
        settings: JSON.stringify(account.settings),
        now,
      });
      return get(Number(result.lastInsertRowid)) as AccountRecord;
    },
    get,
    list: (scope) => (all.all(scopeParams(scope)) as AccountRow[]).map(toRecord),
    listByMethod: (method) => (byMethod.all(method) as AccountRow[]).map(toRecord),
    update(id: number, patch: AccountPatch, now: number): AccountRecord | null {
      const current = get(id);
      if (!current) return null;
      const next = { ...current, ...patch };
      updateRow.run({
        id,
        name: next.name,
        sendingAddress: next.sendingAddress,
        replyTo: next.replyTo,
        method: next.method,
        settings: JSON.stringify(next.settings),
        now,
      });
      return get(id);
    },
  };
}
