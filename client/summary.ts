import { el, tableScroller } from './dom.js';
import { METHOD_LABELS, formatCount, formatPercent, formatPeriod, labelFor } from './format.js';
import type {
  MethodTotals,
  RateComparison,
  RateDefinitions,
  RateName,
  SummaryReport,
} from './types.js';
import { SENDING_METHODS } from './types.js';

interface Column {
  heading: string;
  value: (totals: MethodTotals) => string | HTMLElement[];
}

/** The delivery table: what happened to the sends at the receiving servers. */
const DELIVERY_COLUMNS: Column[] = [
  { heading: 'Sent', value: (t) => formatCount(t.sent) },
  { heading: 'Delivered', value: (t) => formatCount(t.delivered) },
  { heading: 'Bounced', value: (t) => formatCount(t.bounced) },
  { heading: 'Soft bounced', value: (t) => formatCount(t.softBounced) },
  { heading: 'Rejected', value: (t) => formatCount(t.rejected) },
  { heading: 'Failed', value: (t) => formatCount(t.failed) },
  { heading: 'Delivery rate', value: (t) => withInterval(t, 'deliveryRate') },
  { heading: 'Bounce rate', value: (t) => withInterval(t, 'bounceRate') },
];

/** The engagement table: what the recipients did with the delivered sends. */
const ENGAGEMENT_COLUMNS: Column[] = [
  { heading: 'Opened', value: (t) => formatCount(t.opened) },
  {
    heading: 'Open rate',
    value: (t) => [...withInterval(t, 'openRate'), rateBase(t, t.openRateBase)],
  },
  { heading: 'Clicked', value: (t) => formatCount(t.clicked) },
  {
    heading: 'Click rate',
    value: (t) => [...withInterval(t, 'clickRate'), rateBase(t, t.clickRateBase)],
  },
  { heading: 'Complained', value: (t) => formatCount(t.complained) },
  { heading: 'Complaint rate', value: (t) => withInterval(t, 'complaintRate') },
  { heading: 'Unsubscribed', value: (t) => formatCount(t.unsubscribed) },
  { heading: 'Unsubscribe rate', value: (t) => withInterval(t, 'unsubscribeRate') },
];

/** Formats a rate with its 95% interval on a second line, such as `97.2%` over `(96.1–98.0)`. */
function withInterval(t: MethodTotals, rate: RateName): HTMLElement[] {
  const value = el('span', { text: formatPercent(t[rate]) });
  const interval = t.intervals[rate];
  if (t[rate] === null || !interval) return [value];
  const range = `${(interval.low * 100).toFixed(1)}–${(interval.high * 100).toFixed(1)}`;
  return [value, el('span', { className: 'cell-note', text: ` (${range})` })];
}

/** Says how many delivered sends a tracked rate is over, or why there is none. */
function rateBase(t: MethodTotals, base: number): HTMLElement {
  const seen = t.method === 'mandrill' ? 'delivered' : 'tracked';
  const text = base > 0 ? ` of ${formatCount(base)} ${seen}` : ` none ${seen}`;
  return el('span', { className: 'cell-note', text });
}

/** A table of one row per method, wrapped so that it scrolls sideways on a narrow screen. */
function methodTable(id: string, caption: string, columns: Column[], methods: MethodTotals[]) {
  const head = el('tr', {}, [
    el('th', { text: 'Method', attrs: { scope: 'col' } }),
    ...columns.map((column) => el('th', { text: column.heading, attrs: { scope: 'col' } })),
  ]);
  const rows = orderedTotals(methods).map((totals) => {
    const name = el('th', { attrs: { scope: 'row' } }, [
      el('span', {
        className: `method-swatch method-${totals.method}`,
        attrs: { 'aria-hidden': 'true' },
      }),
      labelFor(METHOD_LABELS, totals.method),
    ]);
    const cells = columns.map((column) => {
      const value = column.value(totals);
      return typeof value === 'string' ? el('td', { text: value }) : el('td', {}, value);
    });
    return el('tr', { attrs: { 'data-method': totals.method } }, [name, ...cells]);
  });
  const table = el('table', { className: 'data-table numeric', attrs: { id } }, [
    el('caption', { text: caption }),
    el('thead', {}, [head]),
    el('tbody', {}, rows),
  ]);
  return tableScroller(table, caption);
}

/** Renders the totals tables and the rate definitions of one summary report into `container`. */
export function renderSummary(container: HTMLElement, report: SummaryReport): void {
  const range = el('p', {
    className: 'muted',
    attrs: { id: 'summary-period' },
    text: formatPeriod(report.from, report.to),
  });
  container.replaceChildren(
    range,
    methodTable('summary-table', 'Delivery', DELIVERY_COLUMNS, report.methods),
    methodTable('engagement-table', 'Engagement', ENGAGEMENT_COLUMNS, report.methods),
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

const RATE_LABELS: [RateName, string][] = [
  ['deliveryRate', 'Delivery rate'],
  ['bounceRate', 'Bounce rate'],
  ['openRate', 'Open rate'],
  ['clickRate', 'Click rate'],
  ['complaintRate', 'Complaint rate'],
  ['unsubscribeRate', 'Unsubscribe rate'],
];

function definitionList(definitions: RateDefinitions): HTMLDListElement {
  const entries = RATE_LABELS.map(([name, label]) => [label, definitions[name]] as const);
  return el(
    'dl',
    { className: 'definitions', attrs: { id: 'rate-definitions' } },
    entries.flatMap(([term, text]) => [el('dt', { text: term }), el('dd', { text })]),
  );
}
