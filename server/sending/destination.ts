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

/** A checked destination for a manager's SMTP or IMAP server. */
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

/** The parts of the destination check that differ between SMTP and IMAP servers. */
interface Protocol {
  /** The protocol's name in messages, as in "The SMTP host ...". */
  name: string;
  ports: readonly number[];
  /** The ports as messages list them, e.g. `25, 465, 587 or 2525`. */
  portList: string;
  /** The kind of the listed ports, as in "Port 8080 is not <portKind>". */
  portKind: string;
  /** The verb of the refused action, as in "sending there is refused". */
  action: string;
  /** The error code of a refused destination. */
  refusedCode: string;
}

// 25: SMTP (RFC 5321); 465: submission over implicit TLS (RFC 8314); 587: submission (RFC 6409);
// 2525: not assigned to SMTP by IANA, but offered by some mail providers as an alternative where 25
// and 587 are blocked.
const SMTP: Protocol = {
  name: 'SMTP',
  ports: [25, 465, 587, 2525],
  portList: '25, 465, 587 or 2525',
  portKind: 'an SMTP submission port',
  action: 'sending',
  refusedCode: 'smtp_destination_refused',
};

// 143: IMAP (RFC 9051), with STARTTLS; 993: IMAP over implicit TLS (RFC 8314).
const IMAP: Protocol = {
  name: 'IMAP',
  ports: [143, 993],
  portList: '993 or 143',
  portKind: 'an IMAP port',
  action: 'connecting',
  refusedCode: 'imap_destination_refused',
};
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
  return resolveDestination(host, port, options, SMTP);
}

/**
 * Resolves a manager's IMAP host once and checks it by the rules of resolveSmtpDestination,
 * with the IMAP ports 993 and 143 in place of the SMTP ones and the same allow list. Throws
 * AppError 422 `imap_destination_refused`, 422 `imap_host_unresolved` or 503 `dns_unavailable`.
 */
export async function resolveImapDestination(
  host: string,
  port: number,
  options: DestinationOptions,
): Promise<SmtpDestination> {
  return resolveDestination(host, port, options, IMAP);
}

async function resolveDestination(
  host: string,
  port: number,
  options: DestinationOptions,
  protocol: Protocol,
): Promise<SmtpDestination> {
  const { resolver, allow } = options;
  const refused = refusal(protocol);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw refused(`Port ${port} is not a valid port number: use ${protocol.portList}.`, {
      host,
      port,
    });
  }

  const literal = parseLiteral(host, protocol);
  const addresses = literal
    ? [literal]
    : await lookupAddresses(host, hostNameOf(host, protocol), resolver, protocol);
  const checked = addresses.map(checkAddress);
  const hostAllowed = allow.allowsHost(host);

  for (const address of checked) {
    if (
      address.class.range !== 'unicast' &&
      !hostAllowed &&
      !allow.allowsAddress(address.original)
    ) {
      throw refusedAddress(host, port, address, literal !== undefined, protocol);
    }
  }

  const chosen = checked.find((address) => address.parsed.kind() === 'ipv4') ?? checked[0];
  if (!chosen) {
    // lookupAddresses throws when a name has no address, so this is unreachable.
    throw new Error(`No address to check for ${protocol.name} host ${host}`);
  }
  // The port exemption follows the address that the transport connects to, not every resolved one.
  if (!protocol.ports.includes(port) && !hostAllowed && !allow.allowsAddress(chosen.original)) {
    throw refused(
      `Port ${port} is not ${protocol.portKind}: use ${protocol.portList}. ` +
        `An operator can allow another port for this host with ${SMTP_ALLOW_SETTING}.`,
      { host, port },
    );
  }
  return { host, address: chosen.text, port };
}

/** Parses an IP literal host, bracketed or not. Returns undefined for a host name. */
function parseLiteral(host: string, protocol: Protocol): ParsedAddress | undefined {
  const unbracketed = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (unbracketed.includes(':') && unbracketed.includes('%')) {
    throw refusal(protocol)(
      `The ${protocol.name} host ${host} has an IPv6 zone index, which only link-local addresses use; ` +
        `${protocol.action} there is refused. Use a host name or a global address.`,
      { host },
    );
  }
  return parseIpAddress(unbracketed);
}

function hostNameOf(host: string, protocol: Protocol): string {
  const name = normalizeHostName(host);
  if (name === undefined) {
    throw refusal(protocol)(
      `The ${protocol.name} host "${host}" is not a valid host name or IP address. Use a name such as ` +
        `${protocol.name.toLowerCase()}.example.com, a dotted-quad IPv4 address or an IPv6 address.`,
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
  protocol: Protocol,
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
        `The DNS lookup of the ${protocol.name} host ${host} failed (${code ?? String(answer.reason)}); ` +
          'try again later.',
        { host, code },
      );
    }
    addresses.push(...parseAnswer(name, family, answer.value));
  }
  if (addresses.length === 0) {
    throw new AppError(
      422,
      `${protocol.name.toLowerCase()}_host_unresolved`,
      `The ${protocol.name} host ${host} does not resolve: it has no A or AAAA record. Check the host name.`,
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
  protocol: Protocol,
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
  return refusal(protocol)(
    `The ${protocol.name} host ${host} ${where} ${describeRange(range)}; ${protocol.action} there is refused. ` +
      `An operator can allow it with ${SMTP_ALLOW_SETTING}.`,
    { host, port, address: address.original, range },
  );
}

function refusal(protocol: Protocol) {
  return (message: string, details: Record<string, unknown>): AppError =>
    new AppError(422, protocol.refusedCode, message, details);
}
