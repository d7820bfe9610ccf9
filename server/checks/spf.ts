import type { Resolver } from '../dns/types.js';
import { finding } from './findings.js';
import { KNOWN_INCLUDES } from './providers.js';
import { mergeSpfRecords } from './spf-record.js';
import { findType99Record } from './spf-publish.js';
import { MAX_LOOKUPS, MAX_VOID_LOOKUPS } from './spf-limits.js';
import type { CrossingTerm } from './spf-limits.js';
import { prefetchSpfTree } from './spf-prefetch.js';
import { fetchSpf, walkSpfNode } from './spf-tree.js';
import type { WalkState } from './spf-tree.js';
import type { Finding, SpfNode, SpfReport } from './types.js';

// RFC 7208 4.6.4: at most 10 DNS-querying terms and at most 2 void lookups per evaluation.
export { MAX_LOOKUPS, MAX_VOID_LOOKUPS };

/**
 * Lints the SPF record of `domain` without a client IP: fetches it, walks every branch of its
 * include/redirect tree and counts lookups against the limits of RFC 7208 4.6.4.
 */
export async function checkSpf(domain: string, resolver: Resolver): Promise<SpfReport> {
  const state: WalkState = {
    resolver,
    walkedLookups: 0,
    walkedVoidLookups: 0,
    crossed: {},
    permerror: false,
    temperror: false,
    targets: new Set(),
  };
  prefetchSpfTree(domain, resolver);
  const [fetched, type99] = await Promise.all([
    fetchSpf(resolver, domain),
    findType99Record(resolver, domain),
  ]);
  const tree = await walkSpfNode(domain, fetched, state, [domain], 'top');
  const lookups = sumTree(tree, (node) => node.lookups);
  const voidLookups = sumTree(tree, (node) => node.voidLookups);
  const findings = collectFindings(tree);
  if (type99) {
    findings.push(type99);
  }

  if (fetched.records.length === 0 && !fetched.tempError) {
    findings.unshift(
      finding(
        'spf.missing',
        'error',
        `${domain} has no SPF record, so receivers get SPF "none" and cannot tell its servers from forgers.`,
        `TXT ${domain} "v=spf1 <the includes of your sending services> ~all"`,
      ),
    );
  }
  if (lookups > MAX_LOOKUPS) {
    state.permerror = true;
    findings.unshift(tooManyLookups(domain, lookups, state.crossed.lookups));
  }
  if (voidLookups > MAX_VOID_LOOKUPS) {
    state.permerror = true;
    findings.unshift(
      finding(
        'spf.too_many_void_lookups',
        'error',
        `The SPF tree of ${domain} has ${voidLookups} void lookups (names without records); receivers return permerror after ${MAX_VOID_LOOKUPS} (RFC 7208 4.6.4)${crossingText(state.crossed.void)}.`,
        'Remove the terms that point to names without records.',
      ),
    );
  }

  return {
    record: fetched.records.length === 1 ? (fetched.records[0] ?? null) : tree.record,
    status: reportStatus(fetched.records.length, state),
    lookups,
    voidLookups,
    tree: fetched.records.length > 0 || fetched.tempError ? tree : null,
    includes: [...state.targets].filter((target) => KNOWN_INCLUDES.has(target)),
    findings,
  };
}

function reportStatus(recordCount: number, state: WalkState): NonNullable<SpfReport['status']> {
  if (state.permerror) {
    return 'permerror';
  }
  if (state.temperror) {
    return 'temperror';
  }
  return recordCount === 0 ? 'none' : 'valid';
}

function tooManyLookups(domain: string, lookups: number, crossed?: CrossingTerm): Finding {
  return finding(
    'spf.too_many_lookups',
    'error',
    `The SPF tree of ${domain} needs ${lookups} DNS lookups; receivers stop at ${MAX_LOOKUPS} and return permerror (RFC 7208 4.6.4), so SPF fails for every server not matched earlier${crossingText(crossed)}.`,
    'Remove includes of services you no longer use, or replace includes with the ip4:/ip6: ranges they contain.',
  );
}

function crossingText(crossed: CrossingTerm | undefined): string {
  if (!crossed) {
    return '';
  }
  return `. The limit is first crossed by "${crossed.term}", term ${crossed.position} of the record of ${crossed.domain}`;
}

function sumTree(node: SpfNode, value: (node: SpfNode) => number): number {
  return node.children.reduce((total, child) => total + sumTree(child, value), value(node));
}

function collectFindings(node: SpfNode): Finding[] {
  return [...node.findings, ...node.children.flatMap(collectFindings)];
}

/**
 * Returns the one record a fix should start from: the published record, or the merge of
 * several published records, or null when there is none.
 */
export function recordForFix(spf: SpfReport, domain: string): string | null {
  if (spf.findings.some((item) => item.code === 'spf.multiple_records') && spf.tree?.record) {
    return mergeSpfRecords(spf.tree.record.split(' | '), domain);
  }
  return spf.record;
}
