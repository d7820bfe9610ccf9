import type { BounceReason } from '../bounces/types.js';

/**
 * Mandrill's `bounce_description` values and the sisimai reason each one
 * means. NOTE: the sources checked give no closed list of these values, so
 * this table contains the common ones, and any other value leaves the reason to
 * the classification of `diag`.
 */
const REASON_OF_DESCRIPTION: Record<string, BounceReason> = {
  bad_mailbox: 'userunknown',
  invalid_mailbox: 'userunknown',
  invalid_domain: 'hostunknown',
  no_mx: 'hostunknown',
  mailbox_full: 'mailboxfull',
  quota: 'mailboxfull',
  spam_related: 'spamdetected',
  policy_related: 'policyviolation',
  content_related: 'contenterror',
  not_accepting: 'notaccept',
  time_out: 'expired',
};

/**
 * Picks a bounce's reason: the one classified from the diagnostic text,
 * unless that text was empty or inconclusive (`undefined`, `onhold`) and
 * Mandrill's own description names a reason.
 */
export function bounceReason(
  classified: string | null | undefined,
  description: string | null | undefined,
): string | null {
  const fromDescription = description ? REASON_OF_DESCRIPTION[description] : undefined;
  if (classified && classified !== 'undefined' && classified !== 'onhold') return classified;
  return fromDescription ?? classified ?? null;
}
