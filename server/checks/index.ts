import { normalizeDomain } from './alignment.js';
import { checkDkim, selectorProbes } from './dkim.js';
import { checkDmarc } from './dmarc.js';
import { checkSpf } from './spf.js';
import type { CheckOptions, DomainCheck } from './types.js';
import { defaultVerdict } from './verdict-default.js';
import { mandrillVerdict } from './verdict-mandrill.js';
import { smtpVerdict } from './verdict-smtp.js';

export { evaluateSpf } from './spf-eval.js';
export type { SpfEvaluation } from './spf-eval.js';
export { formatDomainCheck } from './format.js';

/**
 * Checks the SPF, DKIM and DMARC records of a customer's sending domain and decides, for each
 * sending method, what a receiver that enforces DMARC does with the mail. Every DNS query goes
 * through `options.resolver`.
 */
export async function checkDomain(domain: string, options: CheckOptions): Promise<DomainCheck> {
  const name = normalizeDomain(domain);
  const { resolver } = options;
  const probes = selectorProbes(name, options.platform, options.extraSelectors);
  const [spf, dkim, dmarc] = await Promise.all([
    checkSpf(name, resolver),
    checkDkim(probes, resolver),
    checkDmarc(name, resolver),
  ]);
  const [defaultMethod, smtp] = await Promise.all([
    defaultVerdict(name, dkim, dmarc, options),
    smtpVerdict(name, spf, dkim, dmarc, options),
  ]);
  return {
    domain: name,
    checkedAt: (options.now?.() ?? new Date()).toISOString(),
    spf,
    dkim,
    dmarc,
    methods: { default: defaultMethod, smtp, mandrill: mandrillVerdict(name, spf, dkim, dmarc) },
  };
}
