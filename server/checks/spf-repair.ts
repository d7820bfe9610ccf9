import net from 'node:net';
import type { Resolver } from '../dns/types.js';
import { isVoidError } from './dns-errors.js';
import { correctedTerm, parseSpfRecord } from './spf-record.js';
import type { SpfMechanism, SpfTerm } from './spf-record.js';
import { coversEverything } from './spf-terms.js';
import type { SpfReport } from './types.js';

export interface RepairedSpf {
  record: string;
  /** One sentence per change made to the published record, for the note beside the fix. */
  changes: string[];
}

/** Positions of include terms whose target has no SPF record or loops back: permerror. */
function brokenIncludes(spf: SpfReport): Set<number> {
  const positions = new Set<number>();
  for (const child of spf.tree?.children ?? []) {
    const broken = child.findings.some(
      (f) => f.code === 'spf.include_without_spf' || f.code === 'spf.include_loop',
    );
    if (child.via === 'include' && broken && child.position !== undefined) {
      positions.add(child.position);
    }
  }
  return positions;
}

/**
 * Rewrites a published SPF record so that a fix built on it carries none of its errors:
 * misspelt mechanisms are corrected, invalid terms, `ptr`, networks that match every address
 * and includes of names without SPF records are removed, duplicates are dropped, terms after
 * `all` move before it, `+all` and `?all` become `~all`, a dead redirect is removed and a
 * missing `all` is added. Each change is described, because some of them change which
 * servers pass. `spf` is the report of the record, used for the include targets it found.
 */
export function repairSpfRecord(record: string, domain: string, spf: SpfReport): RepairedSpf {
  const parsed = parseSpfRecord(record, domain);
  const byPosition = new Map(parsed.terms.map((term) => [term.position, term]));
  const invalid = new Set(
    parsed.findings.filter((f) => f.code === 'spf.invalid_term').map((f) => f.position),
  );
  const broken = spf.record === record ? brokenIncludes(spf) : new Set<number>();
  const changes: string[] = [];
  const kept: string[] = [];
  const seen = new Set<string>();
  let all: SpfMechanism | undefined;
  let redirect: string | undefined;
  let exp: string | undefined;
  const afterAll: string[] = [];

  const raws = record.trim().split(/ +/).slice(1);
  for (const [index, raw] of raws.entries()) {
    const position = index + 1;
    const term: SpfTerm | undefined = byPosition.get(position);
    let text = raw;
    if (!term) {
      const fixed = correctedSpelling(raw);
      if (!fixed) {
        changes.push(`Removed "${raw}", which is not an SPF mechanism.`);
        continue;
      }
      changes.push(`Corrected "${raw}" to "${fixed}".`);
      text = fixed;
    } else if (invalid.has(position)) {
      changes.push(`Removed the invalid term "${raw}".`);
      continue;
    } else if (term.kind === 'modifier') {
      if (term.name === 'redirect') redirect ??= raw;
      else if (term.name === 'exp') exp ??= raw;
      else kept.push(raw);
      continue;
    } else if (term.name === 'all') {
      if (all) continue;
      all = term;
      continue;
    } else if (term.name === 'ptr') {
      changes.push(
        `Removed "${raw}", which RFC 7208 5.5 says not to use; if a server relied on it, list its address as ip4: or ip6:.`,
      );
      continue;
    } else if ((term.name === 'ip4' || term.name === 'ip6') && coversEverything(term)) {
      changes.push(`Removed "${raw}", which let every server on the internet pass.`);
      continue;
    } else if (broken.has(position)) {
      changes.push(
        `Removed "${raw}": its target has no usable SPF record, which makes receivers return permerror.`,
      );
      continue;
    }
    const key = text.toLowerCase();
    if (seen.has(key)) {
      changes.push(`Removed the repeated "${raw}".`);
      continue;
    }
    seen.add(key);
    (all ? afterAll : kept).push(text);
  }
  if (afterAll.length > 0) {
    changes.push(
      `Moved ${afterAll.map((t) => `"${t}"`).join(', ')} before "${all?.raw}": receivers never read terms after all.`,
    );
  }
  const ending = endingFor(all, redirect, changes);
  const terms = ['v=spf1', ...kept, ...afterAll, ...ending, ...(exp ? [exp] : [])];
  return { record: terms.join(' '), changes };
}

function correctedSpelling(raw: string): string | undefined {
  const qualifier = /^[+~?-]/.test(raw) ? raw.charAt(0) : '';
  const name = /^[^:/]*/.exec(raw.slice(qualifier.length))?.[0] ?? '';
  return correctedTerm(raw, name);
}

function endingFor(
  all: SpfMechanism | undefined,
  redirect: string | undefined,
  changes: string[],
): string[] {
  if (all) {
    if (redirect) changes.push(`Removed "${redirect}", which is never used beside "${all.raw}".`);
    if (all.qualifier === '+' || all.qualifier === '?') {
      changes.push(
        `Changed "${all.raw}" to "~all", so servers the record does not list stop passing.`,
      );
      return ['~all'];
    }
    return [all.raw];
  }
  if (redirect) return [redirect];
  changes.push('Added "~all" at the end, so servers the record does not list get softfail.');
  return ['~all'];
}

/**
 * Replaces the record's own `a` and `mx` terms (those without a domain or prefix length)
 * with the addresses they resolve to now, which saves one lookup each. Provider includes are
 * never expanded this way: providers change their addresses without notice. Returns the
 * record unchanged when a lookup fails.
 */
export async function inlineOwnHosts(
  record: string,
  domain: string,
  resolver: Resolver,
): Promise<RepairedSpf> {
  const changes: string[] = [];
  const out: string[] = [];
  for (const raw of record.split(' ')) {
    const match = /^\+?(a|mx)$/i.exec(raw);
    if (!match) {
      out.push(raw);
      continue;
    }
    const addresses = await ownAddresses((match[1] ?? '').toLowerCase(), domain, resolver);
    if (!addresses || addresses.length === 0) {
      out.push(raw);
      continue;
    }
    const listed = addresses.map((ip) => `${net.isIPv6(ip) ? 'ip6' : 'ip4'}:${ip}`);
    changes.push(
      `Replaced "${raw}" with ${listed.join(' ')}, the addresses it has now, to save a lookup; update them when those servers change.`,
    );
    out.push(...listed.filter((term) => !out.includes(term)));
  }
  return { record: out.join(' '), changes };
}

async function ownAddresses(
  kind: string,
  domain: string,
  resolver: Resolver,
): Promise<string[] | undefined> {
  try {
    const hosts =
      kind === 'a'
        ? [domain]
        : ((await resolver(domain, 'MX')) as { exchange: string }[]).map((mx) => mx.exchange);
    const answers = await Promise.all(
      hosts.flatMap((host) => [
        addressesOf(host, 'A', resolver),
        addressesOf(host, 'AAAA', resolver),
      ]),
    );
    return [...new Set(answers.flat())];
  } catch {
    // A failed lookup would leave a server out of the record: keep the term instead.
    return undefined;
  }
}

/** Returns the addresses of `host`, none when it has none; other DNS errors are thrown. */
async function addressesOf(
  host: string,
  type: 'A' | 'AAAA',
  resolver: Resolver,
): Promise<string[]> {
  try {
    return (await resolver(host, type)) as string[];
  } catch (error) {
    if (isVoidError(error)) return [];
    throw error;
  }
}
