import type { Database } from 'better-sqlite3';
import type { MandrillSyncRecord, Store } from './types.js';

interface StatusRow {
  account_id: number;
  key_rejected_at: number | null;
  key_rejected_account_version: number | null;
  failed_runs: number;
  warning: string | null;
  warning_at: number | null;
}

export function mandrillSyncQueries(db: Database): Store['mandrillSync'] {
  const statusOf = db.prepare('SELECT * FROM mandrill_sync_status WHERE account_id = ?');
  const upsertStatus = db.prepare(`INSERT INTO mandrill_sync_status
    (account_id, key_rejected_at, key_rejected_account_version, failed_runs, warning, warning_at)
    VALUES (@accountId, @keyRejectedAt, @keyRejectedAccountVersion, @failedRuns, @warning,
      @warningAt)
    ON CONFLICT (account_id) DO UPDATE SET key_rejected_at = excluded.key_rejected_at,
      key_rejected_account_version = excluded.key_rejected_account_version,
      failed_runs = excluded.failed_runs, warning = excluded.warning,
      warning_at = excluded.warning_at`);
  const openSends = db.prepare(`SELECT s.id FROM sends s
    LEFT JOIN mandrill_follow_ups f ON f.send_id = s.id
    WHERE s.account_id = @accountId AND s.method = 'mandrill' AND s.provider_id IS NOT NULL
      AND s.state IN ('accepted', 'deferred', 'soft_bounced') AND s.created_at >= @createdSince
      AND f.gave_up_at IS NULL AND (f.checked_at IS NULL OR f.checked_at < @checkedBefore)
    ORDER BY f.checked_at IS NOT NULL, f.checked_at, s.id
    LIMIT @limit`);
  const upsertFollowUp = db.prepare(`INSERT INTO mandrill_follow_ups
    (send_id, checked_at, checks, gave_up_at) VALUES (@sendId, @now, 1, @gaveUpAt)
    ON CONFLICT (send_id) DO UPDATE SET checked_at = excluded.checked_at,
      checks = checks + 1, gave_up_at = excluded.gave_up_at`);

  return {
    getStatus(accountId) {
      const row = statusOf.get(accountId) as StatusRow | undefined;
      if (!row) return null;
      return {
        accountId: row.account_id,
        keyRejectedAt: row.key_rejected_at,
        keyRejectedAccountVersion: row.key_rejected_account_version,
        failedRuns: row.failed_runs,
        warning: row.warning,
        warningAt: row.warning_at,
      };
    },
    saveStatus(status: MandrillSyncRecord) {
      upsertStatus.run(status);
    },
    listOpenSendIds(accountId, options) {
      const rows = openSends.all({ accountId, ...options }) as { id: number }[];
      return rows.map((row) => row.id);
    },
    markChecked(sendId, now, gaveUp) {
      upsertFollowUp.run({ sendId, now, gaveUpAt: gaveUp ? now : null });
    },
  };
}
