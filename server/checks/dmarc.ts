import type { Resolver } from '../dns/types.js';
import { normalizeDomain, organizationalDomain } from './alignment.js';
import { errorCode, isVoidError, joinTxt } from './dns-errors.js';
import { findMisplacedRecords, startMisplacedProbes } from './dmarc-placement.js';
import { isDmarcRecord, isNearDmarcRecord, parseDmarcRecord } from './dmarc-record.js';
import { checkExternalReports } from './dmarc-reports.js';
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
 * applies. Several records at one name mean no DMARC processing. Also reports records at
 * names receivers never query, and external report destinations that do not accept reports.
 */
export async function checkDmarc(domain: string, resolver: Resolver): Promise<DmarcReport> {
  const name = normalizeDomain(domain);
  // RFC 7489 3.2: the organizational domain comes from the Public Suffix List, so
  // mail.example.co.uk falls back to example.co.uk, not co.uk.
  // NOTE: DMARCbis replaces the list with a walk up the DNS tree, which this does not do.
  const orgDomain = organizationalDomain(name);
  const report = emptyReport(orgDomain);

  let recordDomain = name;
  startMisplacedProbes(name, resolver);
  let found = await discover(name, resolver);
  if (found.records.length === 0 && !found.tempError && orgDomain !== name) {
    // The organizational domain's lookups do not wait for the probes of `name`.
    startMisplacedProbes(orgDomain, resolver);
    const [misplaced, orgFound] = await Promise.all([
      findMisplacedRecords(name, resolver, false),
      discover(orgDomain, resolver),
    ]);
    report.findings.push(...found.findings, ...misplaced);
    recordDomain = orgDomain;
    found = orgFound;
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
  report.findings.push(
    ...(await findMisplacedRecords(recordDomain, resolver, found.records.length > 0)),
  );
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
  return applyRecord(report, found.records[0] ?? '', recordDomain, name, resolver);
}

async function applyRecord(
  report: DmarcReport,
  record: string,
  recordDomain: string,
  domain: string,
  resolver: Resolver,
): Promise<DmarcReport> {
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
  report.ruf = parsed.ruf;
  report.failureOptions = parsed.failureOptions;
  report.reportInterval = parsed.reportInterval;
  report.nonexistentPolicy = parsed.nonexistentPolicy;
  report.testing = parsed.testing;
  if (report.policy === 'none') {
    report.findings.push(
      finding(
        'dmarc.policy_none',
        'info',
        `The DMARC policy for ${domain} is none: receivers deliver mail that fails DMARC, so forged mail is not stopped.`,
      ),
    );
  }
  const external = await checkExternalReports(parsed, recordDomain, resolver);
  report.externalReports = external.reports;
  report.findings.push(...external.findings);
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
  const findings = texts.flatMap((text) => versionFindings(name, text));
  return { records: texts.filter(isDmarcRecord), findings };
}

function versionFindings(name: string, text: string): Finding[] {
  if (isNearDmarcRecord(text)) {
    return [
      finding(
        'dmarc.invalid_version',
        'error',
        `${name}: "${text}" does not start with "v=DMARC1" exactly (the value is case-sensitive), so receivers ignore it.`,
      ),
    ];
  }
  // RFC 7489 6.4: v must be the first tag, so a record with v=DMARC1 later on is no record.
  if (!isDmarcRecord(text) && /(^|;)\s*v\s*=\s*DMARC1\s*(;|$)/i.test(text)) {
    return [
      finding(
        'dmarc.version_not_first',
        'error',
        `${name}: "${text}" has "v=DMARC1" but not as its first tag, so receivers ignore it (RFC 7489 6.4).`,
        `Start the record with "v=DMARC1;", as in "v=DMARC1; p=none".`,
      ),
    ];
  }
  return [];
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
