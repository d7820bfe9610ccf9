import { normalizeDomain } from './alignment.js';
import { checkDkim, selectorProbes } from './dkim.js';
import { checkDmarc } from './dmarc.js';
import { recordsToPublish } from './publish.js';
import { checkRelated } from './related/index.js';
import { requirementsFor } from './requirements.js';
import { checkSpf } from './spf.js';
import type {
  CheckOptions,
  DomainCheck,
  Finding,
  FindingLists,
  MethodVerdict,
  SendingMethod,
} from './types.js';
import { defaultVerdict } from './verdict-default.js';
import { mandrillVerdict } from './verdict-mandrill.js';
import { smtpVerdict } from './verdict-smtp.js';

export { evaluateSpf } from './spf-eval.js';
export type { SpfEvaluation } from './spf-eval.js';
export { formatDomainCheck } from './format.js';

/** Splits findings into the JSON's `errors` and `warnings` lists of `{ code, message }`. */
export function findingLists(findings: Finding[]): FindingLists {
  const pick = (severity: Finding['severity']) =>
    findings.filter((f) => f.severity === severity).map(({ code, message }) => ({ code, message }));
  return { errors: pick('error'), warnings: pick('warning') };
}

/**
 * Checks the SPF, DKIM and DMARC records of a customer's sending domain and decides, for each
 * sending method, what a receiver that enforces DMARC does with the mail, which records fix it,
 * and how it fares against the big receivers' sender requirements. Every DNS query goes
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
  const methods: Record<SendingMethod, MethodVerdict> = {
    default: defaultMethod,
    smtp,
    mandrill: mandrillVerdict(name, spf, dkim, dmarc),
  };
  const sendingIps = [...new Set(Object.values(methods).flatMap((v) => v.identities.sendingIps))];
  const [related] = await Promise.all([
    checkRelated({
      domain: name,
      sendingIps,
      resolver,
      options: options.related,
      dmarcPolicy: { policy: dmarc.policy, pct: dmarc.pct },
    }),
    ...(Object.keys(methods) as SendingMethod[]).map(async (method) => {
      const verdict = methods[method];
      verdict.records = await recordsToPublish({
        domain: name,
        method,
        verdict,
        spf,
        dkim,
        dmarc,
        smtpHost: options.smtpHost,
        resolver,
      });
    }),
  ]);
  for (const verdict of Object.values(methods)) {
    verdict.requirements = requirementsFor(verdict, related.reverseDns);
  }
  return {
    domain: name,
    checkedAt: (options.now?.() ?? new Date()).toISOString(),
    spf: { ...spf, ...findingLists(spf.findings) },
    dkim: { ...dkim, ...findingLists(dkim.findings) },
    dmarc: { ...dmarc, ...findingLists(dmarc.findings) },
    methods,
    related: { ...related, ...findingLists(related.findings) },
  };
}
