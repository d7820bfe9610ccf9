import type { Resolver } from '../dns/types.js';
import { hasMacro, parseSpfRecord } from './spf-record.js';
import type { SpfTerm } from './spf-record.js';
import { fetchSpf } from './spf-tree.js';

// The walk in spf-tree.ts stops following targets after 60 DNS-querying terms. The prefetch
// stops at the same count, so a runaway tree cannot make it send hundreds of queries.
const MAX_PREFETCHED_LOOKUPS = 60;

interface PrefetchState {
  resolver: Resolver;
  lookups: number;
  /** Include and redirect targets whose records were already requested. */
  requested: Set<string>;
}

/**
 * Starts the queries that walking the SPF tree of `domain` sends, one level of the tree at a
 * time: a record's terms as soon as the record arrives, and each include or redirect target's
 * terms as soon as the target's record arrives. The walk finishes one subtree before it reads
 * the next, so its waits would add up to about one round trip per include. With the prefetch
 * they overlap, and the tree costs one round trip per level. Results and errors stay in the
 * resolver's cache for the walk to read and report.
 * NOTE: past 60 lookups this counts terms in arrival order and the walk in evaluation order,
 * so in such trees each may query a few names that the other does not.
 */
export function prefetchSpfTree(domain: string, resolver: Resolver): void {
  const top = domain.toLowerCase().replace(/\.$/, '');
  const state: PrefetchState = { resolver, lookups: 0, requested: new Set([top]) };
  startRecord(domain, state);
}

function startRecord(domain: string, state: PrefetchState): void {
  // The walk reads the same cached results and reports any failure, so the prefetch drops its own.
  prefetchRecord(domain, state).catch(() => undefined);
}

async function prefetchRecord(domain: string, state: PrefetchState): Promise<void> {
  const fetched = await fetchSpf(state.resolver, domain);
  // As in the walk: no record, several records or a failed lookup end the branch.
  if (fetched.records.length !== 1) {
    return;
  }
  const parsed = parseSpfRecord(fetched.records[0] ?? '', domain);
  const allIndex = parsed.terms.findIndex(
    (term) => term.kind === 'mechanism' && term.name === 'all',
  );
  // RFC 7208 5.1: terms after "all" are never evaluated, and 6.1: "all" makes a redirect dead.
  const evaluated = allIndex >= 0 ? parsed.terms.slice(0, allIndex + 1) : parsed.terms;
  for (const term of evaluated) {
    prefetchTerm(term, domain, state);
  }
  const redirect = parsed.terms.find(
    (term) => term.kind === 'modifier' && term.name === 'redirect',
  );
  if (redirect && redirect.kind === 'modifier' && allIndex < 0) {
    state.lookups += 1;
    followTarget(redirect.value, state);
  }
}

function prefetchTerm(term: SpfTerm, domain: string, state: PrefetchState): void {
  if (term.kind !== 'mechanism') {
    return;
  }
  const spec = term.domain ?? domain;
  const start = (type: string): void => {
    state.resolver(spec, type).catch(() => undefined);
  };
  switch (term.name) {
    case 'include':
      state.lookups += 1;
      if (term.domain !== undefined) {
        followTarget(term.domain, state);
      }
      return;
    case 'a':
      state.lookups += 1;
      if (!hasMacro(spec)) {
        start('A');
        start('AAAA');
      }
      return;
    case 'mx':
      state.lookups += 1;
      if (!hasMacro(spec)) {
        start('MX');
      }
      return;
    case 'exists':
      state.lookups += 1;
      if (term.domain !== undefined && !hasMacro(term.domain)) {
        start('A');
      }
      return;
    case 'ptr':
      // The PTR query depends on the client IP, so the walk sends none.
      state.lookups += 1;
      return;
    default:
      return;
  }
}

function followTarget(spec: string, state: PrefetchState): void {
  if (hasMacro(spec) || state.lookups > MAX_PREFETCHED_LOOKUPS) {
    return;
  }
  const target = spec.toLowerCase().replace(/\.$/, '');
  // A target met twice has the same subtree, and a loop has none worth fetching again.
  if (state.requested.has(target)) {
    return;
  }
  state.requested.add(target);
  startRecord(target, state);
}
