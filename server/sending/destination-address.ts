import net from 'node:net';
import ipaddr from 'ipaddr.js';

type ParsedAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** The range of an address, and the IPv4 address it embeds when the range was decided by that. */
export interface AddressClass {
  /** An ipaddr.js range name such as `private` or `loopback`, or `unicast`. */
  range: string;
  /** The embedded IPv4 address whose range `range` is, and how it is embedded. */
  embedded?: { via: string; address: string };
}

// RFC 4291 2.4 and the IANA IPv6 Address Space registry: only 2000::/3 is allocated as global
// unicast. ipaddr.js 2.5 calls everything it has no name for `unicast`, including the deprecated
// IPv4-compatible ::/96 (RFC 4291 2.5.5.1) and the unassigned 4000::/3.
const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');
// RFC 6052 2.1: the well-known NAT64 prefix, with the IPv4 address in the last 32 bits.
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');
const DOTTED_TAIL = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses an IP address in the strict forms that `net.isIP` accepts: dotted-quad IPv4 and IPv6
 * without a zone index. Returns undefined for anything else, including the inet_aton forms
 * (`127.1`, `0x7f000001`) that ipaddr.js would accept.
 */
export function parseIpAddress(text: string): ParsedAddress | undefined {
  if (net.isIPv4(text)) {
    return ipaddr.IPv4.parse(text);
  }
  if (!net.isIPv6(text) || text.includes('%')) {
    return undefined;
  }
  // ipaddr.js 2.5 reads `::a.b.c.d` as the IPv4-mapped `::ffff:a.b.c.d`, but the socket API
  // reads it as the IPv4-compatible ::a.b.c.d (RFC 4291 2.5.5.1). Rewriting the dotted tail
  // as two hex groups makes ipaddr.js parse the address that a connection would use.
  const hex = text.replace(DOTTED_TAIL, (_match, a: string, b: string, c: string, d: string) => {
    const high = (Number(a) << 8) | Number(b);
    const low = (Number(c) << 8) | Number(d);
    return `${high.toString(16)}:${low.toString(16)}`;
  });
  return ipaddr.IPv6.parse(hex);
}

/**
 * Returns the address that a connection to `address` reaches: the IPv4 address for an
 * IPv4-mapped IPv6 address, because a dual-stack socket sends IPv4 there, else the address itself.
 */
export function connectableAddress(address: ParsedAddress): ParsedAddress {
  if (address instanceof ipaddr.IPv6 && address.range() === 'ipv4Mapped') {
    return address.toIPv4Address();
  }
  return address;
}

/** Formats an address for `net.connect` and messages: dotted quad for IPv4, RFC 5952 for IPv6. */
export function formatAddress(address: ParsedAddress): string {
  return address instanceof ipaddr.IPv6 ? address.toRFC5952String() : address.toString();
}

/**
 * Classifies a parsed address by the ipaddr.js range that decides where a connection goes.
 * IPv4-mapped, IPv4-translated (RFC 6145), NAT64 (RFC 6052), 6to4 (RFC 3056) and Teredo
 * (RFC 4380) addresses take the range of the IPv4 address they embed.
 */
export function classifyParsedAddress(address: ParsedAddress): AddressClass {
  if (address instanceof ipaddr.IPv4) {
    return { range: address.range() };
  }
  const range: string = address.range();
  const parts = address.parts;
  switch (range) {
    case 'ipv4Mapped':
    case 'rfc6145':
      return embeddedClass(range, ipv4FromParts(parts[6], parts[7]));
    case 'rfc6052':
      if (address.match(NAT64_WELL_KNOWN)) {
        return embeddedClass(range, ipv4FromParts(parts[6], parts[7]));
      }
      // NOTE: the RFC 8215 local-use prefix 64:ff9b:1::/48 places the IPv4 address according to
      // the operator's prefix length (RFC 6052 2.2), which this code cannot know, so such an
      // address stays in the refused `rfc6052` range.
      return { range };
    case '6to4':
      // RFC 3056 2: 2002:V4ADDR::/48, with the IPv4 address in bits 16 to 47.
      return embeddedClass(range, ipv4FromParts(parts[1], parts[2]));
    case 'teredo':
      return teredoClass(parts);
    case 'unicast':
      return address.match(GLOBAL_UNICAST_V6) ? { range } : { range: 'reserved' };
    default:
      return { range };
  }
}

// RFC 4380 4: 2001:0:SERVER:FLAGS:PORT:CLIENT, where SERVER is the Teredo server's IPv4 address
// and CLIENT the client's public IPv4 address with every bit inverted. Traffic goes to the client,
// but the server's range is checked too, as the safer reading.
function teredoClass(parts: number[]): AddressClass {
  const server = ipv4FromParts(parts[2], parts[3]);
  const client = ipv4FromParts(~(parts[6] ?? 0) & 0xffff, ~(parts[7] ?? 0) & 0xffff);
  const clientClass = embeddedClass('teredo', client);
  const serverClass = embeddedClass('teredo', server);
  return clientClass.range === 'unicast' && serverClass.range !== 'unicast'
    ? serverClass
    : clientClass;
}

function embeddedClass(via: string, embedded: ipaddr.IPv4): AddressClass {
  return { range: embedded.range(), embedded: { via, address: embedded.toString() } };
}

function ipv4FromParts(high: number | undefined, low: number | undefined): ipaddr.IPv4 {
  const h = high ?? 0;
  const l = low ?? 0;
  return new ipaddr.IPv4([h >> 8, h & 0xff, l >> 8, l & 0xff]);
}

// The wording of each refused range in error messages. Ranges missing here are named by their
// ipaddr.js name.
const RANGE_PHRASES: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a shared address (carrier-grade NAT, RFC 6598)',
  private: 'a private address',
  reserved: 'a reserved or documentation address',
  uniqueLocal: 'a unique local address',
  deprecatedSiteLocal: 'a site-local address',
  discard: 'a discard-only address',
  benchmarking: 'a benchmarking address',
  rfc6052: 'a NAT64 local-use address',
};

const EMBEDDING_PHRASES: Record<string, string> = {
  ipv4Mapped: 'an IPv4-mapped address',
  rfc6145: 'an IPv4-translated address',
  rfc6052: 'a NAT64 address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
};

/** Describes a class for an error message, e.g. `a private address`. */
export function describeRange(range: string): string {
  return RANGE_PHRASES[range] ?? `an address in the ${range} range`;
}

/** Describes how an address embeds another, e.g. `a 6to4 address for 10.0.0.5`. */
export function describeEmbedding(embedded: { via: string; address: string }): string {
  const phrase = EMBEDDING_PHRASES[embedded.via] ?? `an address in the ${embedded.via} range`;
  return `${phrase} for ${embedded.address}`;
}
