import type { Database } from 'better-sqlite3';
import type { ApiTokenRecord, Store } from './types.js';

interface TokenRow {
  id: number;
  name: string;
  prefix: string;
  created_by: number | null;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  account_ids: string | null;
}

function toRecord(row: TokenRow): ApiTokenRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    accountIds: row.account_ids ? (JSON.parse(row.account_ids) as number[]) : [],
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

const SELECT = `SELECT api_tokens.*, (SELECT json_group_array(account_id) FROM
  (SELECT account_id FROM api_token_accounts WHERE token_id = api_tokens.id ORDER BY account_id))
  AS account_ids FROM api_tokens`;

export function tokenQueries(db: Database): Store['tokens'] {
  const insert = db.prepare(`INSERT INTO api_tokens
    (name, prefix, token_hash, created_by, created_at)
    VALUES (@name, @prefix, @tokenHash, @createdBy, @createdAt)`);
  const addAccount = db.prepare(
    'INSERT INTO api_token_accounts (token_id, account_id) VALUES (?, ?)',
  );
  const byId = db.prepare(`${SELECT} WHERE api_tokens.id = ?`);
  const live = db.prepare(`${SELECT} WHERE token_hash = ? AND revoked_at IS NULL`);
  const all = db.prepare(`${SELECT} ORDER BY api_tokens.id`);
  const touch = db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  const revoke = db.prepare(
    'UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  );

  const get = (id: number): ApiTokenRecord | null => {
    const row = byId.get(id) as TokenRow | undefined;
    return row ? toRecord(row) : null;
  };

  return {
    create: (token) =>
      db.transaction(() => {
        const id = Number(insert.run(token).lastInsertRowid);
        for (const accountId of new Set(token.accountIds)) addAccount.run(id, accountId);
        return get(id) as ApiTokenRecord;
      })(),
    findLive(tokenHash) {
      const row = live.get(tokenHash) as TokenRow | undefined;
      return row ? toRecord(row) : null;
    },
    get,
    list: () => (all.all() as TokenRow[]).map(toRecord),
    touch: (id, now) => void touch.run(now, id),
    revoke: (id, now) => void revoke.run(now, id),
  };
}
