import type { ReverseDnsResult } from './related/types.js';
import type { MethodVerdict, RequirementCheck } from './types.js';

const BULK_RECEIVERS = ['Google', 'Yahoo', 'Microsoft'];

function check(
  id: RequirementCheck['id'],
  label: string,
  status: RequirementCheck['status'],
  detail: string,
): RequirementCheck {
  return { id, label, receivers: BULK_RECEIVERS, status, detail };
}

function reverseDnsCheck(verdict: MethodVerdict, reverseDns: ReverseDnsResult[]): RequirementCheck {
  const label = 'Sending IPs have reverse DNS that resolves back (FCrDNS)';
  const ips = verdict.identities.sendingIps;
  if (ips.length === 0) {
    return check(
      'reverse_dns',
      label,
      'unknown',
      "The sending IPs are the provider's and are not known to this check.",
    );
  }
  const results = ips.map((ip) => reverseDns.find((r) => r.ip === ip)?.status ?? 'temperror');
  const failed = ips.filter((_, i) => results[i] === 'none' || results[i] === 'mismatch');
  if (failed.length > 0) {
    return check(
      'reverse_dns',
      label,
      'fail',
      `No confirmed reverse DNS for ${failed.join(', ')}.`,
    );
  }
  if (results.some((r) => r === 'temperror')) {
    return check(
      'reverse_dns',
      label,
      'unknown',
      'A reverse DNS lookup failed; check again later.',
    );
  }
  return check('reverse_dns', label, 'pass', `Confirmed for ${ips.join(', ')}.`);
}

/**
 * The sender requirements Google and Yahoo enforce for bulk senders since
 * February 2024, and Microsoft (Outlook.com) since May 2025, as far as DNS
 * shows them: SPF and DKIM pass, a DMARC record (p=none at least) that
 * passes with alignment, and confirmed reverse DNS.
 */
export function requirementsFor(
  verdict: MethodVerdict,
  reverseDns: ReverseDnsResult[] = [],
): RequirementCheck[] {
  const from = verdict.identities.headerFrom;
  return [
    check(
      'spf_pass',
      'SPF passes',
      verdict.spf.result === 'pass' ? 'pass' : 'fail',
      `SPF ${verdict.spf.result} for ${verdict.spf.domain}.`,
    ),
    check(
      'dkim_pass',
      'DKIM passes',
      verdict.dkim.result === 'pass' ? 'pass' : 'fail',
      verdict.dkim.domain
        ? `DKIM ${verdict.dkim.result} for ${verdict.dkim.domain}.`
        : 'No DKIM signature.',
    ),
    check(
      'dmarc_record',
      'A DMARC record exists (p=none at least)',
      verdict.dmarc.policy ? 'pass' : 'fail',
      verdict.dmarc.policy
        ? `p=${verdict.dmarc.policy} applies to ${from}.`
        : `No DMARC record applies to ${from}.`,
    ),
    check(
      'dmarc_alignment',
      'DMARC passes: SPF or DKIM aligns with the From domain',
      verdict.dmarc.result === 'pass'
        ? 'pass'
        : verdict.dmarc.result === 'temperror'
          ? 'unknown'
          : 'fail',
      `DMARC ${verdict.dmarc.result}; SPF ${verdict.spf.aligned ? 'aligned' : 'not aligned'}, DKIM ${verdict.dkim.aligned ? 'aligned' : 'not aligned'}.`,
    ),
    reverseDnsCheck(verdict, reverseDns),
  ];
}
