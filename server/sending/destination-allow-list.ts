import ipaddr from 'ipaddr.js';
import { connectableAddress, parseIpAddress } from './destination-address.js';

/**
 * SMTP destinations that an operator exempts from the address and port rules of
 * `resolveSmtpDestination`, such as a relay on the private network.
 */
export interface AllowList {
  /** The entries as configured, for logs and error details. */
  readonly entries: readonly string[];
  /** Returns whether `host` equals a listed host name, ignoring case and a trailing dot. */
  allowsHost(host: string): boolean;
  /**
   * Returns whether a listed address or CIDR range contains `address`. An IPv4-mapped IPv6
   * address also matches the IPv4 entries that contain its IPv4 address.
   */
  allowsAddress(address: string): boolean;
}

type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

// RFC 1123 2.1 labels of at most 63 characters, at most 253 characters in all.
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const ALL_DIGITS = /^\d+$/;
const ENTRY_FORMS =
  'a host name (smtp.example.com), an IP address (192.0.2.10, 2001:db8::10) ' +
  'or a CIDR range (10.0.0.0/8, fd00::/8)';

/**
 * Lowercases a host name and drops one trailing dot. Returns undefined unless the result is an
 * RFC 1123 host name whose last label is not all digits (RFC 3696 2), because inet_aton and
 * getaddrinfo read names such as `127.1` or `2130706433` as IPv4 addresses.
 */
export function normalizeHostName(host: string): string | undefined {
  const lower = host.toLowerCase();
  const name = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  if (!HOST_NAME.test(name) || ipaddr.IPv4.isValid(name)) {
    return undefined;
  }
  const lastLabel = name.slice(name.lastIndexOf('.') + 1);
  return ALL_DIGITS.test(lastLabel) ? undefined : name;
}

/**
 * Parses the comma-separated allow-list setting into host names, IP addresses and CIDR ranges.
 * A blank spec returns an empty list. Throws an Error naming the first invalid entry and the
 * expected forms.
 */
export function parseAllowList(spec: string): AllowList {
  const hosts = new Set<string>();
  const ranges: Cidr[] = [];
  const entries: string[] = [];
  if (spec.trim() !== '') {
    for (const raw of spec.split(',')) {
      const entry = raw.trim();
      parseEntry(entry, spec, hosts, ranges);
      entries.push(entry);
    }
  }

  return {
    entries,
    allowsHost(host: string): boolean {
      const name = normalizeHostName(host);
      return name !== undefined && hosts.has(name);
    },
    allowsAddress(address: string): boolean {
      const parsed = parseIpAddress(address);
      if (!parsed) {
        return false;
      }
      const candidates = [parsed, connectableAddress(parsed)];
      return ranges.some((range) =>
        candidates.some((candidate) => containsAddress(range, candidate)),
      );
    },
  };
}

function parseEntry(entry: string, spec: string, hosts: Set<string>, ranges: Cidr[]): void {
  const invalid = (reason = ''): Error =>
    new Error(
      `Invalid SMTP allow-list entry "${entry}" in "${spec}"${reason}: expected ${ENTRY_FORMS}`,
    );

  const slash = entry.indexOf('/');
  if (slash >= 0) {
    ranges.push(parseCidr(entry.slice(0, slash), entry.slice(slash + 1), invalid));
    return;
  }
  const address = parseIpAddress(entry);
  if (address) {
    ranges.push([address, address.kind() === 'ipv4' ? 32 : 128]);
    return;
  }
  const name = normalizeHostName(entry);
  if (name === undefined) {
    throw invalid();
  }
  hosts.add(name);
}

function parseCidr(
  addressText: string,
  prefixText: string,
  invalid: (reason?: string) => Error,
): Cidr {
  const address = parseIpAddress(addressText);
  if (!address || !ALL_DIGITS.test(prefixText)) {
    throw invalid();
  }
  const prefix = Number(prefixText);
  const bits = address.kind() === 'ipv4' ? 32 : 128;
  if (prefix > bits) {
    throw invalid(` (the prefix length is more than ${bits})`);
  }
  // A range written with host bits set, such as 10.0.0.5/8, is more likely a typo for one address
  // than a deliberate range, so it is rejected with the network address to write instead.
  const network = networkAddress(address, prefix);
  if (network.toString() !== address.toString()) {
    throw invalid(` (host bits are set; the range is ${network.toString()}/${prefix})`);
  }
  return [address, prefix];
}

function networkAddress(
  address: ipaddr.IPv4 | ipaddr.IPv6,
  prefix: number,
): ipaddr.IPv4 | ipaddr.IPv6 {
  const bytes = address.toByteArray();
  const masked = bytes.map((byte, index) => {
    const bitsInByte = Math.min(8, Math.max(0, prefix - index * 8));
    return byte & ((0xff << (8 - bitsInByte)) & 0xff);
  });
  return ipaddr.fromByteArray(masked);
}

function containsAddress(range: Cidr, address: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const [network, prefix] = range;
  if (network.kind() !== address.kind()) {
    return false;
  }
  return address.match(network, prefix);
}
