import type { SpfNode } from './types.js';

// RFC 7208 4.6.4: an evaluation may use at most 10 DNS-querying terms and at most 2 void lookups.
export const MAX_LOOKUPS = 10;
export const MAX_VOID_LOOKUPS = 2;

/** The lookup and void-lookup counts of one tree walk, in the order a receiver evaluates. */
export interface LimitCounters {
  /** Lookups counted so far in walk order. */
  walkedLookups: number;
  /** Void lookups counted so far in walk order. */
  walkedVoidLookups: number;
  /** The first term that went over each limit, with the record it sits in. */
  crossed: { lookups?: CrossingTerm; void?: CrossingTerm };
}

export interface CrossingTerm {
  domain: string;
  term: string;
  position: number;
}

interface CountedTerm {
  raw: string;
  position: number;
}

/** Counts one DNS-querying term of `node` and marks the node if it is the 11th of the walk. */
export function countLookup(node: SpfNode, state: LimitCounters, term: CountedTerm): void {
  node.lookups += 1;
  state.walkedLookups += 1;
  // RFC 7208 4.6.4: the 11th DNS-querying term is the one that makes receivers return permerror.
  if (state.walkedLookups === MAX_LOOKUPS + 1) {
    markCrossing(node, state, 'lookups', term);
  }
}

/** Counts one void lookup of `node` and marks the node if it is the 3rd of the walk. */
export function countVoid(node: SpfNode, state: LimitCounters, term: CountedTerm): void {
  node.voidLookups += 1;
  state.walkedVoidLookups += 1;
  if (state.walkedVoidLookups === MAX_VOID_LOOKUPS + 1) {
    markCrossing(node, state, 'void', term);
  }
}

function markCrossing(
  node: SpfNode,
  state: LimitCounters,
  limit: 'lookups' | 'void',
  term: CountedTerm,
): void {
  state.crossed[limit] = { domain: node.domain, term: term.raw, position: term.position };
  // A node that crosses both limits keeps the marker of the one it crossed first.
  node.limitCrossed ??= limit;
}
