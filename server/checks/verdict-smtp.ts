import { isIP } from 'node:net';
import net from 'node:net';
import type { Resolver } from '../dns/types.js';
import { providerForHost, providersInIncludes } from './providers.js';
import type { MailProvider } from './providers.js';
import { evaluateSpf } from './spf-eval.js';
import { addInclude } from './spf-record.js';
import { recordForFix } from './spf.js';
import type {
  CheckOptions,
  DkimReport,
  DmarcReport,
  MethodVerdict,
  SpfReport,
  SpfResult,
} from './types.js';
import {
  combineSpfResults,
  decideDmarc,
  dkimOutcome,
  pickSelector,
  unlistedResult,
} from './verdicts.js';

interface SpfEstimate {
  result: SpfResult;
  provider?: MailProvider;
  ips: string[];
  reasons: string[];
  fixes: string[];
}

/**
 * Builds the verdict for the manager's own SMTP server, which sends as the manager's address:
 * From and the envelope carry `domain`, so its SPF, DKIM and DMARC decide.
 */
export async function smtpVerdict(
  domain: string,
  spf: SpfReport,
  dkim: DkimReport,
  dmarc: DmarcReport,
  options: CheckOptions,
): Promise<MethodVerdict> {
  const estimate = await estimateSpf(domain, spf, options);
  const selectorNames = [
    ...(estimate.provider?.dkimSelectors ?? []),
    ...(options.extraSelectors ?? []),
  ];
  const selector = pickSelector(
    dkim.selectors,
    selectorNames.map((name) => name.toLowerCase()),
    domain,
  );
  const dkimResult = dkimOutcome(selector);
  const decision = decideDmarc({
    fromDomain: domain,
    spf: { result: estimate.result, domain },
    dkim: { result: dkimResult, domain: dkimResult === 'none' ? null : domain },
    dmarc,
  });
  const reasons = [...estimate.reasons, ...decision.reasons];
  const fixes = [...estimate.fixes];
  if (dkimResult !== 'pass') {
    reasons.push(dkimReason(domain, estimate.provider, selector?.name, selector?.status));
    fixes.push(dkimFix(domain, estimate.provider));
  }
  reasons.push(
    'Automated rules that send too much, or to bad addresses, can get this address or server blocklisted.',
  );

  return {
    method: 'smtp',
    identities: {
      headerFrom: domain,
      envelopeFrom: domain,
      dkimDomain: dkimResult === 'none' ? null : domain,
      dkimSelector: selector?.selector ?? null,
      sendingIps: estimate.ips,
    },
    spf: decision.spf,
    dkim: decision.dkim,
    dmarc: decision.dmarc,
    outcome: decision.outcome,
    reasons,
    fixes,
  };
}

async function estimateSpf(
  domain: string,
  spf: SpfReport,
  options: CheckOptions,
): Promise<SpfEstimate> {
  const host = options.smtpHost?.trim().toLowerCase();
  if (host) {
    const provider = providerForHost(host);
    if (provider) {
      return fromProviderInclude(
        domain,
        spf,
        provider,
        `The SMTP server ${host} belongs to ${provider.name}.`,
      );
    }
    const ips = await resolveHost(host, options.resolver);
    if (ips.length > 0) {
      return evaluateHostIps(domain, host, ips, options.resolver);
    }
    const estimate = fromIncludes(domain, spf);
    estimate.reasons.unshift(
      `The SMTP server ${host} has no IPv4 or IPv6 address in DNS, so its SPF result is unknown.`,
    );
    return estimate;
  }
  const estimate = fromIncludes(domain, spf);
  estimate.reasons.unshift(
    'The account has no SMTP server on record, so this verdict is based on the providers that the SPF record includes.',
  );
  return estimate;
}

function fromIncludes(domain: string, spf: SpfReport): SpfEstimate {
  const provider = providersInIncludes(spf.includes)[0];
  if (provider) {
    return fromProviderInclude(
      domain,
      spf,
      provider,
      `The SPF record includes ${provider.name}, so we assume the mail server is ${provider.name}.`,
    );
  }
  return {
    // RFC 7208 4.7: a server the record does not list gets the result of its `all` term.
    result: unlistedResult(spf),
    ips: [],
    reasons: [
      `SPF passes only if the SMTP server's IP addresses are listed in the SPF record of ${domain}; we cannot tell which server is used.`,
    ],
    fixes: [],
  };
}

