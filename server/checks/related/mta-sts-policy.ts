import { parsePolicy } from 'mailauth/lib/mta-sts.js';
import { parseTagList, tagValue } from './tags.js';
import type { MtaStsPolicy } from './types.js';

/** The `id` of a valid `_mta-sts` TXT record, or the reason the record is invalid. */
export type StsRecord = { ok: true; id: string } | { ok: false; error: string };

// RFC 8461 3.1: sts-id = 1*32(ALPHA / DIGIT).
const STS_ID = /^[A-Za-z0-9]{1,32}$/;
// RFC 8461 3.2: max_age = 1*10DIGIT, at most 31557600 seconds (about one year).
const MAX_AGE_LINE = /^max_age:[ \t]*(\d{1,10})[ \t]*$/im;
const MAX_AGE_LIMIT = 31_557_600;
const MODE_LINE = /^mode:[ \t]*(enforce|testing|none)[ \t]*$/im;
// RFC 8461 3.2: an mx value is a host name, optionally with "*." as its whole leftmost label.
const MX_PATTERN = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/** Parses a `v=STSv1` TXT record (RFC 8461 3.1), which must have exactly one valid `id`. */
export function parseStsRecord(record: string): StsRecord {
  const tags = parseTagList(record);
  if (!tags.ok) {
    return tags;
  }
  if (tags.tags[0]?.name !== 'v' || tags.tags[0].value !== 'STSv1') {
    return { ok: false, error: 'the record must start with v=STSv1' };
  }
  const id = tagValue(tags.tags, 'id');
  if (id === undefined) {
    return { ok: false, error: 'the id tag is missing' };
  }
  if (!STS_ID.test(id)) {
    return { ok: false, error: `id "${id}" is not 1 to 32 letters and digits` };
  }
  return { ok: true, id };
}

/** A parsed policy, or the reason it is invalid. */
export type PolicyParse = { ok: true; policy: MtaStsPolicy } | { ok: false; error: string };

/**
 * Parses an MTA-STS policy file (RFC 8461 3.2) with mailauth's `parsePolicy`, then applies the
 * checks that mailauth 4.13.3 skips. A `mode` line is required, where mailauth defaults to none.
 * `max_age` must be plain digits, where mailauth accepts `1e5`. Every `mx` must be a host name
 * with at most a leading "*." wildcard.
 */
export function parseStsPolicy(text: string): PolicyParse {
  let parsed: ReturnType<typeof parsePolicy>;
  try {
    parsed = parsePolicy(text);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const lines = text.replace(/\r\n/g, '\n');
  if (!MODE_LINE.test(lines)) {
    return { ok: false, error: 'the mode field is missing or not enforce, testing or none' };
  }
  const maxAge = MAX_AGE_LINE.exec(lines);
  if (!maxAge || Number(maxAge[1]) > MAX_AGE_LIMIT) {
    return { ok: false, error: `max_age must be 0 to ${MAX_AGE_LIMIT} seconds in digits` };
  }
  const mx = (parsed.mx ?? []).map((pattern) => pattern.toLowerCase());
  const badPattern = mx.find((pattern) => !MX_PATTERN.test(pattern));
  if (badPattern !== undefined) {
    return { ok: false, error: `mx "${badPattern}" is not a host name or a *. wildcard` };
  }
  const policy: MtaStsPolicy = {
    version: String(parsed.version),
    mode: parsed.mode as MtaStsPolicy['mode'],
    mx,
    maxAge: Number(maxAge[1]),
  };
  return { ok: true, policy };
}

/**
 * Returns the first policy `mx` pattern that matches `host`, or null. A "*." wildcard matches
 * exactly one leftmost label (RFC 8461 4.1): `*.example.com` matches `mx.example.com` but not
 * `example.com` or `a.mx.example.com`. mailauth 4.13.3's `validateMx` matches any suffix, so it
 * would accept `a.mx.example.com`, which RFC-compliant senders reject.
 */
export function matchMxPattern(host: string, patterns: string[]): string | null {
  const name = host.toLowerCase().replace(/\.$/, '');
  for (const pattern of patterns) {
    if (pattern.startsWith('*.')) {
      const dot = name.indexOf('.');
      if (dot > 0 && name.slice(dot + 1) === pattern.slice(2)) {
        return pattern;
      }
    } else if (pattern === name) {
      return pattern;
    }
  }
  return null;
}
