import type { Resolver } from '../../dns/types.js';
import { finding } from '../findings.js';
import type { Finding } from '../types.js';
import { lookupTxt } from './lookup.js';
import { matchMxPattern, parseStsPolicy, parseStsRecord } from './mta-sts-policy.js';
import { recordsWithVersion } from './tags.js';
import type { MtaStsPolicyFetcher, MtaStsReport, MxReport, PartResult } from './types.js';

const VERSION = 'v=STSv1';
// RFC 8461 3.2 recommends a max_age of weeks or more, so that a policy outlives an attack.
const SHORT_MAX_AGE_SECONDS = 86_400;

/**
 * Checks MTA-STS (RFC 8461): the `_mta-sts.<domain>` TXT record, the policy that `fetchPolicy`
 * returns, and whether the policy's `mx` patterns cover every host in `mx.deliveryHosts`. `mx`
 * is awaited only for that coverage, so the lookup and the fetch do not wait for the MX check.
 */
export async function checkMtaSts(
  resolver: Resolver,
  domain: string,
  mx: MxReport | PromiseLike<MxReport>,
  fetchPolicy: MtaStsPolicyFetcher,
): Promise<PartResult<MtaStsReport>> {
  const name = `_mta-sts.${domain}`;
  const empty: MtaStsReport = { status: 'none', records: [], id: null, policy: null, coverage: [] };
  const answer = await lookupTxt(resolver, name);
  if (answer.status === 'temperror') {
    return {
      result: { ...empty, status: 'temperror' },
      findings: [
        finding(
          'mta_sts.temperror',
          'warning',
          `The TXT lookup of ${name} failed (${answer.code}).`,
        ),
      ],
    };
  }

  const records = answer.status === 'found' ? recordsWithVersion(answer.answer, VERSION) : [];
  if (records.length === 0) {
    return { result: empty, findings: [] };
  }

  // RFC 8461 3.1: unless exactly one valid record remains, senders assume there is no policy.
  if (records.length > 1) {
    const reason = `${records.length} v=STSv1 records are published`;
    return {
      result: { ...empty, status: 'invalid', records },
      findings: [recordFinding(name, reason)],
    };
  }
  const record = parseStsRecord(records[0] ?? '');
  if (!record.ok) {
    return {
      result: { ...empty, status: 'invalid', records },
      findings: [recordFinding(name, record.error)],
    };
  }
  const withId: MtaStsReport = { ...empty, records, id: record.id };
  return checkPolicy(domain, withId, mx, fetchPolicy);
}

async function checkPolicy(
  domain: string,
  report: MtaStsReport,
  mx: MxReport | PromiseLike<MxReport>,
  fetchPolicy: MtaStsPolicyFetcher,
): Promise<PartResult<MtaStsReport>> {
  const url = `https://mta-sts.${domain}/.well-known/mta-sts.txt`;
  let text: string | null;
  try {
    text = await fetchPolicy(domain);
  } catch (error) {
    const reason = (error as Error).message;
    return {
      result: { ...report, status: 'fetch_failed' },
      findings: [policyFinding('mta_sts.fetch_failed', `fetching ${url} failed: ${reason}`)],
    };
  }
  if (text === null) {
    return {
      result: { ...report, status: 'policy_missing' },
      findings: [policyFinding('mta_sts.policy_missing', `${url} answered 404 Not Found`)],
    };
  }

  const parsed = parseStsPolicy(text);
  if (!parsed.ok) {
    return {
      result: { ...report, status: 'policy_invalid' },
      findings: [
        policyFinding('mta_sts.policy_invalid', `the policy at ${url} is invalid: ${parsed.error}`),
      ],
    };
  }

  const { policy } = parsed;
  const findings: Finding[] = [];
  if (policy.mode !== 'none' && policy.maxAge < SHORT_MAX_AGE_SECONDS) {
    findings.push(
      finding(
        'mta_sts.short_max_age',
        'info',
        `The MTA-STS policy's max_age is ${policy.maxAge} seconds; RFC 8461 3.2 recommends weeks or more.`,
        'Set max_age to at least 604800 (one week) once the policy is stable.',
      ),
    );
  }
  const { deliveryHosts } = await mx;
  const coverage =
    policy.mode === 'none'
      ? []
      : deliveryHosts.map((host) => ({ host, pattern: matchMxPattern(host, policy.mx) }));
  findings.push(...coverageFindings(domain, policy.mode, policy.mx, coverage));
  return { result: { ...report, status: 'valid', policy, coverage }, findings };
}

function coverageFindings(
  domain: string,
  mode: 'enforce' | 'testing' | 'none',
  patterns: string[],
  coverage: { host: string; pattern: string | null }[],
): Finding[] {
  const uncovered = coverage.filter((item) => item.pattern === null).map((item) => item.host);
  if (uncovered.length === 0) {
    return [];
  }
  const hosts = uncovered.join(', ');
  const fix = `Add "mx: ${uncovered[0]}" to the policy (or fix the MX records), then change the id in the _mta-sts TXT record.`;
  if (mode === 'enforce') {
    return [
      finding(
        'mta_sts.mx_not_covered',
        'error',
        `The MTA-STS policy of ${domain} is in enforce mode but does not list MX host ${hosts} (policy mx: ${patterns.join(', ')}); senders that honor MTA-STS refuse to deliver there, so their mail fails.`,
        fix,
      ),
    ];
  }
  return [
    finding(
      'mta_sts.mx_not_covered',
      'warning',
      `The MTA-STS policy of ${domain} is in testing mode and does not list MX host ${hosts}; mail still flows, but switching to enforce would make it fail.`,
      fix,
    ),
  ];
}

function recordFinding(name: string, reason: string): Finding {
  return finding(
    'mta_sts.invalid_record',
    'warning',
    `The MTA-STS record at ${name} is invalid: ${reason}. Senders treat the domain as having no MTA-STS policy (RFC 8461 3.1).`,
    `Publish exactly one TXT record at ${name} of the form "v=STSv1; id=20260101T000000", with an id of 1 to 32 letters and digits.`,
  );
}

// A sender that cached an earlier policy keeps applying it until max_age runs out, so a broken
// policy endpoint can still block mail.
function policyFinding(code: string, reason: string): Finding {
  return finding(
    code,
    'warning',
    `MTA-STS is announced in DNS, but ${reason}; senders apply no new policy, and a cached one stays in force until its max_age expires.`,
    'Serve the policy over HTTPS with a valid certificate for the mta-sts host, or remove the _mta-sts TXT record.',
  );
}
