import type { AccountRecord, MandrillSyncRecord, Store } from '../../db/types.js';

/** The state of an account's Mandrill reporting, for routes to show. */
export interface MandrillSyncStatus {
  accountId: number;
  /**
   * `never_synced` before the first completed window, `ok` when the last run
   * succeeded, `failing` after runs that ended in an error, `key_rejected`
   * when Mandrill rejected the key and the account has not been updated since.
   */
  state: 'never_synced' | 'ok' | 'failing' | 'key_rejected';
  /** Every message sent before this time has been fetched at least once. */
  syncedUntil: number | null;
  lastRunAt: number | null;
  lastError: string | null;
  keyRejectedAt: number | null;
  failedRuns: number;
  warning: string | null;
  warningAt: number | null;
}

export function emptySyncRecord(accountId: number): MandrillSyncRecord {
  return {
    accountId,
    keyRejectedAt: null,
    keyRejectedAccountVersion: null,
    failedRuns: 0,
    warning: null,
    warningAt: null,
  };
}

/**
 * Tells whether the account's key is flagged as rejected. An update of the
 * account (a new key, say) changes its `updatedAt` and so clears the flag.
 */
export function isKeyRejected(record: MandrillSyncRecord | null, account: AccountRecord): boolean {
  if (!record || record.keyRejectedAt === null) return false;
  return record.keyRejectedAccountVersion === account.updatedAt;
}

/** Returns the poller's status of the account, or null when no such account exists. */
export function mandrillSyncStatus(store: Store, accountId: number): MandrillSyncStatus | null {
  const account = store.accounts.get(accountId);
  if (!account) return null;
  const cursor = store.cursors.get(accountId);
  const record = store.mandrillSync.getStatus(accountId) ?? emptySyncRecord(accountId);
  const rejected = isKeyRejected(record, account);
  let state: MandrillSyncStatus['state'] = 'ok';
  if (rejected) state = 'key_rejected';
  else if (record.failedRuns > 0) state = 'failing';
  else if (!cursor) state = 'never_synced';
  return {
    accountId,
    state,
    syncedUntil: cursor?.syncedUntil ?? null,
    lastRunAt: cursor?.lastRunAt ?? null,
    lastError: cursor?.lastError ?? null,
    keyRejectedAt: rejected ? record.keyRejectedAt : null,
    failedRuns: record.failedRuns,
    warning: record.warning,
    warningAt: record.warningAt,
  };
}
