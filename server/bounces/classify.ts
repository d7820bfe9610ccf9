import { matchRule, PHRASE_RULES, VENDOR_TOKENS } from './phrases.js';
import {
  chooseStatus,
  findReplyCode,
  isHardBounce,
  isTemporary,
  reasonFromStatus,
} from './status.js';
import type { BounceReason, Classification, FailureFacts } from './types.js';

// SMTP commands sent before RCPT TO (RFC 5321 section 3.3). A rejection there cannot be about
// the recipient's mailbox.
const BEFORE_RCPT = new Set(['CONNECT', 'EHLO', 'HELO', 'STARTTLS', 'AUTH', 'MAIL']);

const COMMAND_PATTERNS: [RegExp, string][] = [
  [/\bend of data\b/, 'DATA'],
  [/\brcpt to\b|\brcpt\b/, 'RCPT'],
  [/\bmail from\b/, 'MAIL'],
  [/\bdata\b/, 'DATA'],
  [/\behlo\b/, 'EHLO'],
  [/\bhelo\b/, 'HELO'],
  [/\bstarttls\b/, 'STARTTLS'],
  [/\bauth\b/, 'AUTH'],
  [/\b(connect|greeting|banner)\b/, 'CONNECT'],
];

function normalize(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim();
}

/**
 * Reduces a command as nodemailer, Postfix or Exim write it ("RCPT TO", "end of data") to its
 * verb.
 */
export function normalizeCommand(command: string | null | undefined): string | null {
  if (!command) return null;
  const text = normalize(command);
  for (const [pattern, verb] of COMMAND_PATTERNS) {
    if (pattern.test(text)) return verb;
  }
  return null;
}

/** Finds the rejected command in a bounce text, as Postfix, Exim, qmail or Sendmail word it. */
export function detectCommand(text: string): string | null {
  const phrases = [
    /\bin reply to (rcpt to|mail from|end of data|data|helo|ehlo|starttls)\b/,
    /\bafter (rcpt to|mail from|end of data|data|helo|ehlo|starttls)\b/,
    /\bmost progress was (rcpt to|mail from|data)\b/,
    /\bwhile (receiving|sending) the initial server (greeting)\b/,
  ];
  const lower = normalize(text);
  for (const pattern of phrases) {
    const match = pattern.exec(lower);
    if (match) return normalizeCommand(match[1]);
  }
  // A Sendmail or Courier transcript: the last command sent before the server's reply.
  const sent = [...text.matchAll(/^>>> *(\w+)/gm)].at(-1);
  return sent ? normalizeCommand(sent[1]) : null;
}

function reasonFromWording(
  text: string,
  statusReason: BounceReason | null,
  command: string | null,
): BounceReason | null {
  const vendor = matchRule(VENDOR_TOKENS, text);
  if (vendor) return vendor.reason;
  for (const rule of PHRASE_RULES) {
    if (!rule.patterns.some((pattern) => pattern.test(text))) continue;
    if (rule.reason === 'userunknown') {
      // "User unknown" proves a missing mailbox only when the status code points to it or the
      // server rejected RCPT TO. After DATA the address was accepted, so a filter rejected the
      // message. At MAIL FROM the unknown user is the sender.
      if (statusReason === 'userunknown' || command === 'RCPT') return 'userunknown';
      if (command === 'MAIL') return 'rejected';
      if (command === null || !BEFORE_RCPT.has(command)) return 'filtered';
      continue;
    }
    if (rule.reason === 'mesgtoobig') {
      // X.2.3 is the recipient's own size limit, any other code a system-wide one (RFC 3463).
      return statusReason === 'exceedlimit' ? 'exceedlimit' : 'mesgtoobig';
    }
    return rule.reason;
  }
  return null;
}

function isSyntaxReply(replyCode: number | null): boolean {
  // RFC 5321 section 4.2.1: x0z replies are syntax errors and unimplemented commands.
  if (replyCode === null) return false;
  return (replyCode > 400 && replyCode < 408) || (replyCode > 500 && replyCode < 508);
}

function decideReason(
  facts: FailureFacts,
  text: string,
  status: string | null,
  replyCode: number | null,
  command: string | null,
): BounceReason {
  if (status?.startsWith('2.') || (status === null && replyCode !== null && replyCode < 300)) {
    return 'delivered';
  }
  const statusReason = reasonFromStatus(status);
  if (facts.diagnosticType && /^x-(unix|local)/i.test(facts.diagnosticType)) {
    // RFC 3464 section 2.3.6: the text comes from a local delivery program such as procmail,
    // not from a mail server, so only a full mailbox is distinguished from a program failure.
    const local = reasonFromWording(text, statusReason, command);
    return local === 'mailboxfull' ? local : 'mailererror';
  }
  const wording = reasonFromWording(text, statusReason, command);
  if (wording) return wording;
  if (statusReason) return statusReason;
  if (isSyntaxReply(replyCode)) return 'syntaxerror';
  if (facts.action?.toLowerCase() === 'delayed') return 'expired';
  return text === '' ? 'undefined' : 'onhold';
}

/**
 * Classifies one failed delivery from its enhanced status code, reply code and diagnostic
 * text. Wording in the text outranks the codes, because receivers often send a generic code
 * such as 5.7.1 or even a contradicting one with a precise message.
 */
export function classifyFailure(facts: FailureFacts): Classification {
  const text = normalize(facts.diagnostic ?? '');
  const replyCode = facts.replyCode ?? findReplyCode(text);
  const status = chooseStatus(facts.status, text, replyCode);
  const command = normalizeCommand(facts.command) ?? detectCommand(facts.diagnostic ?? '');
  const reason = decideReason(facts, text, status, replyCode, command);
  const temporary =
    isTemporary(status, replyCode, text) || facts.action?.toLowerCase() === 'delayed';
  return { reason, hardBounce: isHardBounce(reason, temporary), status };
}

/**
 * Classifies an SMTP rejection from our own sends (nodemailer's `responseCode` and
 * `response`, with `command` when known) or from Mandrill's `diag` and `bounce_description`.
 */
export function classifySmtpReply(input: {
  replyCode?: number | null;
  status?: string | null;
  diagnostic?: string | null;
  command?: string | null;
}): Classification {
  return classifyFailure({ ...input, diagnosticType: 'smtp' });
}
