import type { AccountRecord, SendRecord, Store, SuppressionRecord } from '../../db/types.js';
import { AppError } from '../errors.js';
import { recordEvent } from '../events/record.js';

export interface AutomatedLimits {
  perHour: number;
  perDay: number;
}

const HOUR_MS = 3_600_000;

/**
 * Refuses an automated send that would take the account past its hourly or
 * daily cap. A manager's own server has no protection of its own: a rule
 * that sends too much gets the manager's address or server blocklisted.
 */
export function checkAutomatedCaps(
  store: Store,
  account: AccountRecord,
  recipients: number,
  limits: AutomatedLimits,
  now: number,
): void {
  const windows = [
    { label: 'hour', cap: limits.perHour, since: now - HOUR_MS, variable: 'PER_HOUR' },
    { label: 'day', cap: limits.perDay, since: now - 24 * HOUR_MS, variable: 'PER_DAY' },
  ];
  for (const window of windows) {
    const sent = store.sends.countAutomatedSince(account.id, window.since);
    if (sent + recipients > window.cap) {
      throw new AppError(
        429,
        'volume_cap',
        `Held back: account ${account.id} sent ${sent} automated messages in the last ${window.label} ` +
          `and this send adds ${recipients}, over its cap of ${window.cap}. Send fewer, wait, or ` +
          `raise DELIVERABILITY_SMTP_AUTOMATED_${window.variable}.`,
        { accountId: account.id, window: window.label, sent, cap: window.cap },
      );
    }
  }
}

/** The suppression entries of these recipients, by lower-cased address. */
export function suppressedRecipients(
  store: Store,
  accountId: number,
  recipients: string[],
): Map<string, SuppressionRecord> {
  const found = store.suppressions.find(
    accountId,
    recipients.map((r) => r.toLowerCase()),
  );
  return new Map(found.map((s) => [s.address.toLowerCase(), s]));
}

/** Records a held-back send: the suppression reason becomes its outcome, with no hand-off. */
export function recordSuppressed(
  store: Store,
  send: SendRecord,
  suppression: SuppressionRecord,
  now: number,
): void {
  const since = new Date(suppression.createdAt).toISOString().slice(0, 10);
  recordEvent(
    store,
    {
      sendId: send.id,
      accountId: send.accountId,
      type: 'suppressed',
      source: 'api',
      occurredAt: now,
      dedupKey: `send:${send.id}:handoff`,
      state: 'suppressed',
      data: { suppression },
      patch: {
        detail: `Held back: ${send.recipient} is on the account's suppression list (${suppression.reason.replace('_', ' ')} since ${since})`,
      },
    },
    now,
  );
}
