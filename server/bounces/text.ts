import { findReplyCode, findStatusCodes } from './status.js';

/*
 * Recipients and their errors from the human-readable text of a bounce. Formats without a
 * message/delivery-status part (qmail, Exim, Sendmail V5, Gmail's old notices, Exchange,
 * Zoho) list each failed address at the start of a line, followed by the remote server's
 * reply on the same line or on the lines below it.
 */

/** A failed address and the error text found for it. */
export interface TextRecipient {
  address: string;
  diagnostic: string | null;
}

// Lines where the returned copy of the original message starts. Text below them belongs to
// the original message, not to the report.
const ORIGINAL_MARKERS = [
  /^\s*-{2,}\s*(original message|unsent message follows|this is a copy of the message)/i,
  /^\s*-{2,}\s*below this line is a copy of the message/i,
  /^\s*original message headers:?\s*$/i,
  /^\s*below is a copy of the original message/i,
  /^\s*-{2,}\s*(the )?(original|returned|undelivered) message/i,
];

const ADDRESS = String.raw`[^\s<>()"@,;:\[\]]+@[A-Za-z0-9][\w.-]*[A-Za-z0-9]`;

// "user@host", "<user@host>:", "* user@host", "user@host<mailto:user@host>" and Postfix's
// "<user@host> (expanded from <alias@host>): host mx said: ...".
const ANCHOR = new RegExp(
  String.raw`^(\s*)(?:[*\u2022-]\s+)?<?(${ADDRESS})>?` +
    String.raw`(?:\s*\([^)]*\)|<mailto:[^>]*>)*\s*(?:\.\.\.|[:,.])?\s*(.*)$`,
);

// Sendmail's transcript line "554 <user@host>... Remote protocol error".
const SENDMAIL_ANCHOR = new RegExp(
  String.raw`^(\s*)([245]\d\d(?: [245]\.\d+\.\d+)?) <(${ADDRESS})>\.\.\.\s*(.*)$`,
);

interface Anchor {
  indent: number;
  address: string;
  rest: string;
  sendmail: boolean;
}

function anchorOf(line: string): Anchor | null {
  const sendmail = SENDMAIL_ANCHOR.exec(line);
  if (sendmail) {
    const [, indent = '', code = '', address = '', rest = ''] = sendmail;
    return { indent: indent.length, address, rest: `${code} ${rest}`, sendmail: true };
  }
  const match = ANCHOR.exec(line);
  if (!match) return null;
  const [, indent = '', address = '', rest = ''] = match;
  return { indent: indent.length, address, rest, sendmail: false };
}

/** Cuts a bounce text where the returned original message starts. */
export function notificationPart(text: string): string {
  const lines = text.split(/\r?\n/);
  const end = lines.findIndex((line) => ORIGINAL_MARKERS.some((marker) => marker.test(line)));
  return (end < 0 ? lines : lines.slice(0, end)).join('\n');
}

function hasCode(text: string): boolean {
  return findReplyCode(text) !== null || findStatusCodes(text).length > 0;
}

// Gmail's old notices put the address alone on a line and the server's reply in a later
// paragraph: take the first following paragraph that quotes a reply or status code.
function laterParagraphWithCode(lines: string[], from: number): string | null {
  let paragraph: string[] = [];
  for (let i = from; i <= lines.length; i++) {
    const line = lines[i];
    if (line === undefined || line.trim() === '') {
      const text = paragraph.join('\n');
      if (paragraph.length > 0 && hasCode(text)) return text;
      paragraph = [];
      continue;
    }
    if (anchorOf(line)?.sendmail === false) return null;
    paragraph.push(line.trim());
  }
  return null;
}

// Sendmail transcripts show the command and the reply on the lines before the recipient's.
function transcriptBefore(lines: string[], index: number): string[] {
  const found: string[] = [];
  for (let i = index - 1; i >= 0; i--) {
    const line = (lines[i] ?? '').trim();
    if (!/^(<<<|>>>)/.test(line)) break;
    found.unshift(line);
  }
  return found;
}

function blockAfter(lines: string[], index: number, anchor: Anchor): string[] {
  const block: string[] = [];
  for (let i = index + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') break;
    const next = anchorOf(line);
    if (next && next.indent <= anchor.indent) break;
    block.push(line.trim());
  }
  return block;
}

/** Finds the failed addresses in a bounce text with the error text given for each. */
export function findTextRecipients(text: string): TextRecipient[] {
  const lines = notificationPart(text).split(/\r?\n/);
  const byAddress = new Map<string, string[]>();
  lines.forEach((line, index) => {
    const anchor = anchorOf(line);
    if (!anchor) return;
    const parts = anchor.sendmail ? transcriptBefore(lines, index) : [];
    if (anchor.rest.trim() !== '') parts.push(anchor.rest.trim());
    parts.push(...blockAfter(lines, index, anchor));
    if (parts.length === 0) {
      const later = laterParagraphWithCode(lines, index + 1);
      if (later) parts.push(later);
    }
    const key = anchor.address.toLowerCase();
    const known = byAddress.get(key) ?? [];
    const diagnostic = parts.join('\n');
    if (diagnostic !== '' && !known.includes(diagnostic)) known.push(diagnostic);
    byAddress.set(key, known);
  });
  return [...byAddress].map(([address, texts]) => ({
    address,
    diagnostic: texts.length > 0 ? texts.join('\n') : null,
  }));
}

/** Returns the first paragraph of a bounce text that quotes a reply or status code. */
export function firstParagraphWithCode(text: string): string | null {
  return laterParagraphWithCode(notificationPart(text).split(/\r?\n/), 0);
}

/** Finds the remote host named in an error text, as in "host mx.example.com[192.0.2.1] said". */
export function findRemoteHost(text: string): string | null {
  const pattern = /\b(?:host|talking to|generating server:?)\s+([a-z0-9][\w-]*(?:\.[\w-]+)+)/i;
  const match = pattern.exec(text);
  return match?.[1]?.replace(/\.$/, '') ?? null;
}
