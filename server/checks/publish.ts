import type { Resolver } from '../dns/types.js';
import { MANDRILL, providerForHost } from './providers.js';
import { checkSpf, MAX_LOOKUPS } from './spf.js';
import { mergeSpfRecords } from './spf-record.js';
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

/** Returns the SPF term that authorizes the method's servers, or null when none is needed or known. */
function spfTermFor(input: PublishInput): { term: string; include?: string } | null {
  if (input.method === 'mandrill') {
    return input.spf.includes.includes(MANDRILL.spfInclude)
      ? null
      : { term: `include:${MANDRILL.spfInclude}`, include: MANDRILL.spfInclude };
  }
  if (input.method !== 'smtp' || input.verdict.spf.result === 'pass') return null;
  const provider = input.smtpHost ? providerForHost(input.smtpHost) : undefined;
  if (provider) return { term: `include:${provider.spfInclude}`, include: provider.spfInclude };
  const ips = input.verdict.identities.sendingIps;
  if (ips.length === 0) return null;
  // Every address of the server: mail from one left out would fail SPF.
  return { term: ips.map((ip) => `${ip.includes(':') ? 'ip6' : 'ip4'}:${ip}`).join(' ') };
}

/** Counts the lookups a record needs (RFC 7208 4.6.4), walking its includes and redirect. */
async function countLookups(record: string, resolver: Resolver): Promise<number> {
  let lookups = 0;
  for (const term of record.trim().split(/ +/).slice(1)) {
    const match = /^[+~?-]?(include:|redirect=)(.+)$/i.exec(term);
    if (match?.[2]) {
      lookups += 1 + (await checkSpf(match[2], resolver)).lookups;
    } else if (/^[+~?-]?(a|mx|ptr|exists)([:/]|$)/i.test(term)) {
      lookups += 1;
    }
  }
  return lookups;
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
 * Builds the SPF record with the method's servers added: one record, never
 * a second one, with a note giving the lookup count it will have.
 */
async function spfRecord(input: PublishInput): Promise<RecordToPublish | null> {
  // After a failed lookup the published record is unknown, and a "new" one could replace it.
  if (input.spf.status === 'temperror') return null;
  const addition = spfTermFor(input);
  if (!addition) return null;

  // Several records are permerror (RFC 7208 4.5): the one to publish merges them.
  const records = input.spf.record?.split(' | ') ?? [];
  const current =
    records.length > 1 ? mergeSpfRecords(records, input.domain) : (records[0] ?? null);
  const value = insertTerm(current, addition.term);
  const lookups = await countLookups(value, input.resolver);

  const notes = [
    `Authorizes the ${input.method} method's servers; the record then needs ${lookups} of the ${MAX_LOOKUPS} DNS lookups SPF allows.`,
  ];
  if (records.length > 1)
    notes.push('It replaces all the SPF records published now, merged into one.');
  if (lookups > MAX_LOOKUPS) {
    notes.push(
      'That is over the limit, so receivers would return permerror: remove the includes of services no longer used before publishing it.',
    );
  }
  const errors = input.spf.findings.filter(
    (f) => f.severity === 'error' && f.code !== 'spf.multiple_records',
  );
  if (errors.length > 0) {
    notes.push(
      `The current record has errors (${[...new Set(errors.map((f) => f.code))].join(', ')}) that this one keeps: fix them too.`,
    );
  }
  if (Buffer.byteLength(value) > 255) {
    notes.push(
      'It is over 255 characters: publish it as several strings of at most 255 (most DNS hosts split it for you).',
    );
  }
  return {
    type: 'TXT',
    name: input.domain,
    value,
    note: notes.join(' '),
    replaces: current !== null,
  };
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
      // A name can have only one CNAME, so a wrong one is replaced rather than joined.
      replaces: input.dkim.selectors.some(
        (s) => s.selector === selector && (s.status !== 'missing' || s.cnameTarget !== undefined),
      ),
    }));
}

/** Findings whose record must be moved or merged, not joined by a starter record. */
const STARTER_BLOCKERS = new Set([
  'dmarc.misplaced_apex',
  'dmarc.misplaced_doubled_name',
  'dmarc.misplaced_no_underscore',
  'dmarc.multiple_records',
]);

function starterDmarc(input: PublishInput): RecordToPublish | null {
  if (input.method === 'default' || input.dmarc.record !== null) return null;
  // Only where no record exists: a broken, duplicated or misplaced one needs its own fix.
  if (input.dmarc.status !== 'none') return null;
  if (input.dmarc.findings.some((f) => STARTER_BLOCKERS.has(f.code))) return null;
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
 * Lists the records the customer publishes so that mail sent by `method`
 * passes. The default method sends from the platform's domain, so it needs
 * none on the customer's. A record whose value only the provider can give
 * (a Google or Microsoft DKIM key) stays in the verdict's fixes as an
 * instruction.
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
