import type { Resolver } from '../dns/types.js';
import { MANDRILL, providerForHost } from './providers.js';
import { checkSpf, MAX_LOOKUPS } from './spf.js';
import type {
  DkimReport,
  DmarcReport,
  MethodVerdict,
  RecordToPublish,
  SendingMethod,
  SpfReport,
} from './types.js';

export interface PublishInput {
  domain: string;
  method: SendingMethod;
  verdict: MethodVerdict;
  spf: SpfReport;
  dkim: DkimReport;
  dmarc: DmarcReport;
  smtpHost?: string;
  resolver: Resolver;
}

/** The SPF term that authorizes the method's servers, or null when it needs none or is unknown. */
function spfTermFor(input: PublishInput): { term: string; include?: string } | null {
  if (input.method === 'mandrill') {
    return input.spf.includes.includes(MANDRILL.spfInclude)
      ? null
      : { term: `include:${MANDRILL.spfInclude}`, include: MANDRILL.spfInclude };
  }
  if (input.method !== 'smtp' || input.verdict.spf.result === 'pass') return null;
  const provider = input.smtpHost ? providerForHost(input.smtpHost) : undefined;
  if (provider) return { term: `include:${provider.spfInclude}`, include: provider.spfInclude };
  const ip = input.verdict.identities.sendingIps[0];
  if (!ip) return null;
  return { term: `${ip.includes(':') ? 'ip6' : 'ip4'}:${ip}` };
}

/** Adds a term before the record's `all` (or `redirect`), or builds a new record. */
function insertTerm(record: string | null, term: string): string {
  if (!record) return `v=spf1 ${term} ~all`;
  const parts = record.trim().split(/ +/);
  const end = parts.findIndex((part) => /^[+~?-]?all$/i.test(part) || /^redirect=/i.test(part));
  parts.splice(end >= 0 ? end : parts.length, 0, term);
  return parts.join(' ');
}

/**
 * The SPF record with the method's servers added: one record, never a
 * second one, and the lookup count it will have, with the include's own
 * lookups counted by walking it through the same resolver.
 */
async function spfRecord(input: PublishInput): Promise<RecordToPublish | null> {
  // A failed lookup says nothing about what is published: a "new" record could replace a real one.
  if (input.spf.status === 'temperror') return null;
  const addition = spfTermFor(input);
  if (!addition) return null;
  const current = input.spf.record;
  const value = insertTerm(current, addition.term);
  let lookups = input.spf.lookups;
  if (addition.include) {
    const walked = await checkSpf(addition.include, input.resolver);
    lookups += 1 + walked.lookups;
  }
  const over = lookups > MAX_LOOKUPS;
  const note =
    `Authorizes the ${input.method} method's servers; the record then needs ${lookups} of the ` +
    `${MAX_LOOKUPS} DNS lookups SPF allows` +
    (over
      ? '. That is over the limit, so receivers would return permerror: remove the includes of services no longer used before adding this one.'
      : '.');
  return { type: 'TXT', name: input.domain, value, note, replaces: current !== null };
}

function dkimRecords(input: PublishInput): RecordToPublish[] {
  if (input.method !== 'mandrill') return [];
  const unknown = input.dkim.selectors.some(
    (s) => (s.selector === 'mte1' || s.selector === 'mte2') && s.status === 'temperror',
  );
  if (unknown) return [];
  const valid = (selector: string) =>
    input.dkim.selectors.some((s) => s.selector === selector && s.status === 'valid');
  return (['mte1', 'mte2'] as const)
    .filter((selector) => !valid(selector))
    .map((selector) => ({
      type: 'CNAME' as const,
      name: `${selector}._domainkey.${input.domain}`,
      value: MANDRILL.cnameTargets[selector] ?? '',
      note: 'Lets Mandrill sign with a key it rotates, aligned with your domain for DMARC.',
      replaces: false,
    }));
}

function starterDmarc(input: PublishInput): RecordToPublish | null {
  if (input.method === 'default' || input.dmarc.record !== null) return null;
  if (input.dmarc.status === 'temperror') return null;
  const org = input.dmarc.organizationalDomain;
  return {
    type: 'TXT',
    name: `_dmarc.${org}`,
    value: `v=DMARC1; p=none; rua=mailto:dmarc-reports@${org}`,
    note:
      'A starter policy that only asks for reports: Google, Yahoo and Microsoft expect a DMARC ' +
      'record from bulk senders. Once the reports show all your mail passes, move to ' +
      'p=quarantine, then p=reject.',
    replaces: false,
  };
}

/**
 * The records the customer publishes so that mail sent by `method` passes.
 * The default method sends from the platform's domain, so it needs none on
 * the customer's. Records whose value only the provider knows (a Google or
 * Microsoft DKIM key) stay in the verdict's fixes as instructions.
 */
export async function recordsToPublish(input: PublishInput): Promise<RecordToPublish[]> {
  const records: RecordToPublish[] = [];
  const spf = await spfRecord(input);
  if (spf) records.push(spf);
  records.push(...dkimRecords(input));
  const dmarc = starterDmarc(input);
  if (dmarc) records.push(dmarc);
  return records;
}
