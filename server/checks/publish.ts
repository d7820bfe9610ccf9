import type { Resolver } from '../dns/types.js';
import { MANDRILL, providerForHost } from './providers.js';
import { checkSpf, MAX_LOOKUPS } from './spf.js';
import { mergeSpfRecords, parseSpfRecord } from './spf-record.js';
import { inlineOwnHosts, repairSpfRecord } from './spf-repair.js';
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
  /** True when the domain publishes a null MX (RFC 7505): it receives no mail, reports included. */
  nullMx?: boolean;
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
  return (await includeCosts(record, resolver)).reduce((total, item) => total + item.lookups, 0);
}

/** Returns the lookups each DNS-querying term of a record costs, its includes' trees counted in. */
async function includeCosts(
  record: string,
  resolver: Resolver,
): Promise<{ term: string; lookups: number }[]> {
  const terms = record.trim().split(/ +/).slice(1);
  const costs = await Promise.all(
    terms.map(async (term) => {
      const match = /^[+~?-]?(include:|redirect=)(.+)$/i.exec(term);
      if (match?.[2]) return { term, lookups: 1 + (await checkSpf(match[2], resolver)).lookups };
      return { term, lookups: /^[+~?-]?(a|mx|ptr|exists)([:/]|$)/i.test(term) ? 1 : 0 };
    }),
  );
  return costs.filter((item) => item.lookups > 0);
}

/** Adds a term before the record's `all` (or `redirect`), or builds a new record. */
function insertTerm(record: string | null, term: string | undefined): string {
  if (!record) return `v=spf1 ${term} ~all`;
  if (!term) return record;
  const parts = record.trim().split(/ +/);
  const end = parts.findIndex((part) => /^[+~?-]?all$/i.test(part) || /^redirect=/i.test(part));
  parts.splice(end >= 0 ? end : parts.length, 0, term);
  return parts.join(' ');
}

/** Returns the record published now, several merged into one, with its errors repaired. */
function repairedCurrent(input: PublishInput): { record: string | null; changes: string[] } {
  // Several records are permerror (RFC 7208 4.5): the one to publish merges them.
  const records = input.spf.record?.split(' | ') ?? [];
  if (records.length === 0) return { record: null, changes: [] };
  const current = records.length > 1 ? mergeSpfRecords(records, input.domain) : (records[0] ?? '');
  const repaired = repairSpfRecord(current, input.domain, input.spf);
  if (records.length > 1) {
    repaired.changes.unshift('It replaces all the SPF records published now, merged into one.');
  }
  return repaired;
}

/**
 * Builds the SPF record with the method's servers added, from the published record with its
 * errors repaired: one record, never a second one, within the 10-lookup limit where the
 * record's own hosts allow it, with a note that lists what changed and the lookups it needs.
 * When the method needs no new term but the published record is broken, the repaired record
 * is the fix.
 */
async function spfRecord(input: PublishInput): Promise<RecordToPublish | null> {
  // After a failed lookup the published record is unknown, and a "new" one could replace it.
  if (input.spf.status === 'temperror') return null;
  if (input.method === 'default') return null;
  const addition = spfTermFor(input);
  const current = repairedCurrent(input);
  if (!addition && !(input.spf.status === 'permerror' && current.changes.length > 0)) return null;

  let value = insertTerm(current.record, addition?.term);
  const changes = [...current.changes];
  let lookups = await countLookups(value, input.resolver);
  if (lookups > MAX_LOOKUPS) {
    const inlined = await inlineOwnHosts(value, input.domain, input.resolver);
    if (inlined.changes.length > 0) {
      value = inlined.record;
      changes.push(...inlined.changes);
      lookups = await countLookups(value, input.resolver);
    }
  }

  const purpose = addition
    ? `Authorizes the ${input.method} method's servers`
    : 'Repairs the published record';
  const notes = [
    `${purpose}; the record then needs ${lookups} of the ${MAX_LOOKUPS} DNS lookups SPF allows.`,
    ...changes,
  ];
  if (lookups > MAX_LOOKUPS) notes.push(await overLimitNote(value, input.resolver));
  const remaining = parseSpfRecord(value, input.domain).findings.filter(
    (f) => f.severity === 'error',
  );
  if (remaining.length > 0) {
    notes.push(
      `It still has errors (${[...new Set(remaining.map((f) => f.code))].join(', ')}): fix them before publishing.`,
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
    replaces: current.record !== null,
  };
}

/** Names the costliest terms, because only the customer can tell which services are unused. */
async function overLimitNote(record: string, resolver: Resolver): Promise<string> {
  const costly = (await includeCosts(record, resolver))
    .filter((item) => item.lookups > 1)
    .sort((a, b) => b.lookups - a.lookups)
    .slice(0, 3)
    .map((item) => `${item.term} (${item.lookups} lookups)`);
  return (
    'That is over the limit, so receivers would return permerror: remove the includes of ' +
    'services no longer used before publishing it' +
    (costly.length > 0 ? `; the costliest are ${costly.join(', ')}` : '') +
    ". Copying a provider's addresses into the record instead is not advised: providers change them without notice."
  );
}

function dkimRecords(input: PublishInput): RecordToPublish[] {
  if (input.method !== 'mandrill') return [];
  const unknown = input.dkim.selectors.some(
    (s) => (s.selector === 'mte1' || s.selector === 'mte2') && s.status === 'temperror',
  );
  if (unknown) return [];
  // A valid key, or a CNAME to Mandrill's name already, leaves nothing for the customer to publish.
  const done = (selector: string) =>
    input.dkim.selectors.some(
      (s) =>
        s.selector === selector &&
        (s.status === 'valid' || s.cnameTarget === MANDRILL.cnameTargets[selector]),
    );
  return (['mte1', 'mte2'] as const)
    .filter((selector) => !done(selector))
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
  const note =
    'A starter policy that only asks for reports: Google, Yahoo and Microsoft expect a DMARC ' +
    'record from bulk senders. Once the reports show all your mail passes, move to ' +
    'p=quarantine, then p=reject.';
  if (input.nullMx && org === input.domain) {
    return {
      type: 'TXT',
      name: `_dmarc.${org}`,
      value: 'v=DMARC1; p=none',
      note:
        `${note} ${org} publishes a null MX (RFC 7505), so a report address there would receive ` +
        'nothing: to get reports, add rua=mailto: with a mailbox at a domain that receives mail.',
      replaces: false,
    };
  }
  return {
    type: 'TXT',
    name: `_dmarc.${org}`,
    value: `v=DMARC1; p=none; rua=mailto:dmarc-reports@${org}`,
    note,
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

/** A record fix reads `TYPE NAME VALUE`, with an optional note in brackets after the value. */
const RECORD_FIX = /^(TXT|CNAME|MX) (\S+) ("[^"]*"|\S+)( \(.*\))?$/;

/**
 * Drops the fixes that spell out a record of the same type and name as one of `records`.
 * The record to publish is the one to follow: it is merged and repaired, where the fix
 * sentence shows only the change, and showing both would give two values for one name.
 */
export function withoutPublishedRecords(fixes: string[], records: RecordToPublish[]): string[] {
  const kept = fixes.filter((fix) => {
    const match = RECORD_FIX.exec(fix);
    return !match || !records.some((r) => r.type === match[1] && r.name === match[2]);
  });
  if (kept.length < fixes.length) kept.push('Publish the records listed with this verdict.');
  return kept;
}
