import type { Resolver } from '../dns/types.js';
import { joinTxt } from './dns-errors.js';
import { finding } from './findings.js';
import { isSpfRecord } from './spf-record.js';
import type { Finding } from './types.js';

// RFC 1035 3.3: one character-string of a TXT record carries at most 255 bytes.
export const MAX_STRING_BYTES = 255;
// RFC 7208 3.4: SPF replies SHOULD fit one 512-byte UDP message, which the RFC puts at 450
// octets of DNS message size.
export const MAX_RECORD_BYTES = 450;

/**
 * Checks that an SPF record can be published and fetched: each character-string at most 255
 * bytes, and the joined record short enough to fit a UDP reply. `strings` are the
 * character-strings as published, or one string holding a whole record that is to be published.
 */
export function lintPublishing(strings: string[], domain: string): Finding[] {
  const findings: Finding[] = [];
  const record = strings.join('');
  const tooLong = strings.find((text) => Buffer.byteLength(text, 'utf8') > MAX_STRING_BYTES);
  if (tooLong !== undefined) {
    findings.push(
      finding(
        'spf.string_too_long',
        'error',
        `${domain}: a TXT string of the SPF record is ${Buffer.byteLength(tooLong, 'utf8')} bytes; DNS carries at most ${MAX_STRING_BYTES} bytes in one string (RFC 1035 3.3), so the record cannot be published as it is.`,
        `Publish it as several strings, which receivers join without spaces (RFC 7208 3.3): TXT ${domain} ${splitIntoStrings(record)}`,
      ),
    );
  }
  const bytes = Buffer.byteLength(record, 'utf8');
  if (bytes > MAX_RECORD_BYTES) {
    findings.push(
      finding(
        'spf.record_too_long',
        'warning',
        `${domain}: the SPF record is ${bytes} bytes; over ${MAX_RECORD_BYTES} bytes the DNS reply risks UDP truncation, and a receiver whose resolver does not retry over TCP cannot read it (RFC 7208 3.4).`,
        'Shorten the record: replace ip4:/ip6: lists with an include of a record that holds them, or drop includes of services you no longer use.',
      ),
    );
  }
  return findings;
}

/** Formats a record as quoted character-strings of at most 255 bytes each, split at term boundaries where possible. */
export function splitIntoStrings(record: string): string {
  const strings: string[] = [];
  let current = '';
  for (const word of record.split(/(?= )/)) {
    if (Buffer.byteLength(current + word, 'utf8') > MAX_STRING_BYTES && current !== '') {
      strings.push(current);
      current = '';
    }
    current += word;
    while (Buffer.byteLength(current, 'utf8') > MAX_STRING_BYTES) {
      strings.push(current.slice(0, MAX_STRING_BYTES));
      current = current.slice(MAX_STRING_BYTES);
    }
  }
  strings.push(current);
  return strings.map((text) => `"${text}"`).join(' ');
}

/**
 * Looks for an obsolete type-99 SPF record at `domain` (RFC 7208 3.1 retired the type, and
 * receivers query only TXT). Returns a warning when one is published.
 */
export async function findType99Record(
  resolver: Resolver,
  domain: string,
): Promise<Finding | undefined> {
  let answer: unknown;
  try {
    answer = await resolver(domain, 'SPF');
  } catch {
    // NOTE: node:dns (Node 20) has no type 99 and throws ERR_INVALID_ARG_VALUE, so with the
    // project's resolver this check finds nothing (and the attempt counts as one query); a
    // resolver that knows the type gets the check. Other errors are left to the TXT lookup.
    return undefined;
  }
  if (!joinTxt(answer).some(isSpfRecord)) {
    return undefined;
  }
  return finding(
    'spf.type99_present',
    'warning',
    `${domain} still publishes a record of the obsolete SPF type (99); receivers read only the TXT record (RFC 7208 3.1), so the two drift apart unnoticed.`,
    `Delete the type-99 SPF record of ${domain} and keep the TXT record.`,
  );
}
