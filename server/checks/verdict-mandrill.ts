import { MANDRILL } from './providers.js';
import { addInclude } from './spf-record.js';
import { recordForFix } from './spf.js';
import type {
  DkimReport,
  DkimSelectorReport,
  DmarcReport,
  MethodVerdict,
  SpfReport,
} from './types.js';
import { decideDmarc, dkimOutcome, pickSelector } from './verdicts.js';

// Current selectors first: the shared legacy `mandrill` key is a 1024-bit fallback.
const SELECTOR_PREFERENCE = ['mte1', 'mte2', 'mandrill'];

/**
 * Builds the verdict for Mandrill: From carries `domain`, the envelope uses Mandrill's own
 * return-path domain, so DMARC rests on an aligned DKIM signature with Mandrill's selectors.
 */
export function mandrillVerdict(
  domain: string,
  spf: SpfReport,
  dkim: DkimReport,
  dmarc: DmarcReport,
): MethodVerdict {
  const selector = pickSelector(dkim.selectors, SELECTOR_PREFERENCE, domain);
  const dkimResult = dkimOutcome(selector);
  // Mandrill's return path is on mandrillapp.com, whose SPF passes for Mandrill's servers.
  const decision = decideDmarc({
    fromDomain: domain,
    spf: { result: 'pass', domain: MANDRILL.envelopeDomain },
    dkim: { result: dkimResult, domain: dkimResult === 'none' ? null : domain },
    dmarc,
  });
  const reasons = [
    `Mandrill sends with ${domain} in From and its own return path at ${MANDRILL.envelopeDomain}, so SPF passes for ${MANDRILL.envelopeDomain} but does not align with ${domain}, unless the account set a custom return path, which this check cannot see.`,
    ...decision.reasons,
  ];
  const fixes: string[] = [];
  addDkimAdvice(domain, dkim, selector, dkimResult, reasons, fixes);
  addSpfAdvice(domain, spf, reasons, fixes);
  if (dmarc.status === 'none') {
    fixes.push(`TXT _dmarc.${dmarc.organizationalDomain} "v=DMARC1; p=none"`);
  }

  return {
    method: 'mandrill',
    identities: {
      headerFrom: domain,
      envelopeFrom: MANDRILL.envelopeDomain,
      dkimDomain: dkimResult === 'none' ? null : domain,
      dkimSelector: selector?.selector ?? null,
      sendingIps: [],
    },
    spf: decision.spf,
    dkim: decision.dkim,
    dmarc: decision.dmarc,
    outcome: decision.outcome,
    reasons,
    fixes,
  };
}

function addDkimAdvice(
  domain: string,
  dkim: DkimReport,
  selector: ReturnType<typeof pickSelector>,
  result: MethodVerdict['dkim']['result'],
  reasons: string[],
  fixes: string[],
): void {
  const cnames = [
    `CNAME mte1._domainkey.${domain} ${MANDRILL.cnameTargets['mte1']}`,
    `CNAME mte2._domainkey.${domain} ${MANDRILL.cnameTargets['mte2']}`,
  ];
  if (result === 'pass' && selector?.selector === 'mandrill') {
    reasons.push(
      `DKIM uses Mandrill's shared legacy key at ${selector.name} (${selector.keyBits ?? 'unknown'} bits); Mandrill now asks for the mte1/mte2 CNAMEs instead.`,
    );
    fixes.push(...cnames);
    return;
  }
  if (result === 'pass') {
    return;
  }
  const pointing = correctCnames(dkim);
  if (!selector && pointing.length > 0) {
    // The customer's part is done; the key behind Mandrill's name is Mandrill's to publish.
    reasons.push(
      `${pointing.map((s) => `${s.name} is a CNAME to ${s.cnameTarget}`).join(' and ')}, as Mandrill asks, but no DKIM key was found there, so receivers cannot verify Mandrill's signatures for ${domain} until it answers. Check again later; if it stays missing, contact Mandrill support.`,
    );
    fixes.push(...cnames.filter((cname) => !pointing.some((s) => cname.includes(` ${s.name} `))));
    return;
  }
  reasons.push(
    selector
      ? `The Mandrill DKIM key at ${selector.name} is ${selector.status}, so Mandrill's signatures for ${domain} fail.`
      : `No Mandrill DKIM record (mte1, mte2 or mandrill) is published for ${domain}. Mandrill verifies a sending domain only with these records, a requirement Mailchimp has enforced since March 2024.`,
  );
  fixes.push(...cnames);
}

/** Returns the mte1/mte2 selectors published as CNAMEs to the names Mandrill gives. */
function correctCnames(dkim: DkimReport): DkimSelectorReport[] {
  return dkim.selectors.filter(
    (s) =>
      s.usedBy.includes('mandrill') &&
      s.cnameTarget !== undefined &&
      s.cnameTarget === MANDRILL.cnameTargets[s.selector],
  );
}

function addSpfAdvice(domain: string, spf: SpfReport, reasons: string[], fixes: string[]): void {
  if (spf.status === 'permerror') {
    reasons.push(
      `The SPF record of ${domain} gives permerror, which also blocks Mandrill's domain verification.`,
    );
  }
  if (!spf.includes.includes(MANDRILL.spfInclude)) {
    reasons.push(
      `The SPF record of ${domain} does not include ${MANDRILL.spfInclude}, which Mandrill requires to verify the domain.`,
    );
    fixes.push(
      `TXT ${domain} "${addInclude(recordForFix(spf, domain), MANDRILL.spfInclude)}"` +
        (spf.record ? ' (replaces the current SPF record; never publish a second one)' : ''),
    );
  }
}
