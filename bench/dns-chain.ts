/**
 * The longest chain of dependent DNS queries that checking a domain needs, computed from the
 * zone data: a query is dependent when its name is known only from an earlier answer (an SPF
 * include or redirect target) or when it is sent only because an earlier answer was empty
 * (the DMARC record of the organizational domain). Independent queries could all be in flight
 * at once, so a check can finish in (chain length) round trips and no fewer.
 */
import { domainOf, organizationalDomain } from '../server/checks/alignment.js';
import { selectorProbes } from '../server/checks/dkim.js';
import { isDmarcRecord, parseDmarcRecord } from '../server/checks/dmarc-record.js';
import { MANDRILL } from '../server/checks/providers.js';
import { parseIp } from '../server/checks/related/lookup.js';
import { reverseName } from '../server/checks/related/reverse-dns.js';
import { hasMacro, isSpfRecord, parseSpfRecord } from '../server/checks/spf-record.js';
import type { SpfTerm } from '../server/checks/spf-record.js';
import type { PlatformIdentity } from '../server/checks/types.js';
import type { ZoneRecord } from '../test/support/dns-server.js';
import type { Question } from './dns-proxy.js';

/** The round trips one question costs: 1, or 2 when its UDP answer is truncated. */
export type QuestionCost = (question: Question) => number;

/** Chain lengths in round trips, per check and overall (the maximum). */
export interface Chain {
  spf: number;
  dkim: number;
  dmarc: number;
  /** The related checks: MX, MTA-STS, TLS-RPT, BIMI and reverse DNS of the relay IPs. */
  related: number;
  /**
   * The other queries: the platform's DMARC and relay SPF for the default method's verdict, and
   * the Mandrill include that the suggested SPF record walks.
   */
  other: number;
  total: number;
}

// The test DNS server follows at most this many CNAMEs.
const MAX_CNAME_CHAIN = 8;

export class ZoneIndex {
  private readonly byName = new Map<string, ZoneRecord[]>();

  constructor(records: ZoneRecord[]) {
    for (const record of records) {
      const name = normalize(record.name);
      const list = this.byName.get(name) ?? [];
      list.push(record);
      this.byName.set(name, list);
    }
  }

  /** The TXT strings at `name` after in-zone CNAMEs, each record's strings joined. */
  txt(name: string): string[] {
    return this.records(name, 'TXT').map((record) => (record.data as string[]).join(''));
  }

  /** Returns the records of `type` at `name` after in-zone CNAMEs, as the test DNS server does. */
  records(name: string, type: ZoneRecord['type']): ZoneRecord[] {
    let current = normalize(name);
    for (let depth = 0; depth <= MAX_CNAME_CHAIN; depth += 1) {
      const found = this.byName.get(current) ?? [];
      const matching = found.filter((record) => record.type === type);
      const cname = found.find((record) => record.type === 'CNAME');
      if (matching.length > 0 || !cname) {
        return matching;
      }
      current = normalize(cname.data as string);
    }
    return [];
  }
}

/**
 * Computes the chain of `domain` as `checkDomain` without an SMTP host queries it: the SPF
 * tree, the DKIM selectors, DMARC with its organizational fallback, the related checks, the
 * platform's records for the default method's verdict and the include of the suggested SPF
 * record.
 * NOTE: this models the checks' queries by hand, so a check that adds dependent queries must
 * be added here too, or the bound comes out too low.
 */
export function chainOf(
  domain: string,
  zone: ZoneIndex,
  platform: PlatformIdentity,
  cost: QuestionCost,
): Chain {
  const spf = spfChain(domain, zone, cost, [domain]);
  const dkim = Math.max(
    0,
    ...selectorProbes(domain, platform).map((probe) => {
      const name = `${probe.selector}._domainkey.${probe.domain}`;
      const txt = cost({ name, type: 'TXT' });
      // Every selector's CNAME question is sent beside its TXT question.
      return Math.max(txt, cost({ name, type: 'CNAME' }));
    }),
  );
  const dmarc = dmarcChain(domain, zone, cost);
  const related = relatedChain(domain, platform.relayIps, zone, cost);
  const other = Math.max(
    dmarcChain(domainOf(platform.fromAddress), zone, cost),
    // mailauth stops at the first matching term, so the whole tree is an upper bound.
    spfChain(platform.envelopeDomain, zone, cost, [platform.envelopeDomain]),
    // Walked only when the tree lacks it, but its name is fixed, so the bound treats it as independent.
    spfChain(MANDRILL.spfInclude, zone, cost, [MANDRILL.spfInclude]),
  );
  return { spf, dkim, dmarc, related, other, total: Math.max(spf, dkim, dmarc, related, other) };
}

