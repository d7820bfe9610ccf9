import type { BlocklistResult } from './related/types.js';
import type { MethodVerdict, SendingMethod } from './types.js';

/**
 * Lowers the outcome of each method whose sending IPs a blocklist lists: receivers that use
 * the list refuse the connection before any SPF, DKIM or DMARC check, so a domain set up
 * correctly is still at risk. A `reject` or `quarantine` stays as it is, being worse already.
 */
export function applyBlocklists(
  methods: Record<SendingMethod, MethodVerdict>,
  blocklists: BlocklistResult[],
): void {
  for (const verdict of Object.values(methods)) {
    const ips = new Set(verdict.identities.sendingIps);
    const listings = blocklists.filter(
      (result) => result.status === 'listed' && ips.has(result.ip),
    );
    if (listings.length === 0) continue;
    if (verdict.outcome === 'deliver') verdict.outcome = 'at_risk';
    for (const listing of listings) {
      verdict.reasons.push(
        `The sending IP ${listing.ip} is listed on ${listing.zone} (${listing.codes.join(', ')}), so receivers that use this list refuse its mail before they check SPF, DKIM or DMARC.`,
      );
    }
    verdict.fixes.push(delistingFix(verdict.method, listings));
  }
}

function delistingFix(method: SendingMethod, listings: BlocklistResult[]): string {
  const ips = [...new Set(listings.map((l) => l.ip))].join(', ');
  const zones = [...new Set(listings.map((l) => l.zone))].join(', ');
  if (method === 'default') {
    return `Tell the platform's operators that its relay ${ips} is listed on ${zones}; the customer cannot fix this.`;
  }
  return `Ask the operator of the SMTP server (${ips}) to find why it is listed on ${zones} and to request delisting on the list's site.`;
}
