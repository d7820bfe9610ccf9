import net from 'node:net';
import type { Resolver } from '../../dns/types.js';
import { finding } from '../findings.js';
import type { Finding } from '../types.js';
import { lookup, lookupAddresses, normalizeDomain } from './lookup.js';
import type { MxHost, MxReport, PartResult } from './types.js';

interface MxRecord {
  exchange: string;
  priority: number;
}

/**
 * Checks where mail to `domain` goes: its MX records sorted by priority, the RFC 7505 null MX,
 * the implicit MX of RFC 5321 5.1 when there is none, and whether each exchange resolves to an
 * address without an alias or an IP literal in between.
 */
export async function checkMx(resolver: Resolver, domain: string): Promise<PartResult<MxReport>> {
  const answer = await lookup<MxRecord[]>(resolver, domain, 'MX');
  if (answer.status === 'temperror') {
    return {
      result: { status: 'temperror', hosts: [], deliveryHosts: [] },
      findings: [
        finding(
          'mx.temperror',
          'warning',
          `The MX lookup for ${domain} failed (${answer.code}), so where its mail goes is unknown.`,
        ),
      ],
    };
  }
  if (answer.status === 'void' || answer.answer.length === 0) {
    return checkImplicitMx(resolver, domain);
  }
  const records = sortRecords(answer.answer);
  if (records.some(isNullMx)) {
    return nullMxResult(domain, records);
  }
  const hosts = await Promise.all(records.map((record) => checkMxHost(resolver, record)));
  return {
    result: { status: 'records', hosts, deliveryHosts: hosts.map((host) => host.exchange) },
    findings: hosts.flatMap((host) => mxHostFindings(domain, host)),
  };
}

function sortRecords(records: MxRecord[]): MxRecord[] {
  return records
    .map((record) => ({ exchange: normalizeDomain(record.exchange), priority: record.priority }))
    .sort((a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange));
}

// RFC 7505 3: a null MX is a single record with preference 0 and the root as exchange, which
// node:dns returns as an empty string.
function isNullMx(record: MxRecord): boolean {
  return record.exchange === '' || record.exchange === '.';
}

function nullMxResult(domain: string, records: MxRecord[]): PartResult<MxReport> {
  const findings: Finding[] = [
    finding(
      'mx.null',
      'warning',
      `${domain} publishes a null MX (RFC 7505): it accepts no mail, so bounces and replies ` +
        'sent to addresses at it are lost.',
      `Publish MX records for ${domain} that point at its mail servers, or send from a domain that receives mail.`,
    ),
  ];
  // RFC 7505 3: a domain with a null MX must not publish any other MX record.
  if (records.length > 1) {
    findings.push(
      finding(
        'mx.null_with_others',
        'error',
        `${domain} publishes a null MX together with ${records.length - 1} other MX record(s), which RFC 7505 3 forbids.`,
        'Remove the null MX ("0 .") or the other MX records.',
      ),
    );
  }
  return { result: { status: 'null', hosts: [], deliveryHosts: [] }, findings };
}

// RFC 5321 5.1: without MX records the domain itself is the mail host, as an implicit MX.
async function checkImplicitMx(resolver: Resolver, domain: string): Promise<PartResult<MxReport>> {
  const addresses = await lookupAddresses(resolver, domain);
  if (addresses.status === 'found') {
    return {
      result: { status: 'implicit', hosts: [], deliveryHosts: [domain] },
      findings: [
        finding(
          'mx.implicit',
          'info',
          `${domain} has no MX records, so senders deliver to its own address (RFC 5321 5.1).`,
          `Publish an MX record for ${domain} if its mail server is not at that address.`,
        ),
      ],
    };
  }
  if (addresses.status === 'temperror') {
    return {
      result: { status: 'temperror', hosts: [], deliveryHosts: [] },
      findings: [
        finding(
          'mx.temperror',
          'warning',
          `${domain} has no MX records and its address lookup failed (${addresses.code}).`,
        ),
      ],
    };
  }
  if (addresses.nxdomain) {
    return {
      result: { status: 'none', hosts: [], deliveryHosts: [] },
      findings: [
        finding(
          'domain.nxdomain',
          'error',
          `${domain} does not exist in DNS (NXDOMAIN): no record of any type is published at ` +
            'this name, so receivers reject mail from it.',
          `Check the spelling of ${domain}. If it is right, register the domain or add it to ` +
            'its DNS zone before it sends mail.',
        ),
      ],
    };
  }
  return {
    result: { status: 'none', hosts: [], deliveryHosts: [] },
    findings: [
      finding(
        'mx.none',
        'warning',
        `${domain} has neither MX records nor an address, so it receives no mail: bounces and ` +
          'replies sent to addresses at it are lost.',
        `Publish MX records for ${domain}.`,
      ),
    ],
  };
}

/** Returns true for an exchange written as an address, with or without brackets. */
function isIpLiteral(exchange: string): boolean {
  const bare =
    exchange.startsWith('[') && exchange.endsWith(']') ? exchange.slice(1, -1) : exchange;
  return net.isIP(bare.replace(/^ipv6:/i, '')) !== 0;
}

async function checkMxHost(resolver: Resolver, record: MxRecord): Promise<MxHost> {
  const host: MxHost = { ...record, status: 'ok', addresses: [], cname: null };
  // RFC 5321 5.1: the exchange must be a domain name. Senders look an IP literal up as a name,
  // which normally does not exist, so mail to it fails.
  if (isIpLiteral(record.exchange)) {
    return { ...host, status: 'ip_literal' };
  }
  const [alias, addresses] = await Promise.all([
    lookup<string[]>(resolver, record.exchange, 'CNAME'),
    lookupAddresses(resolver, record.exchange),
  ]);
  if (alias.status === 'found' && alias.answer[0] !== undefined) {
    host.cname = normalizeDomain(alias.answer[0]);
  }
  if (addresses.status === 'found') {
    return { ...host, addresses: addresses.answer };
  }
  return { ...host, status: addresses.status === 'void' ? 'unresolved' : 'temperror' };
}

function mxHostFindings(domain: string, host: MxHost): Finding[] {
  const findings: Finding[] = [];
  const label = `MX ${host.priority} ${host.exchange} of ${domain}`;
  if (host.status === 'ip_literal') {
    findings.push(
      finding(
        'mx.ip_literal',
        'warning',
        `${label} is an IP address, but an MX exchange must be a host name (RFC 5321 5.1), so senders cannot deliver to it.`,
        `Point the MX record at a host name with an A record for ${host.exchange}.`,
      ),
    );
    return findings;
  }
  if (host.cname !== null) {
    findings.push(
      finding(
        'mx.cname',
        'warning',
        `${label} is an alias (CNAME to ${host.cname}); RFC 2181 10.3 requires the exchange to have its own address records, and some senders reject the alias.`,
        `Point the MX record at ${host.cname} directly.`,
      ),
    );
  }
  if (host.status === 'unresolved') {
    findings.push(
      finding(
        'mx.host_unresolved',
        'error',
        `${label} has no A or AAAA record, so mail to ${domain} cannot be delivered to it.`,
        `Publish an address for ${host.exchange} or remove the MX record.`,
      ),
    );
  } else if (host.status === 'temperror') {
    findings.push(
      finding('mx.host_temperror', 'warning', `The address lookup of ${label} failed temporarily.`),
    );
  }
  return findings;
}
