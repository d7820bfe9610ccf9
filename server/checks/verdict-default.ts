import { domainOf } from './alignment.js';
import { checkDmarc } from './dmarc.js';
import { evaluateSpf } from './spf-eval.js';
import type { CheckOptions, DkimReport, DmarcReport, MethodVerdict } from './types.js';
import { combineSpfResults, decideDmarc, dkimOutcome } from './verdicts.js';

/**
 * Builds the verdict for the platform's shared relay: From is the platform's address, so the
 * platform domain's SPF, DKIM and DMARC decide, and the customer's own DMARC does not apply.
 */
export async function defaultVerdict(
  domain: string,
  dkim: DkimReport,
  customerDmarc: DmarcReport,
  options: CheckOptions,
): Promise<MethodVerdict> {
  const { platform, resolver } = options;
  const fromDomain = domainOf(platform.fromAddress);
  const sender = platform.envelopeFrom;
  const [platformDmarc, evaluations] = await Promise.all([
    checkDmarc(fromDomain, resolver),
    Promise.all(
      platform.relayIps.map((ip) =>
        evaluateSpf({
          ip,
          sender,
          helo: platform.envelopeDomain,
          resolver,
        }),
      ),
    ),
  ]);
  const selector = dkim.selectors.find((report) => report.usedBy.includes('default'));
  const dkimResult = dkimOutcome(selector);
  const decision = decideDmarc({
    fromDomain,
    spf: { result: combineSpfResults(evaluations), domain: platform.envelopeDomain },
    dkim: { result: dkimResult, domain: dkimResult === 'none' ? null : platform.dkimDomain },
    dmarc: platformDmarc,
  });

  const reasons = [
    `Mail goes out from the platform's shared address ${platform.fromAddress}, with ${domain} only in Reply-To.`,
    'One sending domain carries mail for many different customers, so receivers that enforce SPF and DMARC increasingly treat it as spam or spoofing.',
    customerPolicyReason(domain, customerDmarc),
    'The platform does not allow this method for automated CRM mail (emailers and rules).',
    ...decision.reasons,
  ];
  const fixes: string[] = [];
  if (platform.relayIps.length === 0) {
    reasons.push(
      `The platform's relay IPs are not configured (DELIVERABILITY_PLATFORM_RELAY_IPS), so the SPF result of ${platform.envelopeDomain} for them is not known and shows as none.`,
    );
    fixes.push(
      "Platform operators: list the relay's public sending IPs in DELIVERABILITY_PLATFORM_RELAY_IPS.",
    );
  }
  evaluations.forEach((evaluation, index) => {
    if (evaluation.result !== 'pass') {
      const ip = platform.relayIps[index] ?? '';
      reasons.push(
        `The relay IP ${ip} gets SPF ${evaluation.result} for ${platform.envelopeDomain}.`,
      );
      fixes.push(
        `Platform operators: authorize ${ip} in the SPF record of ${platform.envelopeDomain}.`,
      );
    }
  });
  if (dkimResult !== 'pass') {
    reasons.push(
      `The platform's DKIM key ${selector?.name ?? platform.dkimSelector} is ${selector?.status ?? 'missing'}.`,
    );
    fixes.push(
      `Platform operators: publish a valid DKIM key at ${platform.dkimSelector}._domainkey.${platform.dkimDomain}.`,
    );
  }
  fixes.push(
    `For reliable delivery, switch the account to its own SMTP server or to Mandrill with ${domain} set up.`,
  );

  return {
    method: 'default',
    identities: {
      headerFrom: platform.fromAddress,
      envelopeFrom: sender,
      dkimDomain: platform.dkimDomain,
      dkimSelector: platform.dkimSelector,
      sendingIps: [...platform.relayIps],
    },
    spf: decision.spf,
    dkim: decision.dkim,
    dmarc: decision.dmarc,
    // Even when everything passes, shared-domain mail is at risk of being filtered as spam.
    outcome: decision.outcome === 'deliver' ? 'at_risk' : decision.outcome,
    reasons,
    fixes,
  };
}

function customerPolicyReason(domain: string, dmarc: DmarcReport): string {
  const policy = dmarc.policy;
  if (policy === 'quarantine' || policy === 'reject') {
    return `If From ever carried ${domain}, DMARC would fail: ${domain} has p=${policy}, so receivers would ${policy === 'reject' ? 'refuse' : 'send to spam'} that mail.`;
  }
  return `If From ever carried ${domain}, DMARC would fail, and any domain with a quarantine or reject policy would have that mail sent to spam or refused (${domain} has ${policy ? `p=${policy}` : 'no DMARC policy'} today).`;
}
