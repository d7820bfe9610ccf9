import type { Resolver } from '../../dns/types.js';
import { finding } from '../findings.js';
import type { Finding } from '../types.js';
import { checkBimi } from './bimi.js';
import { checkBlocklists, normalizeZones } from './dnsbl.js';
import { normalizeDomain, parseIp } from './lookup.js';
import { checkMtaSts } from './mta-sts.js';
import { fetchMtaStsPolicyOverHttps } from './mta-sts-fetch.js';
import { checkMx } from './mx.js';
import { checkReverseDns } from './reverse-dns.js';
import { checkTlsRpt } from './tlsrpt.js';
import type {
  BlocklistResult,
  MtaStsPolicyFetcher,
  PartResult,
  RelatedInput,
  RelatedReport,
  ReverseDnsResult,
} from './types.js';

export type * from './types.js';
export { fetchMtaStsPolicyOverHttps } from './mta-sts-fetch.js';
export type { HttpsPolicyFetchOptions } from './mta-sts-fetch.js';

/**
 * Runs the checks that explain blocking beyond SPF, DKIM and DMARC: MX records, forward-
 * confirmed reverse DNS and DNS blocklist status of each sending IP, MTA-STS, TLS-RPT and BIMI.
 * All DNS queries go through `input.resolver`. The only other network access is the MTA-STS
 * policy fetch, and only when `_mta-sts.<domain>` has a record and no fetcher is given.
 * Throws an Error for an invalid blocklist zone in the options.
 */
export async function checkRelated(input: RelatedInput): Promise<RelatedReport> {
  const { resolver } = input;
  const domain = normalizeDomain(input.domain);
  const zones = normalizeZones(input.options?.dnsblZones ?? []);
  const fetchPolicy: MtaStsPolicyFetcher =
    input.options?.fetchMtaStsPolicy ?? ((name) => fetchMtaStsPolicyOverHttps(name, { resolver }));

  // Every part starts at once. MTA-STS coverage is judged against the MX hosts, so only that
  // step waits for the MX check.
  const mxPart = checkMx(resolver, domain);
  const mxReport = mxPart.then((part) => part.result);
  // checkMtaSts awaits the MX report only when a policy exists. This handler keeps a failed MX
  // check from becoming an unhandled rejection, and the Promise.all below reports the failure.
  mxReport.catch(() => undefined);
  const [mx, ips, mtaSts, tlsRpt, bimi] = await Promise.all([
    mxPart,
    Promise.resolve(input.sendingIps).then((ips) => checkSendingIps(resolver, ips, zones)),
    checkMtaSts(resolver, domain, mxReport, fetchPolicy),
    checkTlsRpt(resolver, domain),
    checkBimi(resolver, domain, input.dmarcPolicy),
  ]);

  return {
    mx: mx.result,
    reverseDns: ips.reverseDns,
    blocklists: ips.blocklists,
    mtaSts: mtaSts.result,
    tlsRpt: tlsRpt.result,
    bimi: bimi.result,
    findings: [
      ...mx.findings,
      ...ips.findings,
      ...mtaSts.findings,
      ...tlsRpt.findings,
      ...bimi.findings,
    ],
  };
}

interface SendingIpResults {
  reverseDns: ReverseDnsResult[];
  blocklists: BlocklistResult[];
  /** Reverse DNS findings first, then blocklist findings, each in the order of the IPs. */
  findings: Finding[];
}

/** Checks reverse DNS and blocklists of each distinct valid IP, and adds a finding for each invalid one. */
async function checkSendingIps(
  resolver: Resolver,
  sendingIps: string[],
  zones: string[],
): Promise<SendingIpResults> {
  const invalid: Finding[] = [];
  const valid: { ip: string; address: NonNullable<ReturnType<typeof parseIp>> }[] = [];
  for (const ip of new Set(sendingIps.map((text) => text.trim()))) {
    const address = parseIp(ip);
    if (address === undefined) {
      invalid.push(
        finding(
          'related.invalid_ip',
          'error',
          `Sending IP "${ip}" is not a valid IPv4 or IPv6 address, so it was not checked.`,
        ),
      );
    } else {
      valid.push({ ip, address });
    }
  }
  const [reverse, lists] = await Promise.all([
    Promise.all(valid.map(({ ip, address }) => checkReverseDns(resolver, ip, address))),
    Promise.all(valid.map(({ ip, address }) => checkBlocklists(resolver, ip, address, zones))),
  ]);
  return {
    reverseDns: reverse.map((part) => part.result),
    blocklists: lists.flatMap((part) => part.result),
    findings: [...invalid, ...collect(reverse), ...collect(lists)],
  };
}

function collect<T>(parts: PartResult<T>[]): Finding[] {
  return parts.flatMap((part) => part.findings);
}