function fromProviderInclude(
  domain: string,
  spf: SpfReport,
  provider: MailProvider,
  intro: string,
): SpfEstimate {
  const includes = [provider.spfInclude, ...provider.otherIncludes];
  const listed = spf.includes.some((include) => includes.includes(include));
  if (spf.status === 'permerror' || spf.status === 'temperror') {
    return {
      result: spf.status,
      provider,
      ips: [],
      reasons: [intro, `The SPF record of ${domain} gives ${spf.status}, so SPF cannot pass.`],
      fixes: [],
    };
  }
  if (listed) {
    return {
      result: 'pass',
      provider,
      ips: [],
      reasons: [
        intro,
        `The SPF record of ${domain} includes ${provider.spfInclude}, so SPF passes.`,
      ],
      fixes: [],
    };
  }
  const result = unlistedResult(spf);
  return {
    result,
    provider,
    ips: [],
    reasons: [
      intro,
      `The SPF record of ${domain} does not include ${provider.spfInclude}, so SPF is ${result} for ${provider.name}'s servers.`,
    ],
    fixes: [
      `TXT ${domain} "${addInclude(recordForFix(spf, domain), provider.spfInclude)}"` +
        (spf.record ? ' (replaces the current SPF record)' : ''),
    ],
  };
}

async function evaluateHostIps(
  domain: string,
  host: string,
  ips: string[],
  resolver: Resolver,
): Promise<SpfEstimate> {
  const sender = `postmaster@${domain}`;
  const evaluations = await Promise.all(
    ips.map((ip) =>
      evaluateSpf({
        ip,
        sender,
        helo: host,
        resolver,
      }),
    ),
  );
  const result = combineSpfResults(evaluations);
  const reasons = [
    `The SMTP server ${host} sends from ${ips.join(', ')}; SPF for ${domain} is ${result}.`,
  ];
  const fixes: string[] = [];
  if (result !== 'pass') {
    const terms = ips.map((ip) => (net.isIPv6(ip) ? `ip6:${ip}` : `ip4:${ip}`)).join(' ');
    fixes.push(
      `Add "${terms}" to the SPF record of ${domain}, or the include that ${host}'s provider documents.`,
    );
  }
  return { result, ips, reasons, fixes };
}

async function resolveHost(host: string, resolver: Resolver): Promise<string[]> {
  // An address given as the host is the sending IP itself.
  if (isIP(host)) return [host];
  // A failed lookup, void or not, leaves that family's addresses unknown for this estimate.
  const lookups = await Promise.allSettled([resolver(host, 'A'), resolver(host, 'AAAA')]);
  return lookups.flatMap((lookup) =>
    lookup.status === 'fulfilled' ? (lookup.value as string[]) : [],
  );
}

function dkimReason(
  domain: string,
  provider: MailProvider | undefined,
  name: string | undefined,
  status: string | undefined,
): string {
  if (name && status && status !== 'missing') {
    return `The DKIM key at ${name} is ${status}, so signatures for ${domain} fail.`;
  }
  if (provider) {
    return `No ${provider.name} DKIM key is published for ${domain}, so ${provider.name} signs with its own domain, which does not align with ${domain}.`;
  }
  return `No DKIM key was found for ${domain} at the selectors we know; if the server signs with another selector, add it to the account's dkimSelectors setting.`;
}

function dkimFix(domain: string, provider: MailProvider | undefined): string {
  if (provider?.id === 'google') {
    return `Generate a DKIM key in the Google Admin console (Gmail > Authenticate email) and publish it as TXT google._domainkey.${domain}, then start authentication.`;
  }
  if (provider?.id === 'microsoft365') {
    return `Enable DKIM for ${domain} in Microsoft 365 Defender and publish the two CNAMEs it shows at selector1._domainkey.${domain} and selector2._domainkey.${domain}.`;
  }
  return `Turn on DKIM signing for ${domain} at the mail provider and publish the TXT record it gives.`;
}
