import type { Database } from 'better-sqlite3';
import { SCOPE_FILTER, scopeParams } from './scope.js';
import type { NewSend, SendPatch, SendRecord, SendWithAccount, Store } from './types.js';

interface SendRow {
  id: number;
  account_id: number;
  message_id: string;
  method: SendRecord['method'];
  kind: SendRecord['kind'];
  header_from: string;
  reply_to: string | null;
  envelope_from: string | null;
  recipient: string;
  subject: string | null;
  state: SendRecord['state'];
  provider_id: string | null;
  provider_status: string | null;
  reply_code: number | null;
  status_code: string | null;
  reason: string | null;
  detail: string | null;
  opens: number;
  clicks: number;
  complaints: number;
  unsubscribes: number;
  created_at: number;
  updated_at: number;
  account_name?: string;
}

function toRecord(row: SendRow): SendRecord {
  return {
    id: row.id,
    accountId: row.account_id,
    messageId: row.message_id,
    method: row.method,
    kind: row.kind,
    headerFrom: row.header_from,
    replyTo: row.reply_to,
    envelopeFrom: row.envelope_from,
    recipient: row.recipient,
    subject: row.subject,
    state: row.state,
    providerId: row.provider_id,
    providerStatus: row.provider_status,
    replyCode: row.reply_code,
    statusCode: row.status_code,
    reason: row.reason,
    detail: row.detail,
    opens: row.opens,
    clicks: row.clicks,
    complaints: row.complaints,
    unsubscribes: row.unsubscribes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function sendQueries(db: Database): Store['sends'] {
  const insert = db.prepare(`INSERT INTO sends
    (account_id, message_id, method, kind, header_from, reply_to, envelope_from, recipient,
     subject, state, provider_id, provider_status, created_at, updated_at)
    VALUES (@accountId, @messageId, @method, @kind, @headerFrom, @replyTo, @envelopeFrom,
     @recipient, @subject, @state, @providerId, @providerStatus, @createdAt, @createdAt)`);
  const byId = db.prepare('SELECT * FROM sends WHERE id = ?');
  const byMessageRecipient = db.prepare(
    'SELECT * FROM sends WHERE account_id = ? AND message_id = ? AND recipient = ? COLLATE NOCASE',
  );
  const byProviderId = db.prepare(
    "SELECT * FROM sends WHERE account_id = ? AND provider_id = ? AND method = 'mandrill'",
  );
  const byMessageId = db.prepare(
    `SELECT * FROM sends WHERE message_id = @messageId AND ${SCOPE_FILTER} ORDER BY id`,
  );
  const latestToRecipient = db.prepare(`SELECT * FROM sends
    WHERE recipient = @recipient COLLATE NOCASE AND created_at BETWEEN @since AND @until
      AND ${SCOPE_FILTER}
    ORDER BY created_at DESC, id DESC LIMIT 1`);
  const queued = db.prepare("SELECT * FROM sends WHERE state = 'queued' ORDER BY id LIMIT ?");
  const recent = db.prepare(`SELECT sends.*, accounts.name AS account_name FROM sends
    JOIN accounts ON accounts.id = sends.account_id WHERE ${SCOPE_FILTER}
    ORDER BY sends.created_at DESC, sends.id DESC LIMIT @limit`);
  const recentForAccount = db.prepare(`SELECT sends.*, accounts.name AS account_name FROM sends
    JOIN accounts ON accounts.id = sends.account_id WHERE sends.account_id = ?
    ORDER BY sends.created_at DESC, sends.id DESC LIMIT ?`);
  const automatedSince = db.prepare(`SELECT COUNT(*) AS n FROM sends
    WHERE account_id = ? AND kind = 'automated' AND created_at >= ? AND state != 'suppressed'`);
  const updateRow = db.prepare(`UPDATE sends SET
    state = COALESCE(@state, state),
    provider_id = COALESCE(@providerId, provider_id),
    provider_status = COALESCE(@providerStatus, provider_status),
    reply_code = CASE WHEN @hasReplyCode THEN @replyCode ELSE reply_code END,
    status_code = CASE WHEN @hasStatusCode THEN @statusCode ELSE status_code END,
    reason = CASE WHEN @hasReason THEN @reason ELSE reason END,
    detail = CASE WHEN @hasDetail THEN @detail ELSE detail END,
    opens = opens + @addOpens,
    clicks = clicks + @addClicks,
    complaints = complaints + @addComplaints,
    unsubscribes = unsubscribes + @addUnsubscribes,
    updated_at = @updatedAt
    WHERE id = @id`);

  const get = (id: number): SendRecord | null => {
    const row = byId.get(id) as SendRow | undefined;
    return row ? toRecord(row) : null;
  };
  const withAccount = (row: SendRow): SendWithAccount => ({
    ...toRecord(row),
    accountName: row.account_name ?? '',
  });

  return {
    create(send: NewSend): SendRecord {
      const result = insert.run({ providerId: null, providerStatus: null, ...send });
      return get(Number(result.lastInsertRowid)) as SendRecord;
    },
    get,
    findByMessageRecipient(accountId, messageId, recipient) {
      const row = byMessageRecipient.get(accountId, messageId, recipient) as SendRow | undefined;
      return row ? toRecord(row) : null;
    },
    findByProviderId(accountId, providerId) {
      const row = byProviderId.get(accountId, providerId) as SendRow | undefined;
      return row ? toRecord(row) : null;
    },
    listByMessageId(messageId, scope) {
      const rows = byMessageId.all({ messageId, ...scopeParams(scope) }) as SendRow[];
      return rows.map(toRecord);
    },
    findLatestToRecipient(recipient, since, until, scope) {
      const row = latestToRecipient.get({ recipient, since, until, ...scopeParams(scope) }) as
        SendRow | undefined;
      return row ? toRecord(row) : null;
    },
    listQueued: (limit) => (queued.all(limit) as SendRow[]).map(toRecord),
    listRecent({ limit, accountId, scope }) {
      if (accountId !== undefined && scope !== undefined && !scope.includes(accountId)) return [];
      const rows =
        accountId === undefined
          ? recent.all({ limit, ...scopeParams(scope) })
          : recentForAccount.all(accountId, limit);
      return (rows as SendRow[]).map(withAccount);
    },
    countAutomatedSince: (accountId, since) =>
      (automatedSince.get(accountId, since) as { n: number }).n,
    update(id: number, patch: SendPatch): void {
      updateRow.run({
        id,
        state: patch.state ?? null,
        providerId: patch.providerId ?? null,
        providerStatus: patch.providerStatus ?? null,
        hasReplyCode: patch.replyCode !== undefined ? 1 : 0,
        replyCode: patch.replyCode ?? null,
        hasStatusCode: patch.statusCode !== undefined ? 1 : 0,
        statusCode: patch.statusCode ?? null,
        hasReason: patch.reason !== undefined ? 1 : 0,
        reason: patch.reason ?? null,
        hasDetail: patch.detail !== undefined ? 1 : 0,
        detail: patch.detail ?? null,
        addOpens: patch.addOpens ?? 0,
        addClicks: patch.addClicks ?? 0,
        addComplaints: patch.addComplaints ?? 0,
        addUnsubscribes: patch.addUnsubscribes ?? 0,
        updatedAt: patch.updatedAt,
      });
    },
  };
}
