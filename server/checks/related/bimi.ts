import type { Resolver } from '../../dns/types.js';
import { finding } from '../findings.js';
import type { Finding } from '../types.js';
import { lookupTxt } from './lookup.js';
import { parseTagList, recordsWithVersion, tagValue } from './tags.js';
import type { BimiReport, DmarcPolicyInput, PartResult } from './types.js';

const VERSION = 'v=BIMI1';

/**
 * Checks the BIMI record at `default._bimi.<domain>`: one record starting with `v=BIMI1`, an
 * https `l=` logo URL and an optional https `a=` certificate URL, and DMARC at enforcement,
 * without which receivers never show the logo. Never fetches the logo or the certificate.
 * `policyInput` is the domain's DMARC policy: undefined skips the DMARC requirement, and null
 * means the domain has no DMARC. It is awaited only after the lookup, so a DMARC check still
 * in progress does not delay the query.
 */
export async function checkBimi(
  resolver: Resolver,
  domain: string,
  policyInput:
    DmarcPolicyInput | null | undefined | PromiseLike<DmarcPolicyInput | null | undefined>,
): Promise<PartResult<BimiReport>> {
  const name = `default._bimi.${domain}`;
  const answer = await lookupTxt(resolver, name);
  const dmarcPolicy = await policyInput;
  const dmarcEnforced = dmarcPolicy === undefined ? null : isEnforced(dmarcPolicy);
  const empty: BimiReport = {
    status: 'none',
    name,
    record: null,
    logo: null,
    authority: null,
    dmarcEnforced,
  };
  if (answer.status === 'temperror') {
    return {
      result: { ...empty, status: 'temperror' },
      findings: [
        finding('bimi.temperror', 'warning', `The TXT lookup of ${name} failed (${answer.code}).`),
      ],
    };
  }

  const records = answer.status === 'found' ? recordsWithVersion(answer.answer, VERSION) : [];
  if (records.length === 0) {
    return { result: empty, findings: [] };
  }
  if (records.length > 1) {
    const result: BimiReport = { ...empty, status: 'invalid', record: records.join(' | ') };
    return {
      result,
      findings: [invalidFinding(name, `${records.length} v=BIMI1 records are published`)],
    };
  }
  const result = parseBimi({ ...empty, record: records[0] ?? '' });
  return { result: result.report, findings: bimiFindings(name, result, dmarcPolicy) };
}

// BIMI displays a logo only for mail that a DMARC policy of quarantine or reject covers in full.
function isEnforced(dmarc: DmarcPolicyInput | null): boolean {
  return dmarc !== null && dmarc.policy !== null && dmarc.policy !== 'none' && dmarc.pct === 100;
}

interface ParsedBimi {
  report: BimiReport;
  error: string | null;
}

function parseBimi(report: BimiReport): ParsedBimi {
  const tags = parseTagList(report.record ?? '');
  if (!tags.ok) {
    return { report: { ...report, status: 'invalid' }, error: tags.error };
  }
  const logo = tagValue(tags.tags, 'l');
  const authority = tagValue(tags.tags, 'a');
  const withUrls: BimiReport = { ...report, logo: logo || null, authority: authority || null };
  // An empty l= (and no a=) declares that the domain publishes no logo.
  if (!logo && !authority) {
    return { report: { ...withUrls, status: 'declined' }, error: null };
  }
  if (logo === undefined || logo === '') {
    return { report: { ...withUrls, status: 'invalid' }, error: 'the l= logo URL is missing' };
  }
  const badUrl = [logo, authority ?? ''].find((url) => url !== '' && !isHttpsUrl(url));
  if (badUrl !== undefined) {
    return { report: { ...withUrls, status: 'invalid' }, error: `"${badUrl}" is not an https URL` };
  }
  return { report: { ...withUrls, status: 'valid' }, error: null };
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

function bimiFindings(
  name: string,
  parsed: ParsedBimi,
  dmarcPolicy: DmarcPolicyInput | null | undefined,
): Finding[] {
  const { report } = parsed;
  const findings: Finding[] = [];
  if (parsed.error !== null) {
    findings.push(invalidFinding(name, parsed.error));
  }
  if (report.status === 'valid' && report.authority === null) {
    findings.push(
      finding(
        'bimi.no_certificate',
        'info',
        `The BIMI record at ${name} has no a= certificate URL; Gmail and Apple Mail show a logo only with a Verified Mark Certificate or Common Mark Certificate.`,
        'Obtain a VMC or CMC for the logo and publish its URL in a=.',
      ),
    );
  }
  if (report.status !== 'declined' && report.dmarcEnforced === false) {
    findings.push(dmarcFinding(name, dmarcPolicy ?? null));
  }
  return findings;
}

function dmarcFinding(name: string, dmarc: DmarcPolicyInput | null): Finding {
  const current =
    dmarc === null || dmarc.policy === null
      ? 'the domain has no DMARC policy'
      : `the DMARC policy is p=${dmarc.policy} with pct=${dmarc.pct}`;
  return finding(
    'bimi.dmarc_not_enforced',
    'warning',
    `A BIMI record is published at ${name}, but ${current}; receivers show the logo only under p=quarantine or p=reject with pct=100.`,
    'Move DMARC to p=quarantine or p=reject with pct=100 once reports show all legitimate mail passing.',
  );
}

function invalidFinding(name: string, reason: string): Finding {
  return finding(
    'bimi.invalid',
    'warning',
    `The BIMI record at ${name} is invalid: ${reason}. Receivers show no logo.`,
    `Publish one TXT record at ${name} of the form "v=BIMI1; l=https://<host>/logo.svg; a=https://<host>/vmc.pem".`,
  );
}
