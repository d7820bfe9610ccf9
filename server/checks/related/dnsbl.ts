import ipaddr from 'ipaddr.js';
import type { Resolver } from '../../dns/types.js';
import { finding } from '../findings.js';
import type { Finding } from '../types.js';
import { lookup, lookupTxt, normalizeDomain, parseIp, reversedLabels } from './lookup.js';
import type { BlocklistResult, PartResult } from './types.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

// RFC 5782 2.3: listings are A records in 127.0.0.0/8, and 127.0.0.1 is never a listing code.
const LOOPBACK_BLOCK = ipaddr.IPv4.parseCIDR('127.0.0.0/8');
// Lists such as Spamhaus answer 127.255.255.x (252 for a typo in the zone, 254 for queries
// through a public resolver, 255 for excessive queries) to refuse a query, not to list an IP.
const REFUSAL_BLOCK = ipaddr.IPv4.parseCIDR('127.255.255.0/24');
const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

/**
 * Validates blocklist zone names and returns them normalized. Throws an Error naming the first
 * zone that is not a host name, because a misconfigured zone would silently report nothing.
 */
export function normalizeZones(zones: string[]): string[] {
  const normalized = zones.map(normalizeDomain);
  const invalid = normalized.find((zone) => !HOST_NAME.test(zone));
  if (invalid !== undefined) {
    throw new Error(
      `Invalid DNS blocklist zone "${invalid}": expected a host name such as dnsbl.example.org`,
    );
  }
  return [...new Set(normalized)];
}

/** Classifies one A answer of a blocklist query. */
export function classifyCode(code: string): 'listed' | 'refused' {
  const parsed = parseIp(code);
  if (parsed?.kind() !== 'ipv4') {
    return 'refused';
  }
  const v4 = parsed as ipaddr.IPv4;
  if (!v4.match(LOOPBACK_BLOCK) || v4.match(REFUSAL_BLOCK)) {
    return 'refused';
  }
  const lastOctet = v4.octets[3] ?? 0;
  const isLowAddress = v4.octets[1] === 0 && v4.octets[2] === 0 && lastOctet < 2;
  return isLowAddress ? 'refused' : 'listed';
}

/**
 * Queries one blocklist zone for one IP (RFC 5782 2.1: the reversed address under the zone).
 * NXDOMAIN is `not_listed`. A listing code is `listed`, with the TXT reason if the list has one.
 * Any other answer, including a refusal code, an address outside 127.0.0.0/8 (a resolver that
 * rewrites NXDOMAIN) and a failed lookup, is `unknown`, because it proves nothing either way.
 */
export async function queryBlocklist(
  resolver: Resolver,
  ip: string,
  address: Address,
  zone: string,
): Promise<BlocklistResult> {
  const query = `${reversedLabels(address)}.${zone}`;
  const base: BlocklistResult = { ip, zone, query, status: 'unknown', codes: [], reason: null };
  const answer = await lookup<string[]>(resolver, query, 'A');
  if (answer.status === 'void') {
    return { ...base, status: 'not_listed' };
  }
  if (answer.status === 'temperror' || answer.answer.length === 0) {
    return base;
  }
  const codes = answer.answer;
  // One refusal code among listing codes makes the whole answer untrustworthy.
  if (!codes.every((code) => classifyCode(code) === 'listed')) {
    return { ...base, codes };
  }
  const txt = await lookupTxt(resolver, query);
  const reason = txt.status === 'found' && txt.answer.length > 0 ? txt.answer.join(' ') : null;
  return { ...base, status: 'listed', codes, reason };
}

/** Describes one blocklist result as a finding, or returns none for `not_listed`. */
export function blocklistFindings(result: BlocklistResult): Finding[] {
  if (result.status === 'listed') {
    const reason = result.reason === null ? '' : `: ${result.reason}`;
    return [
      finding(
        'dnsbl.listed',
        'error',
        `Sending IP ${result.ip} is listed on ${result.zone} (${result.codes.join(', ')})${reason}; receivers that use this list reject its mail.`,
        `Find and stop the cause (a compromised account, a bad list, a shared IP), then request removal from ${result.zone}.`,
      ),
    ];
  }
  if (result.status === 'unknown') {
    const answer =
      result.codes.length > 0 ? `answered ${result.codes.join(', ')}` : 'did not answer';
    return [
      finding(
        'dnsbl.unknown',
        'warning',
        `${result.zone} ${answer} for ${result.ip}, which is not a listing: the list refused the query or the lookup failed, so whether the IP is listed is unknown.`,
        'Query the list through a resolver that it accepts (not a public resolver), or check its website.',
      ),
    ];
  }
  return [];
}

/** Queries every zone for one IP. */
export async function checkBlocklists(
  resolver: Resolver,
  ip: string,
  address: Address,
  zones: string[],
): Promise<PartResult<BlocklistResult[]>> {
  const results = await Promise.all(
    zones.map((zone) => queryBlocklist(resolver, ip, address, zone)),
  );
  return { result: results, findings: results.flatMap(blocklistFindings) };
}
