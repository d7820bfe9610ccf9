import ipaddr from 'ipaddr.js';
import { isIP } from 'node:net';
import { parseReceived, type ParsedReceived } from 'mailauth/lib/parse-received.js';
import type { Hop } from './types.js';

/**
 * ipaddr.js ranges of addresses that stay inside a network. Documentation ranges
 * (192.0.2.0/24, 2001:db8::/32 and the like, which ipaddr.js calls `reserved`) count as public,
 * so that examples and tests written with them behave like real mail.
 */
const INTERNAL_RANGES = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'private',
  'carrierGradeNat',
  'uniqueLocal',
]);

/** A Received field with the parts the analysis uses. */
export interface ReceivedHop extends Hop {
  /** The HELO/EHLO name the client gave, when the field records it. */
  helo: string | null;
  /** The envelope sender the field records (Exim's envelope-from, Postfix's none). */
  envelopeFrom: string | null;
}

/** True for an address that a receiving server outside the sender's network would see. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return !INTERNAL_RANGES.has(parsed.range());
}

function bareAddress(text: string): string | null {
  const value = text.replace(/^IPv6:/i, '').replace(/%.*$/, '');
  return isIP(value) ? value : null;
}

/**
 * Finds the client address in the from-part of a Received field, in the forms of Postfix and
 * Gmail ("host (rdns [203.0.113.5])"), Exim ("host ([203.0.113.5] helo=host)"), Microsoft 365
 * ("host (203.0.113.5)") and address literals ("[203.0.113.5]", "[IPv6:2001:db8::1]").
 */
function clientAddress(from: ParsedReceived['from']): string | null {
  if (!from) return null;
  const text = `${from.value} ${from.comment ?? ''}`;
  for (const match of text.matchAll(/\[([^\]\s]+)\]/g)) {
    const address = bareAddress(match[1] ?? '');
    if (address) return address;
  }
  for (const word of (from.comment ?? '').split(/[\s()]+/)) {
    const address = bareAddress(word);
    if (address) return address;
  }
  return null;
}

function heloName(from: ParsedReceived['from']): string | null {
  if (!from) return null;
  const exim = /helo=([^\s)\]]+)/i.exec(from.comment ?? '');
  if (exim?.[1]) return exim[1];
  const value = from.value.trim();
  if (!value || value.startsWith('[')) return null;
  return value.replace(/\.$/, '');
}

function parseDate(text: string | undefined): Date | null {
  if (!text) return null;
  const date = new Date(text.trim());
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * Parses the Received fields, given top first as they appear in the message, into hops in the
 * order the message travelled: hop 1 is the bottom field, added by the first server.
 */
export function parseHops(lines: string[]): ReceivedHop[] {
  const travelled = [...lines].reverse();
  const hops: ReceivedHop[] = [];
  let previous: Date | null = null;
  travelled.forEach((line, index) => {
    const parsed = parseReceived(line) || { full: line };
    const date = parseDate(parsed.timestamp);
    const fromText = parsed.from
      ? [parsed.from.value, parsed.from.comment ? `(${parsed.from.comment})` : ''].join(' ').trim()
      : null;
    hops.push({
      hop: index + 1,
      from: fromText || null,
      by: parsed.by?.value || null,
      with: parsed.with?.value || null,
      ip: clientAddress(parsed.from),
      at: date ? date.toISOString() : null,
      delaySeconds:
        date && previous ? Math.round((date.getTime() - previous.getTime()) / 1000) : null,
      helo: heloName(parsed.from),
      envelopeFrom: parsed['envelope-from']?.value.replace(/[<>]/g, '').trim() || null,
    });
    if (date) previous = date;
  });
  return hops;
}

/**
 * Picks the hop whose client address SPF applies to: the newest Received field (the one the
 * final receiver added, at the top) that names a public address. Fields naming only internal
 * addresses are the receiver's own relays and are skipped.
 *
 * NOTE: some receivers' internal relays use public addresses, such as Microsoft 365's own
 * 2603:10xx:: servers. This picks such an internal hop, so give the client IP explicitly there.
 */
export function clientHop(hops: ReceivedHop[]): ReceivedHop | null {
  for (let index = hops.length - 1; index >= 0; index -= 1) {
    const hop = hops[index];
    if (hop?.ip && isPublicAddress(hop.ip)) return hop;
  }
  return null;
}
