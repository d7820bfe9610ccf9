import type { Database } from 'better-sqlite3';
import type { CountedSend } from './migrations/report-sql.js';
import type { ReportCounts } from './report-counts.js';
import { initialSendRecord, patchedSendRecord } from './send-record.js';
import { sendUpdater } from './send-update.js';
import type { NewSend, SendPatch, SendRecord, Store } from './types.js';

/** Whether a patch changes a column that the report rows count or are keyed by. */
function changesCounts(patch: SendPatch): boolean {
  return (
    patch.state !== undefined ||
    patch.reason !== undefined ||
    Boolean(patch.addOpens) ||
    Boolean(patch.addClicks) ||
    Boolean(patch.addComplaints) ||
    Boolean(patch.addUnsubscribes)
  );
}

/**
 * Builds the writes of sends. Each one changes the report rows in the same transaction (the
 * caller's, or one of its own), so the reports always match the sends.
 */
export function sendWrites(
  db: Database,
  reports: ReportCounts,
): Pick<Store['sends'], 'create' | 'update' | 'batch'> {
  const insert = db.prepare(`INSERT INTO sends
    (account_id, message_id, method, kind, header_from, reply_to, envelope_from, recipient,
     subject, state, provider_id, provider_status, reply_code, status_code, reason, detail,
     opens, clicks, complaints, unsubscribes, opens_tracked, clicks_tracked, created_at,
     updated_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const updateRow = sendUpdater(db);
  const countedById = db
    .prepare(
      `SELECT account_id, method, recipient, created_at, state, opens, clicks, complaints,
        unsubscribes, reason, opens_tracked, clicks_tracked
      FROM sends WHERE id = ?`,
    )
    .raw();
  const atomically = <T>(fn: () => T): T => (db.inTransaction ? fn() : db.transaction(fn)());

  const create = (send: NewSend, patch?: SendPatch): SendRecord => {
    const initial = initialSendRecord(send);
    const record = patch ? patchedSendRecord(initial, patch) : initial;
    const result = insert.run(
      record.accountId,
      record.messageId,
      record.method,
      record.kind,
      record.headerFrom,
      record.replyTo,
      record.envelopeFrom,
      record.recipient,
      record.subject,
      record.state,
      record.providerId,
      record.providerStatus,
      record.replyCode,
      record.statusCode,
      record.reason,
      record.detail,
      record.opens,
      record.clicks,
      record.complaints,
      record.unsubscribes,
      record.opensTracked ? 1 : 0,
      record.clicksTracked ? 1 : 0,
      record.createdAt,
      record.updatedAt,
    );
    record.id = Number(result.lastInsertRowid);
    reports.add(record);
    reports.flush();
    return record;
  };

  const readCounted = (id: number): CountedSend | null => {
    const row = countedById.get(id) as unknown[] | undefined;
    if (!row) return null;
    return {
      accountId: row[0] as number,
      method: row[1] as string,
      recipient: row[2] as string,
      createdAt: row[3] as number,
      state: row[4] as string,
      opens: row[5] as number,
      clicks: row[6] as number,
      complaints: row[7] as number,
      unsubscribes: row[8] as number,
      reason: row[9] as string | null,
      opensTracked: row[10] === 1,
      clicksTracked: row[11] === 1,
    };
  };

  const updateCounted = (id: number, patch: SendPatch, current?: SendRecord): void => {
    const before = current ?? readCounted(id);
    updateRow(id, patch);
    if (!before) return;
    // What the UPDATE wrote: COALESCE keeps the state when the patch has none; counters add.
    reports.change(before, {
      ...before,
      state: patch.state ?? before.state,
      opens: before.opens + (patch.addOpens ?? 0),
      clicks: before.clicks + (patch.addClicks ?? 0),
      complaints: before.complaints + (patch.addComplaints ?? 0),
      unsubscribes: before.unsubscribes + (patch.addUnsubscribes ?? 0),
      reason: patch.reason !== undefined ? patch.reason : before.reason,
    });
    reports.flush();
  };

  return {
    create: (send, patch) => atomically(() => create(send, patch)),
    update(id, patch, current) {
      if (changesCounts(patch)) atomically(() => updateCounted(id, patch, current));
      else updateRow(id, patch);
    },
    batch: (write) => reports.batch(write),
  };
}