/**
 * The related checks' chain. Sent at once: the MX query, the TXT queries of MTA-STS, TLS-RPT
 * and BIMI, and the PTR query of each sending IP. Sent only because of an earlier answer: the
 * CNAME, A and AAAA queries of each MX exchange (or of the domain itself, the implicit MX, when
 * it has no MX records), and the forward query of each PTR name. The benchmark's MTA-STS
 * fetcher makes no request, so no policy host is resolved.
 */
function relatedChain(
  domain: string,
  sendingIps: string[],
  zone: ZoneIndex,
  cost: QuestionCost,
): number {
  const addresses = (name: string): number =>
    Math.max(cost({ name, type: 'A' }), cost({ name, type: 'AAAA' }));
  const exchanges = zone
    .records(domain, 'MX')
    .map((record) => normalize((record.data as { exchange: string }).exchange));
  const isNullMx = exchanges.some((exchange) => exchange === '');
  const hosts = exchanges.filter((exchange) => exchange !== '' && parseIp(exchange) === undefined);
  const below =
    exchanges.length === 0
      ? addresses(domain)
      : isNullMx
        ? 0
        : Math.max(
            0,
            ...hosts.map((host) => Math.max(cost({ name: host, type: 'CNAME' }), addresses(host))),
          );
  const mx = cost({ name: domain, type: 'MX' }) + below;
  const txt = Math.max(
    ...[`_mta-sts.${domain}`, `_smtp._tls.${domain}`, `default._bimi.${domain}`].map((name) =>
      cost({ name, type: 'TXT' }),
    ),
  );
  const reverse = sendingIps.map((ip) => {
    const address = parseIp(ip);
    if (address === undefined) {
      return 0;
    }
    const ptrName = reverseName(address);
    const forwardType = address.kind() === 'ipv4' ? 'A' : 'AAAA';
    const names = zone.records(ptrName, 'PTR').map((record) => normalize(record.data as string));
    const forward = names.map((name) => cost({ name, type: forwardType }));
    return cost({ name: ptrName, type: 'PTR' }) + Math.max(0, ...forward);
  });
  return Math.max(mx, txt, ...reverse);
}

/** The TXT query of `domain` plus the longest chain below any term its SPF record evaluates. */
function spfChain(domain: string, zone: ZoneIndex, cost: QuestionCost, path: string[]): number {
  const own = cost({ name: domain, type: 'TXT' });
  const records = zone.txt(domain).filter(isSpfRecord);
  if (records.length !== 1) {
    return own;
  }
  const parsed = parseSpfRecord(records[0] ?? '', domain);
  const allIndex = parsed.terms.findIndex(
    (term) => term.kind === 'mechanism' && term.name === 'all',
  );
  // As in the checker: terms after "all" are not evaluated, and "all" makes a redirect dead.
  const evaluated = allIndex >= 0 ? parsed.terms.slice(0, allIndex + 1) : parsed.terms;
  const below = evaluated.map((term) => termChain(term, domain, zone, cost, path));
  const redirect = parsed.terms.find(
    (term) => term.kind === 'modifier' && term.name === 'redirect',
  );
  if (redirect && redirect.kind === 'modifier' && allIndex < 0) {
    below.push(targetChain(redirect.value, zone, cost, path));
  }
  return own + Math.max(0, ...below);
}

function termChain(
  term: SpfTerm,
  domain: string,
  zone: ZoneIndex,
  cost: QuestionCost,
  path: string[],
): number {
  if (term.kind !== 'mechanism') {
    return 0;
  }
  const spec = term.domain ?? domain;
  if (hasMacro(spec)) {
    return 0;
  }
  switch (term.name) {
    case 'include':
      return targetChain(spec, zone, cost, path);
    case 'a':
      return Math.max(cost({ name: spec, type: 'A' }), cost({ name: spec, type: 'AAAA' }));
    case 'mx':
      return cost({ name: spec, type: 'MX' });
    case 'exists':
      return cost({ name: spec, type: 'A' });
    default:
      // ptr depends on the client IP, so the lint sends no query for it; the rest send none.
      return 0;
  }
}

