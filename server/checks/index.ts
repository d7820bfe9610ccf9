import { isIP } from 'node:net';
import type { Resolver } from '../dns/types.js';
import { normalizeDomain } from './alignment.js';
import { checkDkim, selectorProbes } from './dkim.js';
import { checkDmarc } from './dmarc.js';
import { MANDRILL, providerForHost } from './providers.js';
import { recordsToPublish, withoutPublishedRecords } from './publish.js';
import { checkRelated } from './related/index.js';
import { requirementsFor } from './requirements.js';
import { checkSpf } from './spf.js';
import type {
  CheckOptions,
  DkimReport,
  DmarcReport,
  SpfReport,
  DomainCheck,
  Finding,
  FindingLists,
  MethodVerdict,
  SendingMethod,
} from './types.js';
import { applyBlocklists } from './verdict-blocklists.js';
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

function failedLookups(spf: SpfReport, dkim: DkimReport, dmarc: DmarcReport): string[] {
  const failed: string[] = [];
  if (spf.status === 'temperror') failed.push('SPF');
  if (dkim.selectors.some((s) => s.status === 'temperror')) failed.push('DKIM');
  if (dmarc.status === 'temperror') failed.push('DMARC');
  return failed;
}

/** Resolves the manager's SMTP host: an IP stands for itself, and no host gives no addresses. */
async function hostAddresses(host: string | undefined, resolver: Resolver): Promise<string[]> {
  if (!host) return [];
  if (isIP(host)) return [host];
  const answers = await Promise.allSettled([resolver(host, 'A'), resolver(host, 'AAAA')]);
  return answers.flatMap((a) => (a.status === 'fulfilled' ? (a.value as string[]) : []));
}

/**
 * Starts, beside the domain's own checks, the lookups the verdicts and the
 * records to publish make later: the platform's SPF and DMARC, and the
 * provider includes a fix may add. Their answers wait in the resolver's
 * cache, so the later stages cost no extra round trips. Failures are
 * reported by the stage that needs the answer.
 */
async function warmLaterQueries(options: CheckOptions, resolver: Resolver): Promise<void> {
  const platformDomain = options.platform.fromAddress.split('@')[1] ?? '';
  const provider = options.smtpHost ? providerForHost(options.smtpHost) : undefined;
  const includes = [MANDRILL.spfInclude, ...(provider ? [provider.spfInclude] : [])];
  await Promise.allSettled([
    checkSpf(options.platform.envelopeDomain, resolver),
    checkDmarc(platformDomain, resolver),
    ...includes.map((include) => checkSpf(include, resolver)),
  ]);
}

/**
 * Checks the SPF, DKIM and DMARC records of a customer's sending domain. For each sending
 * method it decides what a receiver that enforces DMARC does with the mail, which records fix
 * it, and how it fares against the big receivers' sender requirements. Every DNS query goes
 * through `options.resolver`.
 */
export async function checkDomain(domain: string, options: CheckOptions): Promise<DomainCheck> {
  const name = normalizeDomain(domain);
  const { resolver } = options;
  const probes = selectorProbes(name, options.platform, options.extraSelectors);
  // The platform's selector is probed for the default verdict, but it is not one of the
  // customer's keys, so it stays out of the domain's DKIM report.
  const [spf, dkim, platformDkim, dmarc, hostIps] = await Promise.all([
    checkSpf(name, resolver),
    checkDkim(
      probes.filter((probe) => probe.domain === name),
      resolver,
    ),
    checkDkim(
      probes.filter((probe) => probe.domain !== name),
      resolver,
    ),
    checkDmarc(name, resolver),
    hostAddresses(options.smtpHost, resolver),
    warmLaterQueries(options, resolver),
  ]);
  const sendingIps = [...new Set([...options.platform.relayIps, ...hostIps])];
  const [defaultMethod, smtp, related] = await Promise.all([
    defaultVerdict(
      name,
      { selectors: [...platformDkim.selectors, ...dkim.selectors], findings: [] },
      dmarc,
      options,
    ),
    smtpVerdict(name, spf, dkim, dmarc, options),
    checkRelated({
      domain: name,
      sendingIps,
      resolver,
      options: options.related,
      dmarcPolicy: { policy: dmarc.policy, pct: dmarc.pct },
    }),
  ]);
  const methods: Record<SendingMethod, MethodVerdict> = {
    default: defaultMethod,
    smtp,
    mandrill: mandrillVerdict(name, spf, dkim, dmarc),
  };
  applyBlocklists(methods, related.blocklists);
  await Promise.all(
    (Object.keys(methods) as SendingMethod[]).map(async (method) => {
      const verdict = methods[method];
      verdict.records = await recordsToPublish({
        domain: name,
        method,
        verdict,
        spf,
        dkim,
        dmarc,
        smtpHost: options.smtpHost,
        nullMx: related.mx.status === 'null',
        resolver,
      });
      verdict.fixes = withoutPublishedRecords(verdict.fixes, verdict.records);
    }),
  );
  const failed = failedLookups(spf, dkim, dmarc);
  for (const verdict of Object.values(methods)) {
    verdict.requirements = requirementsFor(verdict, related.reverseDns);
    if (failed.length > 0) {
      // A failed lookup makes every "publish this" a guess that could replace a real record.
      verdict.records = [];
      verdict.fixes = [
        `Some DNS lookups failed (${failed.join(', ')}): check again before changing any record, because the results above may be incomplete.`,
      ];
    }
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
