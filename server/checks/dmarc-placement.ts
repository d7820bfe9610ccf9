import type { Resolver } from '../dns/types.js';
import { joinTxt } from './dns-errors.js';
import { isDmarcRecord } from './dmarc-record.js';
import { finding } from './findings.js';
import type { Finding, Severity } from './types.js';

// RFC 1035 2.3.4: a name is at most 255 octets on the wire, 253 characters as text.
const MAX_NAME_LENGTH = 253;

interface Probe {
  code: string;
  name: string;
  message: (text: string) => string;
  fix: (text: string) => string;
}

/**
 * Looks for DMARC records that receivers never query because they sit at the wrong name: at
 * the domain itself, at `dmarc.<domain>` without the underscore, or, when `_dmarc.<domain>`
 * has no record, at `_dmarc.<domain>.<domain>`, the name a zone file makes of
 * `_dmarc.<domain>` written without its trailing dot. A misplaced record is a warning when
 * `_dmarc.<domain>` has none and information otherwise. Failed lookups add no finding, because
 * the lookup of `_dmarc.<domain>` reports the DNS problem.
 */
export async function findMisplacedRecords(
  domain: string,
  resolver: Resolver,
  hasRecord: boolean,
): Promise<Finding[]> {
  const probes = [apexProbe(domain), underscoreProbe(domain)];
  const doubled = `_dmarc.${domain}.${domain}`;
  if (!hasRecord && doubled.length <= MAX_NAME_LENGTH) {
    probes.push(doubledProbe(domain, doubled));
  }
  const severity: Severity = hasRecord ? 'info' : 'warning';
  const results = await Promise.all(probes.map((probe) => runProbe(probe, resolver, severity)));
  return results.flat();
}

/**
 * Starts the probes at the domain itself and at `dmarc.<domain>`, whose names depend on no
 * DNS response, so that `findMisplacedRecords` later reads them from the resolver's cache.
 */
export function startMisplacedProbes(domain: string, resolver: Resolver): void {
  for (const probe of [apexProbe(domain), underscoreProbe(domain)]) {
    resolver(probe.name, 'TXT').catch(() => undefined);
  }
}

async function runProbe(probe: Probe, resolver: Resolver, severity: Severity): Promise<Finding[]> {
  let texts: string[];
  try {
    texts = joinTxt(await resolver(probe.name, 'TXT')).map((text) => text.trim());
  } catch {
    return [];
  }
  return texts
    .filter(isDmarcRecord)
    .map((text) => finding(probe.code, severity, probe.message(text), probe.fix(text)));
}

function apexProbe(domain: string): Probe {
  return {
    code: 'dmarc.misplaced_apex',
    name: domain,
    message: (text) =>
      `${domain} itself has the DMARC record "${text}", but receivers look for it only at _dmarc.${domain} (RFC 7489 6.1), so they ignore it.`,
    fix: (text) => `TXT _dmarc.${domain} "${text}" (then delete the record at ${domain})`,
  };
}

function underscoreProbe(domain: string): Probe {
  return {
    code: 'dmarc.misplaced_no_underscore',
    name: `dmarc.${domain}`,
    message: (text) =>
      `dmarc.${domain} has the DMARC record "${text}", but receivers look for it only at _dmarc.${domain}, with a leading underscore (RFC 7489 6.1), so they ignore it.`,
    fix: (text) => `TXT _dmarc.${domain} "${text}" (then delete the record at dmarc.${domain})`,
  };
}

function doubledProbe(domain: string, doubled: string): Probe {
  return {
    code: 'dmarc.misplaced_doubled_name',
    name: doubled,
    message: (text) =>
      `The DMARC record "${text}" is at ${doubled}, not at _dmarc.${domain}, so receivers never find it. A zone file makes this name of "_dmarc.${domain}" written without its trailing dot.`,
    fix: (text) =>
      `TXT _dmarc.${domain}. "${text}" (in a zone file, end the name with a dot or write it as "_dmarc"; then delete ${doubled})`,
  };
}
