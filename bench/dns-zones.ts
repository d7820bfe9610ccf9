/** Zones generated for the DNS benchmark: deep SPF include trees and a bulk set of tenants. */
import type { ZoneRecord } from '../test/support/dns-server.js';

/** One SPF record in a generated tree and the records it includes. */
interface TreeNode {
  children: TreeNode[];
  /** Extra DNS-querying terms put before the includes, e.g. `a` or `mx`. */
  extraTerms?: string[];
}

export interface GeneratedDomain {
  domain: string;
  /** What the domain's SPF tree is built to test. */
  purpose: string;
}

/** A tree whose every node has `fanout` includes, down to `depth` levels below the top. */
function fullTree(fanout: number, depth: number): TreeNode {
  const children =
    depth === 0 ? [] : Array.from({ length: fanout }, () => fullTree(fanout, depth - 1));
  return { children };
}

/**
 * A tree three includes deep with 9 includes: the top includes 3 names, the first of them
 * includes 3 more, and the first of those 3 more again. Each extra term adds one lookup.
 */
function narrowTree(extraTerms: string[]): TreeNode {
  const leaves = (): TreeNode[] => [{ children: [] }, { children: [] }, { children: [] }];
  const third: TreeNode = { children: leaves() };
  const second: TreeNode = { children: [third, ...leaves().slice(1)] };
  return { children: [second, ...leaves().slice(1)], extraTerms };
}

/**
 * Publishes `tree` under `domain`: each node's SPF record at its own name (`n1-2.<domain>` is
 * the second include of the first include), leaves with one `ip4:` each.
 */
function treeRecords(domain: string, tree: TreeNode): ZoneRecord[] {
  const records: ZoneRecord[] = [];
  let leafCount = 0;
  const publish = (name: string, node: TreeNode, path: number[]): void => {
    const includes = node.children.map(
      (_, index) => `n${[...path, index + 1].join('-')}.${domain}`,
    );
    const terms = [...(node.extraTerms ?? []), ...includes.map((target) => `include:${target}`)];
    if (node.children.length === 0) {
      leafCount += 1;
      // 198.18.0.0/15 is reserved for benchmarks (RFC 2544), so no real server is named.
      terms.push(`ip4:198.18.${Math.floor(leafCount / 256)}.${leafCount % 256}`);
    }
    records.push({ name, type: 'TXT', data: [`v=spf1 ${terms.join(' ')} -all`] });
    node.children.forEach((child, index) => {
      publish(includes[index] ?? '', child, [...path, index + 1]);
    });
  };
  publish(domain, tree, []);
  return records;
}

/** DMARC and a DKIM key for a generated domain, so that every check has a record to read. */
function authRecords(domain: string, dkimKey: string): ZoneRecord[] {
  return [
    { name: `_dmarc.${domain}`, type: 'TXT', data: ['v=DMARC1; p=reject; rua=mailto:d@' + domain] },
    { name: `google._domainkey.${domain}`, type: 'TXT', data: [`v=DKIM1; k=rsa; p=${dkimKey}`] },
  ];
}

/**
 * The deep include trees: one with 10 lookups (the RFC 7208 4.6.4 limit), one with 11, and a
 * full tree of 3 includes per name, 3 levels deep (39 lookups). All are 3 includes deep.
 */
export function deepTreeZone(dkimKey: string): {
  records: ZoneRecord[];
  domains: GeneratedDomain[];
} {
  const trees: { domain: string; tree: TreeNode; purpose: string; extra: ZoneRecord[] }[] = [
    {
      domain: 'tree-10.example',
      tree: narrowTree(['a']),
      purpose: '9 includes 3 deep + a: 10 lookups',
      extra: [{ name: 'tree-10.example', type: 'A', data: '198.18.255.1' }],
    },
    {
      domain: 'tree-11.example',
      tree: narrowTree(['a', 'mx']),
      purpose: '9 includes 3 deep + a + mx: 11 lookups',
      extra: [
        { name: 'tree-11.example', type: 'A', data: '198.18.255.2' },
        {
          name: 'tree-11.example',
          type: 'MX',
          data: { priority: 10, exchange: 'mx.tree-11.example' },
        },
        { name: 'mx.tree-11.example', type: 'A', data: '198.18.255.3' },
      ],
    },
    {
      domain: 'tree-39.example',
      tree: fullTree(3, 3),
      purpose: '3 includes per name, 3 deep: 39 lookups',
      extra: [],
    },
  ];
  const records = trees.flatMap(({ domain, tree, extra }) => [
    ...treeRecords(domain, tree),
    ...extra,
    ...authRecords(domain, dkimKey),
  ]);
  return { records, domains: trees.map(({ domain, purpose }) => ({ domain, purpose })) };
}

// SPF records of the bulk tenants, each including a provider published in the corpus zone.
const BULK_SPF = [
  'v=spf1 include:_spf.google.com ~all',
  'v=spf1 ip4:198.18.10.0/24 include:spf.mandrillapp.com ~all',
  'v=spf1 include:spf.protection.outlook.com -all',
];

/**
 * `count` tenant domains for the bulk audit, `rentals-0001.example` and on. Each has an SPF
 * record with one provider include and a DKIM key; three in four publish DMARC at their own
 * name. Every fourth checks `mail.<tenant>`, whose DMARC record is at the tenant's name.
 */
export function bulkZone(
  count: number,
  dkimKey: string,
): { records: ZoneRecord[]; domains: string[] } {
  const records: ZoneRecord[] = [];
  const domains: string[] = [];
  for (let index = 1; index <= count; index += 1) {
    const tenant = `rentals-${String(index).padStart(4, '0')}.example`;
    const domain = index % 4 === 0 ? `mail.${tenant}` : tenant;
    domains.push(domain);
    records.push({ name: domain, type: 'TXT', data: [BULK_SPF[index % BULK_SPF.length] ?? ''] });
    records.push({
      name: `google._domainkey.${domain}`,
      type: 'TXT',
      data: [`v=DKIM1; k=rsa; p=${dkimKey}`],
    });
    records.push({ name: `_dmarc.${tenant}`, type: 'TXT', data: ['v=DMARC1; p=quarantine'] });
  }
  return { records, domains };
}