function targetChain(spec: string, zone: ZoneIndex, cost: QuestionCost, path: string[]): number {
  const target = normalize(spec);
  // A loop is reported without another query.
  if (path.includes(target)) {
    return 0;
  }
  return spfChain(target, zone, cost, [...path, target]);
}

/**
 * The DMARC check's chain. `_dmarc.<domain>` and the misplaced-record probes of `<domain>` and
 * `dmarc.<domain>` are always sent, so they are independent. Sent only because of an earlier
 * answer: the authorization records of external rua/ruf destinations (after the record is
 * read), `_dmarc.<domain>.<domain>` (after `_dmarc.<domain>` came back empty), and the whole
 * fallback to the organizational domain with its own probes.
 */
function dmarcChain(domain: string, zone: ZoneIndex, cost: QuestionCost): number {
  const orgDomain = organizationalDomain(domain);
  const own = cost({ name: `_dmarc.${domain}`, type: 'TXT' });
  const records = dmarcRecordsAt(domain, zone);
  if (records.length > 0 || orgDomain === domain) {
    return Math.max(misplacedProbes(domain, cost), own + afterDiscovery(domain, records, cost));
  }
  const fallback = Math.max(
    cost({ name: `_dmarc.${domain}.${domain}`, type: 'TXT' }),
    misplacedProbes(orgDomain, cost),
    cost({ name: `_dmarc.${orgDomain}`, type: 'TXT' }) +
      afterDiscovery(orgDomain, dmarcRecordsAt(orgDomain, zone), cost),
  );
  return Math.max(misplacedProbes(domain, cost), own + fallback);
}

function dmarcRecordsAt(domain: string, zone: ZoneIndex): string[] {
  return zone
    .txt(`_dmarc.${domain}`)
    .map((text) => text.trim())
    .filter(isDmarcRecord);
}

function misplacedProbes(domain: string, cost: QuestionCost): number {
  return Math.max(
    cost({ name: domain, type: 'TXT' }),
    cost({ name: `dmarc.${domain}`, type: 'TXT' }),
  );
}

/** The queries that follow the `_dmarc.<domain>` answer: external report checks, or the doubled name. */
function afterDiscovery(domain: string, records: string[], cost: QuestionCost): number {
  if (records.length === 0) {
    return cost({ name: `_dmarc.${domain}.${domain}`, type: 'TXT' });
  }
  // Several records mean no DMARC processing, and the checker reads none of them further.
  if (records.length > 1) {
    return 0;
  }
  const ownOrg = organizationalDomain(domain);
  const parsed = parseDmarcRecord(records[0] ?? '', `_dmarc.${domain}`);
  const external = parsed.reportUris
    .map(({ entry }) => entry.domain)
    .filter((destination): destination is string => destination !== null)
    .filter((destination) => organizationalDomain(destination) !== ownOrg)
    .map((destination) => cost({ name: `${domain}._report._dmarc.${destination}`, type: 'TXT' }));
  return Math.max(0, ...external);
}

function normalize(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

/** Lists the distinct questions the chains of `domains` touch, for `findTruncatedAnswers`. */
export function chainQuestions(
  domains: string[],
  zone: ZoneIndex,
  platform: PlatformIdentity,
): Question[] {
  const questions = new Map<string, Question>();
  const record: QuestionCost = (question) => {
    const normalized = { name: normalize(question.name), type: question.type };
    questions.set(`${normalized.type} ${normalized.name}`, normalized);
    return 1;
  };
  for (const domain of domains) {
    chainOf(domain, zone, platform, record);
  }
  return [...questions.values()];
}

/** A cost of 1 round trip per question, plus 1 for each question in `truncated`. */
export function costWithRetries(truncated: Set<string>): QuestionCost {
  return (question) => (truncated.has(`${question.type} ${normalize(question.name)}`) ? 2 : 1);
}
