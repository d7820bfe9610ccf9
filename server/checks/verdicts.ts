import { isAligned } from './alignment.js';
import type { SpfEvaluation } from './spf-eval.js';
import type {
  DkimSelectorReport,
  DmarcReport,
  MethodVerdict,
  SpfNode,
  SpfReport,
  SpfResult,
} from './types.js';

export type DkimOutcome = MethodVerdict['dkim']['result'];

export interface AuthenticationInputs {
  fromDomain: string;
  spf: { result: SpfResult; domain: string };
  dkim: { result: DkimOutcome; domain: string | null };
  dmarc: DmarcReport;
}

export type Decision = Pick<MethodVerdict, 'spf' | 'dkim' | 'dmarc' | 'outcome'> & {
  reasons: string[];
};

/**
 * Computes alignment, the DMARC result and the disposition a DMARC-enforcing receiver applies
 * (RFC 7489 4.2, 6.6): DMARC passes when SPF or DKIM passes with an aligned domain.
 */
export function decideDmarc(input: AuthenticationInputs): Decision {
  const { dmarc, fromDomain } = input;
  // RFC 7489 4.2: only an identifier that passed can align.
  const spfAligned =
    input.spf.result === 'pass' && isAligned(input.spf.domain, fromDomain, dmarc.aspf);
  const dkimAligned =
    input.dkim.result === 'pass' && isAligned(input.dkim.domain, fromDomain, dmarc.adkim);
  const passes = spfAligned || dkimAligned;
  const spf = { ...input.spf, aligned: spfAligned };
  const dkim = { ...input.dkim, aligned: dkimAligned };
  const reasons: string[] = [];

  if (dmarc.status === 'temperror') {
    reasons.push(
      `The DMARC record of ${fromDomain} could not be read (DNS error), so receivers may defer the mail.`,
    );
    return { spf, dkim, dmarc: { result: 'temperror', policy: null }, outcome: 'at_risk', reasons };
  }
  if (dmarc.policy === null) {
    const broken = dmarc.status === 'permerror';
    reasons.push(
      broken
        ? `The DMARC record of ${fromDomain} is unusable (several records or a bad policy), so receivers treat the domain as having no DMARC policy.`
        : `${fromDomain} has no DMARC record. Gmail and Yahoo expect one from bulk senders, and such mail is more often sent to spam.`,
    );
    return {
      spf,
      dkim,
      dmarc: { result: broken ? 'permerror' : 'none', policy: null },
      outcome: 'at_risk',
      reasons,
    };
  }
  if (passes) {
    reasons.push(`DMARC passes for ${fromDomain}: ${passingPath(spf, dkim)}.`);
    return {
      spf,
      dkim,
      dmarc: { result: 'pass', policy: dmarc.policy },
      outcome: 'deliver',
      reasons,
    };
  }
  reasons.push(failureReason(input, spfAligned, dkimAligned));
  // RFC 7489 6.6.4: pct=0 applies the policy to no failing message.
  const outcome = dmarc.policy === 'none' || dmarc.pct === 0 ? 'at_risk' : dmarc.policy;
  reasons.push(
    dmarc.policy === 'none'
      ? `The policy is p=none, so receivers still deliver the mail, but without DMARC it is easier to send to spam.`
      : `The policy is p=${dmarc.policy}, so receivers ${dmarc.policy === 'reject' ? 'refuse the mail' : 'send the mail to spam'}` +
          (dmarc.pct < 100
            ? ` (for ${dmarc.pct}% of failing messages; the rest get the next milder treatment).`
            : '.'),
  );
  return { spf, dkim, dmarc: { result: 'fail', policy: dmarc.policy }, outcome, reasons };
}

function passingPath(spf: MethodVerdict['spf'], dkim: MethodVerdict['dkim']): string {
  const paths: string[] = [];
  if (dkim.result === 'pass' && dkim.aligned) {
    paths.push(`DKIM signed by ${dkim.domain}`);
  }
  if (spf.result === 'pass' && spf.aligned) {
    paths.push(`SPF passes for ${spf.domain}`);
  }
  return paths.join(' and ');
}

function failureReason(
  input: AuthenticationInputs,
  spfAligned: boolean,
  dkimAligned: boolean,
): string {
  const parts: string[] = [];
  if (input.spf.result !== 'pass') {
    parts.push(`SPF for ${input.spf.domain} is ${input.spf.result}`);
  } else if (!spfAligned) {
    parts.push(`SPF passes for ${input.spf.domain}, which is not ${input.fromDomain}`);
  }
  if (input.dkim.result !== 'pass') {
    parts.push(
      input.dkim.domain
        ? `DKIM for ${input.dkim.domain} is ${input.dkim.result}`
        : 'there is no DKIM signature for the domain',
    );
  } else if (!dkimAligned) {
    parts.push(`DKIM is signed by ${input.dkim.domain}, which is not ${input.fromDomain}`);
  }
  return `DMARC fails for ${input.fromDomain}: ${parts.join(', and ')}.`;
}

/** Combines the SPF results of several sending IPs: all must pass, else the first failure counts. */
export function combineSpfResults(evaluations: SpfEvaluation[]): SpfResult {
  const order: SpfResult[] = ['permerror', 'temperror', 'fail', 'softfail', 'neutral', 'none'];
  for (const result of order) {
    if (evaluations.some((evaluation) => evaluation.result === result)) {
      return result;
    }
  }
  return evaluations.length > 0 ? 'pass' : 'none';
}

/** Returns the SPF result for an IP that the record does not list: the top record's `all` result. */
export function unlistedResult(spf: SpfReport): SpfResult {
  if (spf.status === 'permerror' || spf.status === 'temperror' || spf.status === 'none') {
    return spf.status;
  }
  return spf.tree ? allResult(spf.tree) : 'none';
}

function allResult(node: SpfNode): SpfResult {
  const all = /(?:^| )([+~?-]?)all(?: |$)/i.exec(node.record ?? '');
  if (all) {
    const qualifier = all[1] ?? '';
    return (
      (
        {
          '': 'pass',
          '+': 'pass',
          '-': 'fail',
          '~': 'softfail',
          '?': 'neutral',
        } as const
      )[qualifier] ?? 'neutral'
    );
  }
  // RFC 7208 6.1: without "all" the redirect target decides; without either, 4.7 gives neutral.
  const redirect = node.children.find((child) => child.via === 'redirect');
  return redirect ? allResult(redirect) : 'neutral';
}

/** Maps a selector's key status to the DKIM result a signature with it would get. */
export function dkimOutcome(selector: DkimSelectorReport | undefined): DkimOutcome {
  switch (selector?.status) {
    case 'valid':
      return 'pass';
    case 'revoked':
    case 'invalid':
      return 'fail';
    case 'temperror':
      return 'temperror';
    default:
      return 'none';
  }
}

/** Picks the best selector of those listed: a valid key first, then any key found. */
export function pickSelector(
  selectors: DkimSelectorReport[],
  names: string[],
  domain: string,
): DkimSelectorReport | undefined {
  const candidates = names
    .map((name) =>
      selectors.find(
        (report) => report.selector === name && report.name.endsWith(`._domainkey.${domain}`),
      ),
    )
    .filter((report): report is DkimSelectorReport => report !== undefined);
  return (
    candidates.find((report) => report.status === 'valid') ??
    candidates.find((report) => report.status !== 'missing')
  );
}
