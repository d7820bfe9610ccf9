import type { SendRecord, Store, SuppressionReason } from '../../db/types.js';
import { ADDRESS_FAILURES, type BounceReason } from '../bounces/index.js';
import type { EventType } from './record.js';

/**
 * The suppression an event calls for: a complaint or an unsubscribe, or a
 * bounce or refusal that says the address itself is gone (user unknown,
 * host unknown, moved, not accepting mail). Sending there again only hurts
 * the sender's reputation.
 */
export function suppressionReasonOf(type: EventType, send: SendRecord): SuppressionReason | null {
  if (type === 'complaint') return 'complaint';
  if (type === 'unsubscribe') return 'unsubscribe';
  const permanent = send.state === 'bounced' || send.state === 'rejected';
  if (permanent && send.reason && ADDRESS_FAILURES.has(send.reason as BounceReason)) {
    return 'hard_bounce';
  }
  return null;
}

/** Adds the send's recipient to its account's suppression list when the event calls for it. */
export function suppressAfterEvent(
  store: Store,
  type: EventType,
  sendId: number,
  now: number,
): void {
  const send = store.sends.get(sendId);
  if (send) suppressSend(store, type, send, now);
}

/** Does what `suppressAfterEvent` does, for the send as given. */
export function suppressSend(store: Store, type: EventType, send: SendRecord, now: number): void {
  const reason = suppressionReasonOf(type, send);
  if (!reason) return;
  store.suppressions.add({
    accountId: send.accountId,
    address: send.recipient.toLowerCase(),
    reason,
    sendId: send.id,
    detail: send.detail,
    createdAt: now,
  });
}
