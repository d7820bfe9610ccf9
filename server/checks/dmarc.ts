import type { Resolver } from '../dns/types.js';
import { normalizeDomain, organizationalDomain } from './alignment.js';
import { errorCode, isVoidError, joinTxt } from './dns-errors.js';
import { isDmarcRecord, isNearDmarcRecord, parseDmarcRecord } from './dmarc-record.js';
import { finding } from './findings.js';
import type { DmarcReport, Finding } from './types.js';

interface Discovery {
  records: string[];
  findings: Finding[];
  tempError?: string;
}

/**
 * Finds the DMARC record that applies to mail with `domain` in From (RFC 7489 6.6.3): the
 * record at `_dmarc.<domain>`, else the one at the organizational domain, whose `sp` then
 * applies. Several records at one name mean no DMARC processing.
 */
export async function checkDmarc(domain: string, resolver: Resolver): Promise<DmarcReport> {
  const name = normalizeDomain(domain);
  const orgDomain = organizationalDomain(name);
  const report = emptyReport(orgDomain);

  let recordDomain = name;
  let found = await discover(name, resolver);
  if (found.records.length === 0 && !found.tempError && orgDomain !== name) {
    report.findings.push(...found.findings);
    recordDomain = orgDomain;
    found = await discover(orgDomain, resolver);
  }
  report.findings.push(...found.findings);

  if (found.tempError) {
    report.status = 'temperror';
    report.findings.push(
      finding(
        'dmarc.temperror',
        'error',
        `The TXT lookup of _dmarc.${recordDomain} failed (${found.tempError}).`,
      ),
    );
    return report;
  }
  if (found.records.length === 0) {
    report.status = 'none';
    report.findings.push(missingFinding(name, orgDomain));
    return report;
  }
  if (found.records.length > 1) {
    report.status = 'permerror';
    report.findings.push(
      finding(
        'dmarc.multiple_records',
        'error',
        `_dmarc.${recordDomain} has ${found.records.length} DMARC records, so receivers apply no DMARC policy at all (RFC 7489 6.6.3).`,
        `Keep one TXT record at _dmarc.${recordDomain}.`,
      ),
    );
    return report;
  }
  return applyRecord(report, found.records[0] ?? '', recordDomain, name);
}

function applyRecord(
  report: DmarcReport,
  record: string,
  recordDomain: string,
  domain: string,
): DmarcReport {
  const parsed = parseDmarcRecord(record, `_dmarc.${recordDomain}`);
  const inherited = recordDomain !== domain;
  report.record = record;
  report.recordDomain = recordDomain;
  report.inherited = inherited;
  report.findings.push(...parsed.findings);
  report.status = parsed.valid ? 'valid' : 'permerror';
  report.subdomainPolicy = parsed.subdomainPolicy;
  // RFC 7489 6.3: sp applies only to subdomains that inherit the organizational record.
  report.policy = inherited ? parsed.subdomainPolicy : parsed.policy;
  report.pct = parsed.pct;
  report.adkim = parsed.adkim;
  report.aspf = parsed.aspf;
  report.rua = parsed.rua;
  if (report.policy === 'none') {
    report.findings.push(
      finding(
        'dmarc.policy_none',
        'info',
        `The DMARC policy for ${domain} is none: receivers deliver mail that fails DMARC, so forged mail is not stopped.`,
      ),
    );
  }
  return report;
}

async function discover(domain: string, resolver: Resolver): Promise<Discovery> {
  const name = `_dmarc.${domain}`;
  let texts: string[];
  try {
    texts = joinTxt(await resolver(name, 'TXT')).map((text) => text.trim());
  } catch (error) {
    return isVoidError(error)
      ? {
          records: [],
          findings: [],
        }
      : { records: [], findings: [], tempError: errorCode(error) };
  }
  const findings = texts
    .filter(isNearDmarcRecord)
    .map((text) =>
      finding(
        'dmarc.invalid_version',
        'error',
        `${name}: "${text}" does not start with "v=DMARC1" exactly (the value is case-sensitive), so receivers ignore it.`,
      ),
    );
  return { records: texts.filter(isDmarcRecord), findings };
}

function emptyReport(orgDomain: string): DmarcReport {
  return {
    record: null,
    recordDomain: null,
    organizationalDomain: orgDomain,
    inherited: false,
    policy: null,
    subdomainPolicy: null,
    pct: 100,
    adkim: 'r',
    aspf: 'r',
    rua: [],
    findings: [],
  };
}

function missingFinding(domain: string, orgDomain: string): Finding {
  return finding(
    'dmarc.missing',
    'warning',
    (orgDomain !== domain
      ? `Neither _dmarc.${domain} nor _dmarc.${orgDomain} has a`
      : `_dmarc.${domain} has no`) +
      ' DMARC record. Gmail and Yahoo require one from bulk senders, and nothing stops forged mail.',
    `TXT _dmarc.${orgDomain} "v=DMARC1; p=none; rua=mailto:dmarc-reports@${orgDomain}"`,
  );
}
