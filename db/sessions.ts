import type { Database } from 'better-sqlite3';
import type { SessionRecord, Store } from './types.js';

interface SessionRow {
  id: number;
  user_id: number;
  created_at: number;
  expires_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

function toRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

export function sessionQueries(db: Database): Store['sessions'] {
  const insert = db.prepare(`INSERT INTO sessions (token_hash, user_id, created_at, expires_at)
    VALUES (?, ?, ?, ?)`);
  const byId = db.prepare('SELECT * FROM sessions WHERE id = ?');
  const live = db.prepare(`SELECT * FROM sessions
    WHERE token_hash = ? AND revoked_at IS NULL AND expires_at > ?`);
  const touch = db.prepare('UPDATE sessions SET last_used_at = ? WHERE id = ?');
  const revoke = db.prepare(
    'UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  );
  const revokeUser = db.prepare(
    'UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL',
  );

  return {
    create(tokenHash, userId, now, expiresAt) {
      const id = Number(insert.run(tokenHash, userId, now, expiresAt).lastInsertRowid);
      return toRecord(byId.get(id) as SessionRow);
    },
    findLive(tokenHash, now) {
      const row = live.get(tokenHash, now) as SessionRow | undefined;
      return row ? toRecord(row) : null;
    },
    touch: (id, now) => void touch.run(now, id),
    revoke: (id, now) => void revoke.run(now, id),
    revokeForUser: (userId, now) => revokeUser.run(now, userId).changes,
  };
}
