import type { Resolver } from '../dns/types.js';
import { organizationalDomain } from './alignment.js';
import { errorCode, isVoidError, joinTxt } from './dns-errors.js';
import { isDmarcRecord } from './dmarc-record.js';
import type { ParsedDmarc } from './dmarc-record.js';
import { finding } from './findings.js';
import type { DmarcReport, Finding } from './types.js';

type ExternalReport = NonNullable<DmarcReport['externalReports']>[number];

interface Verification {
  report: ExternalReport;
  /** The DNS error code when the authorization lookup failed for a reason other than a void answer. */
  error?: string;
}

/**
 * Verifies each rua and ruf destination outside the organizational domain of `recordDomain`
 * (RFC 7489 7.1): the destination must publish a TXT record starting with `v=DMARC1` at
 * `<recordDomain>._report._dmarc.<destination>`, or receivers send it no reports.
 */
export async function checkExternalReports(
  parsed: ParsedDmarc,
  recordDomain: string,
  resolver: Resolver,
): Promise<{ reports: ExternalReport[]; findings: Finding[] }> {
  const ownOrg = organizationalDomain(recordDomain);
  const seen = new Set<string>();
  const pending: Promise<Verification>[] = [];
  for (const { tag, entry } of parsed.reportUris) {
    const destination = entry.domain;
    if (destination === null || organizationalDomain(destination) === ownOrg) {
      continue;
    }
    const key = `${tag} ${destination}`;
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    pending.push(verifyDestination(tag, entry.uri, destination, recordDomain, resolver));
  }
  const verifications = await Promise.all(pending);
  return {
    reports: verifications.map((item) => item.report),
    findings: verifications.flatMap((item) => verificationFindings(item, recordDomain)),
  };
}

async function verifyDestination(
  tag: 'rua' | 'ruf',
  uri: string,
  destination: string,
  recordDomain: string,
  resolver: Resolver,
): Promise<Verification> {
  const authorizationName = `${recordDomain}._report._dmarc.${destination}`;
  const report = { tag, uri, destination, authorizationName };
  try {
    const texts = joinTxt(await resolver(authorizationName, 'TXT'));
    return { report: { ...report, authorized: texts.some((text) => isDmarcRecord(text)) } };
  } catch (error) {
    if (isVoidError(error)) {
      return { report: { ...report, authorized: false } };
    }
    return { report: { ...report, authorized: null }, error: errorCode(error) };
  }
}

function verificationFindings({ report, error }: Verification, recordDomain: string): Finding[] {
  const ownOrg = organizationalDomain(recordDomain);
  if (report.authorized === true) {
    return [];
  }
  if (report.authorized === null) {
    return [
      finding(
        'dmarc.external_report_temperror',
        'warning',
        `The TXT lookup of ${report.authorizationName} failed (${error ?? 'EUNKNOWN'}), so we could not verify that ${report.destination} accepts DMARC reports for ${recordDomain}.`,
      ),
    ];
  }
  return [
    finding(
      'dmarc.external_report_unauthorized',
      'warning',
      `_dmarc.${recordDomain}: ${report.tag} sends reports to ${report.destination}, which is outside ${ownOrg}, but ${report.authorizationName} has no "v=DMARC1" TXT record, so receivers send no reports there (RFC 7489 7.1).`,
      `Ask the owner of ${report.destination} to publish TXT ${report.authorizationName} "v=DMARC1", or send ${report.tag} reports to an address at ${ownOrg}.`,
    ),
  ];
}
