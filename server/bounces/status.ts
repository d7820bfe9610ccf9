import type { BounceReason } from './types.js';

/*
 * Enhanced status codes (RFC 3463, IANA "SMTP Enhanced Status Codes" registry) and SMTP reply
 * codes (RFC 5321): finding them in free text, choosing between several, and mapping them to
 * a reason when no wording in the diagnostic decides it.
 */

// A class digit (2, 4 or 5), a subject and a detail of up to three digits. The lookarounds keep
// IPv4 addresses, version numbers and Exchange's "0.00000:FF000000" dumps from matching.
const STATUS_PATTERN = /(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?![\w]|\.\d)/g;

// A three-digit reply code standing alone, or followed by "-" as in a multiline reply.
const REPLY_PATTERN = /(?<![\w./-])([245][0-5]\d)(?![\w./@]|-\d{3})/g;

/** Specificity of a status code: 0 for X.0.0, 1 for X.Y.0 or X.0.Z, 2 otherwise. */
function specificity(status: string): number {
  const [, subject, detail] = status.split('.');
  if (subject === '0' && detail === '0') return 0;
  if (subject === '0' || detail === '0') return 1;
  return 2;
}

function statusClass(code: string | number | null | undefined): string | null {
  if (code === null || code === undefined) return null;
  const text = String(code);
  return /^[245]/.test(text) ? text.charAt(0) : null;
}

/** Lists the enhanced status codes in a text, in order of appearance. */
export function findStatusCodes(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(STATUS_PATTERN)) {
    const subject = Number(match[2]);
    // RFC 3463 defines subjects 0 to 7 only, so "5.8.3" in a text is something else.
    if (subject > 7) continue;
    found.push(`${match[1]}.${subject}.${Number(match[3])}`);
  }
  return found;
}

/** Returns the first SMTP reply code in a text, or null. */
export function findReplyCode(text: string): number | null {
  for (const match of text.matchAll(REPLY_PATTERN)) {
    const code = Number(match[1]);
    // RFC 5321 section 4.2.1 uses second digits 0 to 5 only.
    if (code >= 200 && code < 560) return code;
  }
  return null;
}

/** Picks the most specific code from a list, preferring earlier ones on a tie. */
function mostSpecific(codes: string[], replyClass: string | null): string | null {
  let best: string | null = null;
  for (const code of codes) {
    if (replyClass !== null && statusClass(code) !== replyClass) continue;
    if (best === null || specificity(code) > specificity(best)) best = code;
  }
  if (best === null && codes.length > 0) best = codes[0] ?? null;
  return best;
}

/**
 * Chooses the enhanced status code of a failure from the DSN Status field and the codes quoted
 * in the diagnostic text. A placeholder such as 5.0.0 in the Status field gives way to a more
 * specific code from the remote server's own reply.
 */
export function chooseStatus(
  fieldStatus: string | null | undefined,
  diagnostic: string,
  replyCode: number | null,
): string | null {
  const field = fieldStatus ? (findStatusCodes(fieldStatus)[0] ?? null) : null;
  const replyClass = statusClass(replyCode);
  const quoted = mostSpecific(findStatusCodes(diagnostic), replyClass);
  if (field === null) return quoted;
  if (quoted === null) return field;
  if (statusClass(field) !== statusClass(quoted)) {
    // The reply code, when known, shows which of the two the remote server meant.
    return replyClass === statusClass(quoted) ? quoted : field;
  }
  return specificity(quoted) > specificity(field) ? quoted : field;
}

