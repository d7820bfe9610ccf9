import { el, tableScroller } from './dom.js';
import { METHOD_LABELS, formatCount, formatPercent, formatPeriod, labelFor } from './format.js';
import type { MethodTotals, RateComparison, RateDefinitions, SummaryReport } from './types.js';
import { SENDING_METHODS } from './types.js';

interface Column {
  heading: string;
  value: (totals: MethodTotals) => string | HTMLElement[];
}

const COLUMNS: Column[] = [
  { heading: 'Sent', value: (t) => formatCount(t.sent) },
  { heading: 'Delivered', value: (t) => formatCount(t.delivered) },
  { heading: 'Bounced', value: (t) => formatCount(t.bounced) },
  { heading: 'Soft bounced', value: (t) => formatCount(t.softBounced) },
  { heading: 'Rejected', value: (t) => formatCount(t.rejected) },
  { heading: 'Failed', value: (t) => formatCount(t.failed) },
  { heading: 'Opened', value: (t) => formatCount(t.opened) },
  { heading: 'Delivery rate', value: (t) => withInterval(t, 'deliveryRate') },
  { heading: 'Bounce rate', value: (t) => withInterval(t, 'bounceRate') },
  { heading: 'Open rate', value: (t) => [...withInterval(t, 'openRate'), openRateBase(t)] },
];

/** A rate with its 95% interval on a second line, such as `97.2%` over `(96.1–98.0)`. */
function withInterval(t: MethodTotals, rate: 'deliveryRate' | 'bounceRate' | 'openRate') {
  const value = el('span', { text: formatPercent(t[rate]) });
  const interval = t.intervals?.[rate];
  if (t[rate] === null || !interval) return [value];
  const range = `${(interval.low * 100).toFixed(1)}–${(interval.high * 100).toFixed(1)}`;
  return [value, el('span', { className: 'cell-note', text: ` (${range})` })];
}

/** Says how many delivered sends the open rate is over, or why there is none. */
function openRateBase(t: MethodTotals): HTMLElement {
  let text = '';
  if (t.openRateBase !== undefined && t.openRateBase > 0) {
    text = ` of ${formatCount(t.openRateBase)} ${t.method === 'mandrill' ? 'delivered' : 'tracked'}`;
  } else if (t.openRateBase === 0) {
    text = t.method === 'mandrill' ? ' none delivered' : ' none tracked';
  }
  return el('span', { className: 'cell-note', text });
}

/** Renders the totals table and the rate definitions of one summary report into `container`. */
export function renderSummary(container: HTMLElement, report: SummaryReport): void {
  const range = el('p', {
    className: 'muted',
    attrs: { id: 'summary-period' },
    text: formatPeriod(report.from, report.to),
  });
  const table = el('table', { className: 'data-table numeric', attrs: { id: 'summary-table' } }, [
    el('caption', { className: 'visually-hidden', text: 'Totals by sending method' }),
    el('thead', {}, [headerRow()]),
    el('tbody', {}, orderedTotals(report.methods).map(totalsRow)),
  ]);
  const scroller = tableScroller(table, 'Totals by sending method');
  container.replaceChildren(
    range,
    scroller,
    comparisonList(report.comparisons ?? []),
    definitionList(report.definitions),
  );
}

/** Says for each rate and pair of methods whether the difference is real or may be chance. */
function comparisonList(comparisons: RateComparison[]): HTMLElement {
  const items = comparisons.map((c) =>
    el('li', { text: c.statement, attrs: { 'data-significant': String(c.significant) } }),
  );
  return el('div', { className: 'comparisons', attrs: { id: 'method-comparisons' } }, [
    el('h3', { text: 'Are the differences real?' }),
    el('p', {
      className: 'muted',
      text: 'Rates are shown with their 95% interval. Each pair of methods is compared with a two-proportion z-test, corrected for the number of pairs.',
    }),
    items.length > 0 ? el('ul', {}, items) : el('p', { text: 'Nothing sent yet to compare.' }),
  ]);
}

function orderedTotals(methods: MethodTotals[]): MethodTotals[] {
  const known = SENDING_METHODS.flatMap((method) => methods.filter((t) => t.method === method));
  const unknown = methods.filter((t) => !SENDING_METHODS.includes(t.method));
  return [...known, ...unknown];
}

function headerRow(): HTMLTableRowElement {
  const cells = COLUMNS.map((column) =>
    el('th', { text: column.heading, attrs: { scope: 'col' } }),
  );
  return el('tr', {}, [el('th', { text: 'Method', attrs: { scope: 'col' } }), ...cells]);
}

function totalsRow(totals: MethodTotals): HTMLTableRowElement {
  const name = el('th', { attrs: { scope: 'row' } }, [
    el('span', {
      className: `method-swatch method-${totals.method}`,
      attrs: { 'aria-hidden': 'true' },
    }),
    labelFor(METHOD_LABELS, totals.method),
  ]);
  const cells = COLUMNS.map((column) => {
    const value = column.value(totals);
    return typeof value === 'string' ? el('td', { text: value }) : el('td', {}, value);
  });
  return el('tr', { attrs: { 'data-method': totals.method } }, [name, ...cells]);
}

function definitionList(definitions: RateDefinitions): HTMLDListElement {
  const entries: [string, string][] = [
    ['Delivery rate', definitions.deliveryRate],
    ['Bounce rate', definitions.bounceRate],
    ['Open rate', definitions.openRate],
  ];
  return el(
    'dl',
    { className: 'definitions', attrs: { id: 'rate-definitions' } },
    entries.flatMap(([term, text]) => [el('dt', { text: term }), el('dd', { text })]),
  );
}
