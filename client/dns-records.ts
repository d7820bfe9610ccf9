import { codeBlock, descriptionList, el, tableScroller } from './dom.js';
import { issueList } from './issues.js';
import { SPF_LOOKUP_LIMIT, SPF_VOID_LOOKUP_LIMIT, spfTree } from './spf-tree.js';
import type { DkimReport, DkimSelectorReport, DmarcReport, SpfReport } from './types.js';
import { resultBadge } from './verdicts.js';

const ALIGNMENT_MODES = { r: 'relaxed', s: 'strict' } as const;

/**
 * Creates the SPF section: the record, its lookup counts, provider includes, the include and
 * redirect tree, and the errors and warnings.
 */
export function spfSection(spf: SpfReport): HTMLElement {
  const lookups = el('span', {
    className: spf.lookups > SPF_LOOKUP_LIMIT ? 'over-limit' : '',
    text: `${spf.lookups} of ${SPF_LOOKUP_LIMIT}`,
  });
  const voids = el('span', {
    className: spf.voidLookups > SPF_VOID_LOOKUP_LIMIT ? 'over-limit' : '',
    text: `${spf.voidLookups} of ${SPF_VOID_LOOKUP_LIMIT}`,
  });
  const includes = spf.includes.length > 0 ? spf.includes.join(', ') : 'none recognized';
  return recordSection('SPF', 'record-spf', [
    recordText(spf.record, 'No SPF record found.'),
    descriptionList(
      [
        ...(spf.status ? [['Status', resultBadge(spf.status)] as [string, Node]] : []),
        ['DNS lookups', lookups],
        ['Void lookups', voids],
        ['Provider includes', includes],
      ],
      'facts',
    ),
    spf.tree ? spfTree(spf.tree) : null,
    issueList(spf),
  ]);
}

/** Creates the DMARC section: the applying record, where it was found, policy and alignment. */
export function dmarcSection(dmarc: DmarcReport): HTMLElement {
  const inherited = dmarc.inherited ? ' (inherited from the organizational domain)' : '';
  const foundAt =
    dmarc.recordDomain === null ? 'not found' : `_dmarc.${dmarc.recordDomain}${inherited}`;
  const alignment =
    `DKIM ${ALIGNMENT_MODES[dmarc.adkim] ?? dmarc.adkim}, ` +
    `SPF ${ALIGNMENT_MODES[dmarc.aspf] ?? dmarc.aspf}`;
  return recordSection('DMARC', 'record-dmarc', [
    recordText(dmarc.record, 'No DMARC record found.'),
    descriptionList(
      // Without a usable record the percentage and alignment are only defaults: not shown.
      dmarc.policy === null
        ? [
            ['Policy', 'none published'],
            ['Found at', foundAt],
          ]
        : [
            ['Policy', dmarc.policy],
            ['Subdomain policy', dmarc.subdomainPolicy ?? 'same as policy'],
            ['Applies to', `${dmarc.pct}% of failing mail`],
            ['Alignment', alignment],
            ['Found at', foundAt],
            ['Aggregate reports', dmarc.rua.length > 0 ? dmarc.rua.join(', ') : 'none'],
          ],
      'facts',
    ),
    issueList(dmarc),
  ]);
}

/** Creates the DKIM section: one row per selector probed, with its key status. */
export function dkimSection(dkim: DkimReport): HTMLElement {
  const found = dkim.selectors.filter((selector) => selector.status !== 'missing');
  const summary =
    found.length > 0
      ? `Selectors found: ${found.map((selector) => selector.selector).join(', ')}`
      : 'No DKIM selector found among those probed.';
  const table = el('table', { className: 'data-table' }, [
    el('thead', {}, [
      el(
        'tr',
        {},
        ['Selector', 'Status', 'Key', 'Used by'].map((text) =>
          el('th', { text, attrs: { scope: 'col' } }),
        ),
      ),
    ]),
    el('tbody', {}, dkim.selectors.map(selectorRow)),
  ]);
  return recordSection('DKIM', 'record-dkim', [
    el('p', { text: summary }),
    dkim.selectors.length > 0 ? tableScroller(table, 'DKIM selectors') : null,
    // The server copies every selector's findings into dkim.findings.
    issueList(dkim),
  ]);
}

function selectorRow(selector: DkimSelectorReport): HTMLTableRowElement {
  const key = selector.keyType
    ? `${selector.keyType.toUpperCase()}${selector.keyBits ? ` ${selector.keyBits} bits` : ''}`
    : '—';
  return el('tr', {}, [
    el('td', { attrs: { title: selector.name } }, [el('code', { text: selector.selector })]),
    el('td', {}, [resultBadge(selector.status)]),
    el('td', { text: key }),
    el('td', { text: selector.usedBy.length > 0 ? selector.usedBy.join(', ') : '—' }),
  ]);
}

function recordSection(title: string, id: string, children: (Node | null)[]): HTMLElement {
  const heading = el('h4', { text: title });
  return el('section', { className: 'card record', attrs: { id } }, [heading, ...children]);
}

function recordText(record: string | null, missing: string): HTMLElement {
  return record === null ? el('p', { className: 'warn-text', text: missing }) : codeBlock(record);
}