// Reasons for the registered codes. A transient code missing here gets no reason from its code
// alone. 4.7.1 differs from 5.7.1 because receivers use it for temporary IP blocks.
const STATUS_REASONS: Record<string, BounceReason> = {
  '5.1.0': 'userunknown',
  '5.1.1': 'userunknown',
  '4.1.1': 'userunknown',
  '5.1.2': 'hostunknown',
  '5.1.3': 'userunknown',
  '5.1.4': 'filtered',
  '5.1.6': 'hasmoved',
  '4.1.6': 'hasmoved',
  '5.1.7': 'rejected',
  '4.1.7': 'rejected',
  '5.1.8': 'rejected',
  '4.1.8': 'rejected',
  '5.1.9': 'systemerror',
  '4.1.9': 'systemerror',
  // NOTE: RFC 7505 assigns X.1.10 to a recipient domain with a null MX, but Microsoft 365 sends
  // 5.1.10 for RecipientNotFound, which is far more common. Null MX wording is matched first.
  '5.1.10': 'userunknown',
  '5.2.1': 'suspend',
  '4.2.1': 'suspend',
  '5.2.2': 'mailboxfull',
  '4.2.2': 'mailboxfull',
  '5.2.3': 'exceedlimit',
  '4.2.3': 'exceedlimit',
  '5.2.4': 'filtered',
  '4.2.4': 'filtered',
  '5.3.0': 'systemerror',
  '5.3.1': 'systemfull',
  '4.3.1': 'systemfull',
  '5.3.2': 'notaccept',
  '4.3.2': 'notaccept',
  '5.3.3': 'systemerror',
  '4.3.3': 'systemerror',
  '5.3.4': 'mesgtoobig',
  '4.3.4': 'mesgtoobig',
  '5.3.5': 'systemerror',
  '4.3.5': 'systemerror',
  '5.4.0': 'networkerror',
  '4.4.1': 'expired',
  '5.4.1': 'expired',
  '4.4.2': 'networkerror',
  '5.4.2': 'networkerror',
  '4.4.3': 'systemerror',
  '5.4.3': 'systemerror',
  '4.4.4': 'networkerror',
  '5.4.4': 'hostunknown',
  '4.4.5': 'systemfull',
  '5.4.5': 'systemfull',
  '4.4.6': 'networkerror',
  '5.4.6': 'networkerror',
  '4.4.7': 'expired',
  '5.4.7': 'expired',
  '5.5.2': 'syntaxerror',
  '4.5.2': 'syntaxerror',
  '5.5.3': 'toomanyconn',
  '4.5.3': 'toomanyconn',
  '5.5.4': 'systemerror',
  '5.5.5': 'systemerror',
  '5.5.6': 'syntaxerror',
  '4.7.1': 'blocked',
  '5.7.13': 'suspend',
  '5.7.16': 'mesgtoobig',
  '4.7.16': 'mesgtoobig',
  '5.7.17': 'hasmoved',
  '5.7.18': 'hasmoved',
  '5.7.20': 'authfailure',
  '5.7.21': 'authfailure',
  '5.7.22': 'authfailure',
  '5.7.23': 'authfailure',
  '5.7.24': 'authfailure',
  '4.7.24': 'authfailure',
  '5.7.25': 'requireptr',
  '4.7.25': 'requireptr',
  '5.7.26': 'authfailure',
  '4.7.26': 'authfailure',
  // X.7.27 is the sender's own domain having a null MX (RFC 7505), so the sender is rejected.
  '5.7.27': 'rejected',
  '5.7.28': 'spamdetected',
  '4.7.28': 'spamdetected',
  '5.7.29': 'authfailure',
};

/** Maps a registered enhanced status code to a reason, or returns null. */
export function reasonFromStatus(status: string | null): BounceReason | null {
  if (status === null) return null;
  const known = STATUS_REASONS[status];
  if (known) return known;
  // Codes the table leaves out still name their subject (RFC 3463 section 3).
  const [code, subject] = status.split('.');
  if (subject === '6') return 'contenterror';
  if (subject === '7' && code === '5') return 'securityerror';
  return null;
}

/** Tells whether the codes or the wording mark a failure as transient. */
export function isTemporary(
  status: string | null,
  replyCode: number | null,
  text: string,
): boolean {
  const cls = statusClass(status) ?? statusClass(replyCode);
  if (cls !== null) return cls === '4';
  return /\btemporar|\bpersistent transient|\bwill be retried\b/i.test(text);
}

export const ADDRESS_FAILURES: ReadonlySet<BounceReason> = new Set([
  'userunknown',
  'hostunknown',
  'hasmoved',
  'notaccept',
]);

/**
 * Tells whether a failure is a hard bounce: the recipient address or its domain is gone for
 * good. Every other reason depends on the message, the sender or the moment, so a later
 * message to the same address may be delivered.
 */
export function isHardBounce(reason: BounceReason, temporary: boolean): boolean {
  return ADDRESS_FAILURES.has(reason) && !temporary;
}
