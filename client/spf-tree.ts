import { badge, codeBlock, el } from './dom.js';
import { formatCount, pluralize } from './format.js';
import type { Finding, SpfNode } from './types.js';

/** RFC 7208 section 4.6.4 limits on DNS-querying terms and void lookups. */
export const SPF_LOOKUP_LIMIT = 10;
export const SPF_VOID_LOOKUP_LIMIT = 2;

const RUNNING_TOTAL_TITLE =
  'Counted in evaluation order, up to the end of this record and the records it includes';

/**
 * Creates the SPF include and redirect tree as nested `<details>`, with id `spf-tree`. Each
 * node shows its own lookups and the running total, and the node whose term first goes over a
 * limit is marked. The top record and the path to that node start expanded.
 */
export function spfTree(tree: SpfNode): HTMLElement {
  return el('div', { className: 'spf-tree', attrs: { id: 'spf-tree' } }, [
    el('h5', { text: 'Include and redirect tree' }),
    el('ul', { className: 'spf-tree-list' }, [treeNode(tree, 0)]),
  ]);
}

function treeNode(node: SpfNode, depth: number): HTMLLIElement {
  const body = el('div', { className: 'spf-node-body' }, [
    node.record === null
      ? el('p', { className: 'warn-text', text: `No SPF record at ${node.domain}.` })
      : codeBlock(node.record),
    node.children.length > 0
      ? el(
          'ul',
          { className: 'spf-tree-list' },
          node.children.map((child) => treeNode(child, depth + 1)),
        )
      : null,
  ]);
  const details = el('details', {}, [el('summary', {}, nodeSummary(node)), body]);
  details.open = depth === 0 || leadsToLimit(node);
  return el(
    'li',
    { className: node.limitCrossed ? 'spf-node limit-crossed' : 'spf-node', attrs: nodeData(node) },
    [details],
  );
}

/** Test hooks: the node's domain, lookup counts and the limit it crosses. */
function nodeData(node: SpfNode): Record<string, string> {
  const data: Record<string, string> = {
    'data-domain': node.domain,
    'data-lookups': String(node.lookups),
  };
  if (node.runningLookups !== undefined) {
    data['data-running-lookups'] = String(node.runningLookups);
  }
  if (node.limitCrossed) data['data-limit-crossed'] = node.limitCrossed;
  return data;
}

function leadsToLimit(node: SpfNode): boolean {
  return node.limitCrossed !== undefined || node.children.some(leadsToLimit);
}

function nodeSummary(node: SpfNode): (Node | null)[] {
  const term = node.via
    ? el('code', { className: 'spf-term', text: `${node.via}:${node.domain}` })
    : el('strong', { className: 'spf-term', text: node.domain });
  const position =
    node.via && node.position !== undefined
      ? el('span', { className: 'muted spf-position', text: `term ${node.position}` })
      : null;
  return [
    term,
    position,
    lookupCounts(node),
    voidCounts(node),
    limitBadge(node),
    node.record === null ? badge('no record', 'bad') : null,
    ...findingChips(node.findings),
  ];
}

/** Creates the "3 lookups, 7 of 10 so far" label, or the own count alone without a running total. */
function lookupCounts(node: SpfNode): HTMLElement {
  const own = pluralize(node.lookups, 'lookup');
  return runningCounts('spf-counts', own, node.runningLookups, SPF_LOOKUP_LIMIT);
}

/** Creates the same label for void lookups, or null for a node without any. */
function voidCounts(node: SpfNode): HTMLElement | null {
  if (node.voidLookups === 0 && node.limitCrossed !== 'void') return null;
  const own = pluralize(node.voidLookups, 'void lookup');
  return runningCounts('spf-void-counts', own, node.runningVoidLookups, SPF_VOID_LOOKUP_LIMIT);
}

function runningCounts(
  className: string,
  own: string,
  running: number | undefined,
  limit: number,
): HTMLElement {
  if (running === undefined) return el('span', { className, text: own });
  const total = el('span', {
    className: running > limit ? 'over-limit' : '',
    text: `${formatCount(running)} of ${limit} so far`,
    attrs: { title: RUNNING_TOTAL_TITLE },
  });
  return el('span', { className }, [`${own}, `, total]);
}

function limitBadge(node: SpfNode): HTMLElement | null {
  if (node.limitCrossed === 'lookups') {
    return badge(`Over ${SPF_LOOKUP_LIMIT} lookups here`, 'bad', 'limit-badge');
  }
  if (node.limitCrossed === 'void') {
    return badge(`Over ${SPF_VOID_LOOKUP_LIMIT} void lookups here`, 'bad', 'limit-badge');
  }
  return null;
}

/** Creates one label per finding code of the node, with a count when a code repeats. */
function findingChips(findings: Finding[]): HTMLElement[] {
  const counts = new Map<string, { severity: Finding['severity']; count: number }>();
  for (const finding of findings) {
    const entry = counts.get(finding.code);
    if (entry) entry.count += 1;
    else counts.set(finding.code, { severity: finding.severity, count: 1 });
  }
  return [...counts].map(([code, { severity, count }]) =>
    el('code', {
      className: `issue-code issue-code-${severity}`,
      text: count > 1 ? `${code} ×${count}` : code,
    }),
  );
}
