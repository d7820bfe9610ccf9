import type { Resolver } from '../dns/types.js';
import { assessDkimRecord } from './dkim-record.js';
import { errorCode, isVoidError, joinTxt } from './dns-errors.js';
import { finding } from './findings.js';
import { GOOGLE, MANDRILL, MICROSOFT } from './providers.js';
import type { DkimReport, DkimSelectorReport, PlatformIdentity } from './types.js';

export interface SelectorProbe {
  selector: string;
  domain: string;
  usedBy: string[];
}

/** Lists the selectors worth probing for `domain`, merged so that each name is queried once. */
export function selectorProbes(
  domain: string,
  platform: PlatformIdentity,
  extraSelectors: string[] = [],
): SelectorProbe[] {
  const probes = new Map<string, SelectorProbe>();
  const add = (selector: string, probeDomain: string, usedBy: string): void => {
    const key = `${selector.toLowerCase()}._domainkey.${probeDomain.toLowerCase()}`;
    const existing = probes.get(key);
    if (existing) {
      if (!existing.usedBy.includes(usedBy)) {
        existing.usedBy.push(usedBy);
      }
      return;
    }
    probes.set(key, {
      selector: selector.toLowerCase(),
      domain: probeDomain.toLowerCase(),
      usedBy: [usedBy],
    });
  };
  for (const selector of MANDRILL.dkimSelectors) {
    add(selector, domain, 'mandrill');
  }
  // The default method signs with the platform's own domain, never the customer's.
  add(platform.dkimSelector, platform.dkimDomain, 'default');
  for (const provider of [GOOGLE, MICROSOFT]) {
    for (const selector of provider.dkimSelectors) {
      add(selector, domain, provider.id);
    }
  }
  for (const selector of extraSelectors) {
    add(selector, domain, 'configured');
  }
  return [...probes.values()];
}

/** Probes every selector in parallel and validates each key found. */
export async function checkDkim(probes: SelectorProbe[], resolver: Resolver): Promise<DkimReport> {
  const selectors = await Promise.all(probes.map((probe) => probeSelector(probe, resolver)));
  const findings = selectors.flatMap((report) => report.findings);
  return { selectors, findings };
}

async function probeSelector(
  probe: SelectorProbe,
  resolver: Resolver,
): Promise<DkimSelectorReport> {
  const name = `${probe.selector}._domainkey.${probe.domain}`;
  const report: DkimSelectorReport = {
    selector: probe.selector,
    name,
    usedBy: probe.usedBy,
    status: 'missing',
    findings: [],
  };
  // The CNAME query runs beside the TXT query: node's resolver already follows a CNAME for
  // TXT, and the separate answer names the target for the report.
  const cname = lookupCname(name, resolver);
  let records: string[];
  try {
    records = joinTxt(await resolver(name, 'TXT'));
  } catch (error) {
    if (!isVoidError(error)) {
      report.status = 'temperror';
      report.findings.push(
        finding('dkim.temperror', 'error', `${name}: the TXT lookup failed (${errorCode(error)}).`),
      );
      return report;
    }
    records = [];
  }

  const target = await cname;
  if (target) {
    report.cnameTarget = target;
  }
  checkMandrillCname(probe, name, target, report);
  if (records.length === 0) {
    if (target) {
      report.findings.push(danglingCname(name, target));
    }
    return report;
  }
  if (records.length > 1) {
    report.status = 'invalid';
    report.record = records.join(' | ');
    report.findings.push(
      finding(
        'dkim.multiple_records',
        'error',
        `${name} has ${records.length} TXT records; verifiers cannot tell which key to use, and many read only the first.`,
        `Keep one TXT record at ${name}.`,
      ),
    );
    return report;
  }

  const record = records[0] ?? '';
  const assessment = assessDkimRecord(record, name);
  report.record = record;
  report.status = assessment.status;
  if (assessment.keyType) {
    report.keyType = assessment.keyType;
  }
  if (assessment.keyBits !== undefined) {
    report.keyBits = assessment.keyBits;
  }
  report.findings.push(...assessment.findings);
  return report;
}

/** Returns the CNAME target of `name`, lower case without the final dot, or undefined. */
async function lookupCname(name: string, resolver: Resolver): Promise<string | undefined> {
  try {
    const answer = (await resolver(name, 'CNAME')) as unknown[];
    const target = answer[0];
    return typeof target === 'string' ? target.toLowerCase().replace(/\.$/, '') : undefined;
  } catch {
    // A missing CNAME is the usual case; other errors are reported through the TXT lookup.
    return undefined;
  }
}

function danglingCname(name: string, target: string): ReturnType<typeof finding> {
  return finding(
    'dkim.cname_without_key',
    'warning',
    `${name} is a CNAME to ${target}, which has no TXT record, so signatures with this selector fail.`,
    `Ask the sending service to publish the key at ${target}, or remove the CNAME if the service is no longer used.`,
  );
}

/** Checks that Mandrill's mte1/mte2 selectors are CNAMEs to Mandrill's key names. */
function checkMandrillCname(
  probe: SelectorProbe,
  name: string,
  target: string | undefined,
  report: DkimSelectorReport,
): void {
  const expected = MANDRILL.cnameTargets[probe.selector];
  if (!expected || !probe.usedBy.includes('mandrill')) {
    return;
  }
  if (target && target !== expected) {
    report.findings.push(
      finding(
        'dkim.mandrill_cname_target',
        'warning',
        `${name} points to ${target}, but Mandrill expects ${expected}.`,
        `CNAME ${name} ${expected}`,
      ),
    );
  }
}
