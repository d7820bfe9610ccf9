import type { Resolver } from '../dns/types.js';
import { AppError } from '../errors.js';
import {
  classifyParsedAddress,
  connectableAddress,
  describeEmbedding,
  describeRange,
  formatAddress,
  parseIpAddress,
  type AddressClass,
} from './destination-address.js';
import { normalizeHostName, type AllowList } from './destination-allow-list.js';

export { parseAllowList, type AllowList } from './destination-allow-list.js';

/** A checked destination for a manager's SMTP server. */
export interface SmtpDestination {
  /** The host as configured, for TLS SNI and the certificate check. */
  host: string;
  /** The checked IP address to connect to. Connecting to any other address bypasses the check. */
  address: string;
  port: number;
}

export interface DestinationOptions {
  resolver: Resolver;
  allow: AllowList;
}

/** The name of the setting that exempts destinations, which error messages tell operators to use. */
export const SMTP_ALLOW_SETTING = 'DELIVERABILITY_SMTP_ALLOW';

// 25: SMTP (RFC 5321); 465: submission over implicit TLS (RFC 8314); 587: submission (RFC 6409);
// 2525: not assigned to SMTP by IANA, but offered by some mail providers as an alternative where 25
// and 587 are blocked.
const SMTP_PORTS: readonly number[] = [25, 465, 587, 2525];
const MISSING_NAME_CODES = new Set(['ENOTFOUND', 'ENODATA']);

type ParsedAddress = NonNullable<ReturnType<typeof parseIpAddress>>;

interface CheckedAddress {
  /** The address to connect to: the IPv4 address of an IPv4-mapped one, else the address. */
  parsed: ParsedAddress;
  /** `parsed` formatted for `net.connect`. */
  text: string;
  /** The address as resolved or written, for messages. */
  original: string;
  class: AddressClass;
}

/**
 * Classifies an IP address by the ipaddr.js range (`private`, `loopback`, `linkLocal`,
 * `carrierGradeNat`, `reserved`...) that decides where a connection to it goes, or returns
 * `unicast` for a public address. Addresses that embed an IPv4 address (IPv4-mapped, NAT64,
 * 6to4, Teredo) take the embedded address's range, and IPv6 addresses outside 2000::/3 are
 * `reserved`. Throws an Error for text that is not a strict IPv4 or IPv6 address.
 */
export function classifyAddress(address: string): string {
  const parsed = parseIpAddress(address);
  if (!parsed) {
    throw new Error(`Invalid IP address "${address}": expected dotted-quad IPv4 or IPv6`);
  }
  return classifyParsedAddress(parsed).range;
}

/**
 * Resolves an SMTP host once and checks where mail would go, so that a manager's settings
 * cannot make the server connect to itself, its private network or a cloud metadata service.
 * An IP literal is used without DNS; a name is resolved for A and AAAA records.
 *
 * Every resolved address must be public `unicast` and the port must be 25, 465, 587 or 2525,
 * unless `allow` names the host or contains the address. The returned `address` is the first
 * IPv4 address, else the first IPv6 address; connect to it and to nothing else.
 *
 * Throws AppError 422 `smtp_destination_refused` for an invalid host, a refused address or port,
 * 422 `smtp_host_unresolved` when the name has no address, and 503 `dns_unavailable` when the
 * lookup fails temporarily.
 */
export async function resolveSmtpDestination(
  host: string,
  port: number,
  options: DestinationOptions,
): Promise<SmtpDestination> {
  const { resolver, allow } = options;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw refused(`Port ${port} is not a valid port number: use 25, 465, 587 or 2525.`, {
      host,
      port,
    });
  }

  const literal = parseLiteral(host);
  const addresses = literal ? [literal] : await lookupAddresses(host, hostNameOf(host), resolver);
  const checked = addresses.map(checkAddress);
  const hostAllowed = allow.allowsHost(host);

  for (const address of checked) {
    if (
      address.class.range !== 'unicast' &&
      !hostAllowed &&
      !allow.allowsAddress(address.original)
    ) {
      throw refusedAddress(host, port, address, literal !== undefined);
    }
  }

  const chosen = checked.find((address) => address.parsed.kind() === 'ipv4') ?? checked[0];
  if (!chosen) {
    // lookupAddresses throws when a name has no address, so this is unreachable.
    throw new Error(`No address to check for SMTP host ${host}`);
  }
  // The port exemption follows the address that the transport connects to, not every resolved one.
  if (!SMTP_PORTS.includes(port) && !hostAllowed && !allow.allowsAddress(chosen.original)) {
    throw refused(
      `Port ${port} is not an SMTP submission port: use 25, 465, 587 or 2525. ` +
        `An operator can allow another port for this host with ${SMTP_ALLOW_SETTING}.`,
      { host, port },
    );
  }
  return { host, address: chosen.text, port };
}

