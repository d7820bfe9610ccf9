import { getJson } from './api.js';
import { el, tableScroller } from './dom.js';
import { formatCount, formatPercent } from './format.js';

interface Entry {
  key: string;
  name?: string;
  sent: number;
  delivered: number;
  /** Hard bounces. */
  bounced: number;
  softBounced: number;
  rejected: number;
  deliveryRate: number | null;
  bounceRate: number | null;
}

interface Reason {
  reason: string;
  count: number;
  hard: number;
  rejected: number;
  examples: { recipient: string; detail: string | null; status: string | null }[];
}

interface Breakdowns {
  byRecipientDomain: Entry[];
  byAccount: Entry[];
  reasons: Reason[];
}

const COLUMNS = [
  'Sent',
  'Delivered',
  'Bounced',
  'Soft bounced',
  'Rejected',
  'Delivery rate',
  'Bounce rate',
];

function entryTable(id: string, caption: string, first: string, entries: Entry[]): HTMLElement {
  const head = el(
    'tr',
    {},
    [first, ...COLUMNS].map((text) => el('th', { text, attrs: { scope: 'col' } })),
  );
  const rows = entries.map((e) =>
    el('tr', {}, [
      el('th', { text: e.name ?? e.key, attrs: { scope: 'row' } }),
      ...[
        formatCount(e.sent),
        formatCount(e.delivered),
        formatCount(e.bounced),
        formatCount(e.softBounced),
        formatCount(e.rejected),
        formatPercent(e.deliveryRate),
        formatPercent(e.bounceRate),
      ].map((text) => el('td', { text })),
    ]),
  );
  const table = el('table', { className: 'data-table numeric', attrs: { id } }, [
    el('caption', { text: caption }),
    el('thead', {}, [head]),
    el('tbody', {}, rows),
  ]);
  return tableScroller(table, caption);
}

function reasonsList(reasons: Reason[]): HTMLElement {
  if (reasons.length === 0)
    return el('p', { className: 'muted', text: 'No bounces in this period.' });
  return el(
    'ol',
    { attrs: { id: 'bounce-reasons' } },
    reasons.map((r) =>
      el('li', {}, [
        el('strong', { text: r.reason === 'undefined' ? 'reason unknown' : r.reason }),
        ` ${formatCount(r.count)} (${formatCount(r.hard)} hard, ${formatCount(r.rejected)} refused at sending)`,
        el(
          'ul',
          {},
          r.examples.map((e) =>
            el('li', {
              className: 'muted',
              text: `${e.recipient}: ${e.status ?? ''} ${e.detail ?? ''}`.trim(),
            }),
          ),
        ),
      ]),
    ),
  );
}

/** Loads the breakdowns of `period` into `container`, setting every value as text. */
export async function loadBreakdowns(
  container: HTMLElement,
  period: URLSearchParams,
  signal: AbortSignal,
) {
  const data = await getJson<Breakdowns>(`/api/reports/breakdowns?${period.toString()}`, signal);
  signal.throwIfAborted();
  const csvLink = (by: string) => {
    const query = new URLSearchParams(period);
    query.set('by', by);
    return el('p', {}, [
      el('a', {
        text: 'Download as CSV',
        attrs: {
          id: `breakdown-${by}-csv`,
          href: `/api/reports/breakdowns.csv?${query}`,
          download: '',
        },
      }),
    ]);
  };
  container.replaceChildren(
    entryTable(
      'breakdown-domains',
      'By recipient domain (busiest 20)',
      'Domain',
      data.byRecipientDomain,
    ),
    csvLink('recipientDomain'),
    ...(data.byAccount.length > 0
      ? [
          entryTable('breakdown-accounts', 'By account (busiest 20)', 'Account', data.byAccount),
          csvLink('account'),
        ]
      : []),
    el('h3', { text: 'Top bounce reasons' }),
    reasonsList(data.reasons),
    ...(data.reasons.length > 0 ? [csvLink('reason')] : []),
  );
}
