import type { Database } from 'better-sqlite3';
import type { EventRecord, NewEvent, Store } from './types.js';

interface EventRow {
  id: number;
  send_id: number | null;
  account_id: number;
  provider_id: string | null;
  type: string;
  source: EventRecord['source'];
  occurred_at: number;
  recorded_at: number;
  state_before: EventRecord['stateBefore'];
  state_after: EventRecord['stateAfter'];
  data: string | null;
  dedup_key: string;
}

function toRecord(row: EventRow): EventRecord {
  return {
    id: row.id,
    sendId: row.send_id,
    accountId: row.account_id,
    providerId: row.provider_id,
    type: row.type,
    source: row.source,
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
    stateBefore: row.state_before,
    stateAfter: row.state_after,
    data: row.data === null ? null : JSON.parse(row.data),
    dedupKey: row.dedup_key,
  };
}

export function eventQueries(db: Database): Store['events'] {
  // ON CONFLICT DO NOTHING makes a repeated delivery of the same event a no-op.
  const insert = db.prepare(`INSERT INTO events
    (send_id, account_id, provider_id, type, source, occurred_at, recorded_at,
     state_before, state_after, data, dedup_key)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (dedup_key) DO NOTHING`);
  // Mandrill dates its events to the second, so an event it reports at 12:00:14 may have come
  // after one the product stored at 12:00:14.056. Such an event sorts at the end of its second.
  const forSend = db.prepare(`SELECT * FROM events WHERE send_id = ?
    ORDER BY occurred_at + CASE
      WHEN source IN ('mandrill-poll', 'mandrill-webhook') AND occurred_at % 1000 = 0 THEN 999
      ELSE 0 END, id`);
  const link = db.prepare(`UPDATE events SET send_id = ?
    WHERE send_id IS NULL AND account_id = ? AND provider_id = ?`);
  const anyUnlinked = db
    .prepare('SELECT 1 FROM events WHERE send_id IS NULL AND account_id = ? LIMIT 1')
    .pluck();
  const lastMove = db
    .prepare(
      `SELECT MAX(occurred_at) FROM events
       WHERE send_id = ? AND state_after IS NOT NULL AND state_before IS NOT state_after`,
    )
    .pluck();

  return {
    append(event: NewEvent): EventRecord | null {
      // Positional parameters, because this insert runs for every event and binding by name is slower.
      const result = insert.run(
        event.sendId,
        event.accountId,
        event.providerId,
        event.type,
        event.source,
        event.occurredAt,
        event.recordedAt,
        event.stateBefore,
        event.stateAfter,
        event.data === undefined ? null : JSON.stringify(event.data),
        event.dedupKey,
      );
      if (result.changes === 0) return null;
      return { ...event, id: Number(result.lastInsertRowid) };
    },
    listForSend: (sendId) => (forSend.all(sendId) as EventRow[]).map(toRecord),
    linkUnlinked: (accountId, providerId, sendId) =>
      link.run(sendId, accountId, providerId).changes,
    hasUnlinked: (accountId) => anyUnlinked.get(accountId) !== undefined,
    lastStateChangeAt: (sendId) => (lastMove.get(sendId) as number | null) ?? null,
  };
}