/** Parses an IP literal host, bracketed or not. Returns undefined for a host name. */
function parseLiteral(host: string): ParsedAddress | undefined {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (unbracketed.includes(':') && unbracketed.includes('%')) {
    throw refused(
      `The SMTP host ${host} has an IPv6 zone index, which only link-local addresses use; ` +
        'sending there is refused. Use a host name or a global address.',
      { host },
    );
  }
  return parseIpAddress(unbracketed);
}

function hostNameOf(host: string): string {
  const name = normalizeHostName(host);
  if (name === undefined) {
    throw refused(
      `The SMTP host "${host}" is not a valid host name or IP address. Use a name such as ` +
        'smtp.example.com, a dotted-quad IPv4 address or an IPv6 address.',
      { host },
    );
  }
  return name;
}

/**
 * Resolves A and AAAA for `name` through the resolver. A family that is missing (ENOTFOUND or
 * ENODATA) contributes no address. Any other error fails the whole lookup, because an address
 * that could not be fetched could not be checked either.
 */
async function lookupAddresses(
  host: string,
  name: string,
  resolver: Resolver,
): Promise<ParsedAddress[]> {
  const answers = await Promise.allSettled([resolver(name, 'A'), resolver(name, 'AAAA')]);
  const addresses: ParsedAddress[] = [];
  for (const [index, answer] of answers.entries()) {
    const family = index === 0 ? 'ipv4' : 'ipv6';
    if (answer.status === 'rejected') {
      const code = (answer.reason as NodeJS.ErrnoException | undefined)?.code;
      if (code !== undefined && MISSING_NAME_CODES.has(code)) {
        continue;
      }
      throw new AppError(
        503,
        'dns_unavailable',
        `The DNS lookup of the SMTP host ${host} failed (${code ?? String(answer.reason)}); ` +
          'try again later.',
        { host, code },
      );
    }
    addresses.push(...parseAnswer(name, family, answer.value));
  }
  if (addresses.length === 0) {
    throw new AppError(
      422,
      'smtp_host_unresolved',
      `The SMTP host ${host} does not resolve: it has no A or AAAA record. Check the host name.`,
      { host },
    );
  }
  return addresses;
}

function parseAnswer(name: string, family: 'ipv4' | 'ipv6', value: unknown): ParsedAddress[] {
  const rrtype = family === 'ipv4' ? 'A' : 'AAAA';
  if (!Array.isArray(value)) {
    throw new Error(`The resolver returned a non-array ${rrtype} answer for ${name}`);
  }
  return value.map((entry: unknown) => {
    const parsed = typeof entry === 'string' ? parseIpAddress(entry) : undefined;
    if (!parsed || parsed.kind() !== family) {
      throw new Error(
        `The resolver returned an invalid ${rrtype} answer for ${name}: ${String(entry)}`,
      );
    }
    return parsed;
  });
}

function checkAddress(address: ParsedAddress): CheckedAddress {
  const connectable = connectableAddress(address);
  return {
    parsed: connectable,
    text: formatAddress(connectable),
    original: formatAddress(address),
    class: classifyParsedAddress(address),
  };
}

function refusedAddress(
  host: string,
  port: number,
  address: CheckedAddress,
  literal: boolean,
): AppError {
  const { range, embedded } = address.class;
  let where: string;
  if (literal) {
    where = embedded ? `is ${describeEmbedding(embedded)},` : 'is';
  } else {
    where = embedded
      ? `resolves to ${address.original} (${describeEmbedding(embedded)}),`
      : `resolves to ${address.original},`;
  }
  return refused(
    `The SMTP host ${host} ${where} ${describeRange(range)}; sending there is refused. ` +
      `An operator can allow it with ${SMTP_ALLOW_SETTING}.`,
    { host, port, address: address.original, range },
  );
}

function refused(message: string, details: Record<string, unknown>): AppError {
  return new AppError(422, 'smtp_destination_refused', message, details);
}
