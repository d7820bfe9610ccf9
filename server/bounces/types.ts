/**
 * Bounce reason categories, named as in sisimai v5.1 so that results compare one to one with
 * its test expectations. Newer sisimai versions merge `speeding` and `toomanyconn` into
 * `ratelimited` and rename `mesgtoobig` to `emailtoolarge`.
 */
export const BOUNCE_REASONS = [
  'userunknown',
  'mailboxfull',
  'hostunknown',
  'hasmoved',
  'suspend',
  'blocked',
  'authfailure',
  'badreputation',
  'requireptr',
  'spamdetected',
  'policyviolation',
  'securityerror',
  'rejected',
  'filtered',
  'contenterror',
  'notcompliantrfc',
  'mesgtoobig',
  'exceedlimit',
  'expired',
  'networkerror',
  'systemerror',
  'systemfull',
  'mailererror',
  'norelaying',
  'notaccept',
  'syntaxerror',
  'speeding',
  'toomanyconn',
  'virusdetected',
  'onhold',
  'undefined',
  'feedback',
  'vacation',
  'delivered',
] as const;

export type BounceReason = (typeof BOUNCE_REASONS)[number];

/** Kind of an automatic message. Only `bounce` reports a failure. */
export type BounceKind = 'bounce' | 'feedback' | 'auto-reply' | 'delivery-report' | 'unknown';

/** One recipient of a bounce, complaint or delivery report. */
export interface BounceRecipient {
  address: string | null;
  /** RFC 3464 Action field: failed, delayed, delivered, relayed or expanded. */
  action: string | null;
  /** Enhanced status code (RFC 3463) such as 5.1.1, or null when the message carries none. */
  status: string | null;
  replyCode: number | null;
  diagnostic: string | null;
  remoteHost: string | null;
  reason: BounceReason;
  /** True when the address itself failed permanently, so sending to it again is pointless. */
  hardBounce: boolean;
}

/** The result of parsing one automatic message. */
export interface BounceReport {
  kind: BounceKind;
  recipients: BounceRecipient[];
  originalMessageId: string | null;
  reportingMta: string | null;
  /** RFC 5965 Feedback-Type of a complaint, such as `abuse`. */
  feedbackType?: string;
  /** The automatic message's own headers, for matching and display. */
  headers?: { from: string | null; subject: string | null; deliveredTo: string[] };
}

/** The facts about one failed delivery that the classifier reads. */
export interface FailureFacts {
  replyCode?: number | null;
  status?: string | null;
  diagnostic?: string | null;
  /** The SMTP command the remote server rejected, such as `RCPT` or `DATA`, when known. */
  command?: string | null;
  /** RFC 3464 diagnostic-type of the Diagnostic-Code field, such as `smtp` or `x-unix`. */
  diagnosticType?: string | null;
  /** RFC 3464 Action field. */
  action?: string | null;
}

/** The classifier's verdict on one failed delivery. */
export interface Classification {
  reason: BounceReason;
  hardBounce: boolean;
  status: string | null;
}
