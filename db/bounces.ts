import type { Database } from 'better-sqlite3';
import { SCOPE_FILTER, scopeParams } from './scope.js';
import type { BounceRecord, Store } from './types.js';

interface BounceRow {
  id: number;
  raw_sha256: string;
  received_at: number;
  source: BounceRecord['source'];
  kind: string;
  account_id: number | null;
  envelope_to: string | null;
  from_address: string | null;
  subject: string | null;
  original_message_id: string | null;
  recipients: string;
  matched: number;
  size: number;
}

const COLUMNS = `id, raw_sha256, received_at, source, kind, account_id, envelope_to, from_address,
  subject, original_message_id, recipients, matched, size`;

function toRecord(row: BounceRow): BounceRecord {
  return {
    id: row.id,
    rawSha256: row.raw_sha256,
    receivedAt: row.received_at,
    source: row.source,
    kind: row.kind,
    accountId: row.account_id,
    envelopeTo: row.envelope_to,
    fromAddress: row.from_address,
    subject: row.subject,
    originalMessageId: row.original_message_id,
    recipients: JSON.parse(row.recipients) as BounceRecord['recipients'],
    matched: row.matched,
    size: row.size,
  };
}

export function bounceQueries(db: Database): Store['bounces'] {
  const insert = db.prepare(`INSERT INTO bounces
    (raw_sha256, received_at, source, kind, account_id, envelope_to, from_address, subject,
     original_message_id, recipients, matched, size, raw)
    VALUES (@rawSha256, @receivedAt, @source, @kind, @accountId, @envelopeTo, @fromAddress,
     @subject, @originalMessageId, @recipients, @matched, @size, @raw)
    ON CONFLICT (raw_sha256) DO NOTHING`);
  const byId = db.prepare(`SELECT ${COLUMNS} FROM bounces WHERE id = ?`);
  const bySha = db.prepare(`SELECT ${COLUMNS} FROM bounces WHERE raw_sha256 = ?`);
  const rawOf = db.prepare('SELECT raw FROM bounces WHERE id = ?');
  // A bounce of no account may concern any account: it is listed for an unlimited scope only.
  const list = db.prepare(`SELECT ${COLUMNS} FROM bounces
    WHERE (account_id IS NOT NULL OR @allAccounts) AND ${SCOPE_FILTER}
      AND (@unmatchedOnly = 0 OR matched = 0) AND received_at < @before
    ORDER BY received_at DESC, id DESC LIMIT @limit`);

  const get = (id: number): BounceRecord | null => {
    const row = byId.get(id) as BounceRow | undefined;
    return row ? toRecord(row) : null;
  };
  return {
    add(bounce) {
      const result = insert.run({ ...bounce, recipients: JSON.stringify(bounce.recipients) });
      return result.changes > 0 ? get(Number(result.lastInsertRowid)) : null;
    },
    get,
    getBySha256(sha256) {
      const row = bySha.get(sha256) as BounceRow | undefined;
      return row ? toRecord(row) : null;
    },
    raw(id) {
      const row = rawOf.get(id) as { raw: Buffer } | undefined;
      return row?.raw ?? null;
    },
    list({ limit, scope, unmatchedOnly, before }) {
      const rows = list.all({
        limit,
        unmatchedOnly: unmatchedOnly ? 1 : 0,
        before: before ?? Number.MAX_SAFE_INTEGER,
        ...scopeParams(scope),
      }) as BounceRow[];
      return rows.map(toRecord);
    },
  };
}
