import net from 'node:net';
import ipaddr from 'ipaddr.js';
import type { Resolver } from '../../dns/types.js';
import { errorCode, isVoidError, joinTxt } from '../dns-errors.js';

/**
 * A DNS answer, a missing name or type (`void`, with `nxdomain` when the name itself does not
 * exist), or a temporary failure with its error code.
 */
export type Lookup<T> =
  | { status: 'found'; answer: T }
  | { status: 'void'; nxdomain: boolean }
  | { status: 'temperror'; code: string };

/** Queries `name` for `rrtype`, turning the resolver's errors into a `Lookup` value. */
export async function lookup<T>(
  resolver: Resolver,
  name: string,
  rrtype: string,
): Promise<Lookup<T>> {
  try {
    return { status: 'found', answer: (await resolver(name, rrtype)) as T };
  } catch (error) {
    if (isVoidError(error)) {
      return { status: 'void', nxdomain: errorCode(error) === 'ENOTFOUND' };
    }
    return { status: 'temperror', code: errorCode(error) };
  }
}

/** Queries the TXT records of `name`, each with its character-strings joined (RFC 7208 3.3). */
export async function lookupTxt(resolver: Resolver, name: string): Promise<Lookup<string[]>> {
  const answer = await lookup<unknown>(resolver, name, 'TXT');
  return answer.status === 'found' ? { status: 'found', answer: joinTxt(answer.answer) } : answer;
}

/** Queries A and AAAA of `host`. The result is `void` when both are missing, else `temperror` if either failed. */
export async function lookupAddresses(resolver: Resolver, host: string): Promise<Lookup<string[]>> {
  const [v4, v6] = await Promise.all([
    lookup<string[]>(resolver, host, 'A'),
    lookup<string[]>(resolver, host, 'AAAA'),
  ]);
  const addresses = [
    ...(v4.status === 'found' ? v4.answer : []),
    ...(v6.status === 'found' ? v6.answer : []),
  ];
  if (addresses.length > 0) {
    return { status: 'found', answer: addresses };
  }
  const failed = [v4, v6].find((part) => part.status === 'temperror');
  const nxdomain = [v4, v6].every((part) => part.status === 'void' && part.nxdomain);
  return failed ?? { status: 'void', nxdomain };
}

/** Parses a strict dotted-quad IPv4 or IPv6 address (no zone index), or returns undefined. */
export function parseIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (net.isIPv4(text)) {
    return ipaddr.IPv4.parse(text);
  }
  if (net.isIPv6(text) && !text.includes('%')) {
    return ipaddr.IPv6.parse(text);
  }
  return undefined;
}

/**
 * Returns the reversed labels of an address: the four octets of IPv4, or the 32 nibbles of
 * IPv6 (RFC 3596 2.5, RFC 5782 2.4), for names under in-addr.arpa, ip6.arpa or a blocklist zone.
 */
export function reversedLabels(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  if (address.kind() === 'ipv4') {
    return address.toByteArray().reverse().join('.');
  }
  const nibbles = address
    .toByteArray()
    .flatMap((byte) => [byte >> 4, byte & 0x0f])
    .map((nibble) => nibble.toString(16));
  return nibbles.reverse().join('.');
}

/** Returns true when `a` and `b` are the same address, comparing parsed forms. */
export function sameAddress(a: ipaddr.IPv4 | ipaddr.IPv6, text: string): boolean {
  const b = parseIp(text);
  return (
    b !== undefined && a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString()
  );
}

/** Lower-cases a domain name and strips one trailing dot. */
export function normalizeDomain(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') && lower.length > 1 ? lower.slice(0, -1) : lower;
}
