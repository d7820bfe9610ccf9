import { isIP } from 'node:net';
import type { Resolver } from '../dns/types.js';
import { normalizeDomain } from './alignment.js';
import { checkDkim, selectorProbes } from './dkim.js';
import { checkDmarc } from './dmarc.js';
import { MANDRILL, providerForHost } from './providers.js';
import { recordsToPublish, withoutPublishedRecords } from './publish.js';
import { checkRelated } from './related/index.js';
import { requirementsFor } from './requirements.js';
import { evaluateSpf } from './spf-eval.js';
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

/** Lists the platform's relay IPs and the SMTP host's addresses, each once. */
function sendingIpsOf(options: CheckOptions, hostIps: string[]): string[] {
  return [...new Set([...options.platform.relayIps, ...hostIps])];
}

/**
 * Starts, beside the domain's own checks, the lookups that the verdicts and the records to
 * publish make later, with the same arguments. These are the platform's DMARC check, the SPF
 * evaluation of its relay IPs and of the SMTP host's addresses, and the provider includes that
 * a fix may add. The results wait in the resolver's cache, so the later stages cost no extra
 * round trips. The stage that needs a failed lookup reports it.
 */
async function warmLaterQueries(
  domain: string,
  options: CheckOptions,
  hostIps: Promise<string[]>,
  resolver: Resolver,
): Promise<void> {
  const { platform } = options;
  const platformDomain = platform.fromAddress.split('@')[1] ?? '';
  const host = options.smtpHost?.trim().toLowerCase();
  const provider = host ? providerForHost(host) : undefined;
  const includes = [MANDRILL.spfInclude, ...(provider ? [provider.spfInclude] : [])];
  await Promise.allSettled([
    // The lint fetches the relay's SPF tree one level per round trip. mailauth's evaluation
    // goes term by term, so most of its queries hit the cache.
    checkSpf(platform.envelopeDomain, resolver),
    ...platform.relayIps.map((ip) =>
      evaluateSpf({ ip, sender: platform.envelopeFrom, helo: platform.envelopeDomain, resolver }),
    ),
    checkDmarc(platformDomain, resolver),
    ...includes.map((include) => checkSpf(include, resolver)),
    // The SMTP verdict evaluates the host's addresses only for a host of no known provider.
    host && !provider ? warmHostEvaluation(domain, host, hostIps, resolver) : undefined,
  ]);
}

async function warmHostEvaluation(
  domain: string,
  host: string,
  hostIps: Promise<string[]>,
  resolver: Resolver,
): Promise<void> {
  const sender = `postmaster@${domain}`;
  await Promise.allSettled(
    (await hostIps).map((ip) => evaluateSpf({ ip, sender, helo: host, resolver })),
  );
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
  const dmarcCheck = checkDmarc(name, resolver);
  const hostIpsLookup = hostAddresses(options.smtpHost, resolver);
  // Every check whose first questions are known from the domain, the platform and the SMTP
  // host starts now, so that each waits only for the answers its next questions depend on.
  // The platform's selector is probed for the default verdict, but it is not one of the
  // customer's keys, so it stays out of the domain's DKIM report.
  const [spf, dkim, platformDkim, dmarc, , related] = await Promise.all([
    checkSpf(name, resolver),
    checkDkim(
      probes.filter((probe) => probe.domain === name),
      resolver,
    ),
    checkDkim(
      probes.filter((probe) => probe.domain !== name),
      resolver,
    ),
    dmarcCheck,
    hostIpsLookup,
    checkRelated({
      domain: name,
      sendingIps: hostIpsLookup.then((hostIps) => sendingIpsOf(options, hostIps)),
      resolver,
      options: options.related,
      // A failed DMARC check rejects this Promise.all through dmarcCheck itself.
      dmarcPolicy: dmarcCheck.then(
        ({ policy, pct }) => ({ policy, pct }),
        () => undefined,
      ),
    }),
    warmLaterQueries(name, options, hostIpsLookup, resolver),
  ]);
  const [defaultMethod, smtp] = await Promise.all([
    defaultVerdict(
      name,
      { selectors: [...platformDkim.selectors, ...dkim.selectors], findings: [] },
      dmarc,
      options,
    ),
    smtpVerdict(name, spf, dkim, dmarc, options),
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
  // With failed lookups, NXDOMAIN answers may be incomplete, so the failure is reported instead.
  const missing =
    failed.length === 0
      ? related.findings.find((found) => found.code === 'domain.nxdomain')
      : undefined;
  for (const verdict of Object.values(methods)) {
    verdict.requirements = requirementsFor(verdict, related.reverseDns);
    if (missing) {
      // Records published for a name that does not exist would change nothing, so the name
      // itself is the first fix. It is often a typing mistake.
      verdict.records = [];
      verdict.fixes = [`${missing.message} ${missing.fix ?? ''}`.trim()];
    }
    if (failed.length > 0) {
      // A failed lookup makes every "publish this" a guess that could replace a real record.
      verdict.records = [];
      verdict.fixes = [
        `Some DNS lookups failed (${failed.join(', ')}): check again before changing any record, because the results above may be incomplete.`,
      ];
    }
  }
  // The records of a name that does not exist offer no fix: the spelling comes first.
  const shownFindings = (found: Finding[]) =>
    missing ? found.map(({ fix: _fix, ...rest }) => rest) : found;
  return {
    domain: name,
    checkedAt: (options.now?.() ?? new Date()).toISOString(),
    spf: { ...spf, findings: shownFindings(spf.findings), ...findingLists(spf.findings) },
    dkim: { ...dkim, findings: shownFindings(dkim.findings), ...findingLists(dkim.findings) },
    dmarc: { ...dmarc, findings: shownFindings(dmarc.findings), ...findingLists(dmarc.findings) },
    methods,
    related: { ...related, ...findingLists(related.findings) },
    ...(missing ? { missing } : {}),
  };
}
