import type { Database } from 'better-sqlite3';
import type { NewUser, Store, UserRecord } from './types.js';

interface UserRow {
  id: number;
  email: string;
  name: string;
  role: UserRecord['role'];
  password_hash: string;
  created_at: number;
  disabled_at: number | null;
  account_ids: string | null;
}

function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    passwordHash: row.password_hash,
    accountIds: row.account_ids ? (JSON.parse(row.account_ids) as number[]) : [],
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

const SELECT = `SELECT users.*, (SELECT json_group_array(account_id) FROM
  (SELECT account_id FROM user_accounts WHERE user_id = users.id ORDER BY account_id)) AS account_ids
  FROM users`;

export function userQueries(db: Database): Store['users'] {
  const insert = db.prepare(`INSERT INTO users (email, name, role, password_hash, created_at)
    VALUES (@email, @name, @role, @passwordHash, @createdAt)`);
  const byId = db.prepare(`${SELECT} WHERE users.id = ?`);
  const byEmail = db.prepare(`${SELECT} WHERE users.email = ?`);
  const all = db.prepare(`${SELECT} ORDER BY users.id`);
  const count = db.prepare('SELECT COUNT(*) AS n FROM users');
  const clearAccounts = db.prepare('DELETE FROM user_accounts WHERE user_id = ?');
  const addAccount = db.prepare('INSERT INTO user_accounts (user_id, account_id) VALUES (?, ?)');
  const updateRow = db.prepare(`UPDATE users SET name = @name, role = @role,
    password_hash = @passwordHash, disabled_at = @disabledAt WHERE id = @id`);

  const get = (id: number): UserRecord | null => {
    const row = byId.get(id) as UserRow | undefined;
    return row ? toRecord(row) : null;
  };
  const setAccounts = (userId: number, accountIds: number[]): void => {
    clearAccounts.run(userId);
    for (const accountId of new Set(accountIds)) addAccount.run(userId, accountId);
  };

  return {
    create: (user: NewUser) =>
      db.transaction(() => {
        const id = Number(insert.run(user).lastInsertRowid);
        setAccounts(id, user.accountIds);
        return get(id) as UserRecord;
      })(),
    get,
    findByEmail(email) {
      const row = byEmail.get(email) as UserRow | undefined;
      return row ? toRecord(row) : null;
    },
    list: () => (all.all() as UserRow[]).map(toRecord),
    count: () => (count.get() as { n: number }).n,
    update: (id, patch) =>
      db.transaction(() => {
        const current = get(id);
        if (!current) return null;
        const next = { ...current, ...patch };
        updateRow.run({ ...next, id });
        if (patch.accountIds) setAccounts(id, patch.accountIds);
        return get(id);
      })(),
  };
}
