import { el } from './dom.js';
import { METHOD_LABELS, STATE_LABELS, formatDateTime, labelFor, pluralize } from './format.js';
import type { SendRecord, SendState } from './types.js';

const COLUMN_HEADINGS = ['Time', 'Account', 'Method', 'Recipient', 'Subject', 'State', 'Detail'];

/** Badge color group of each state. The class names are fixed, so API text never becomes one. */
const STATE_TONES: Record<SendState, 'ok' | 'warn' | 'bad' | 'neutral'> = {
  queued: 'neutral',
  accepted: 'neutral',
  delivered: 'ok',
  deferred: 'warn',
  soft_bounced: 'warn',
  bounced: 'bad',
  rejected: 'bad',
  failed: 'bad',
  unknown: 'neutral',
  suppressed: 'warn',
};

/**
 * Renders the recent sends, newest first, into the body of `table`. `filtered` is true when
 * a filter chose them, so that an empty list shows whether nothing was sent or nothing matched.
 */
export function renderSends(table: HTMLTableElement, sends: SendRecord[], filtered: boolean): void {
  const head = el('thead', {}, [
    el(
      'tr',
      {},
      COLUMN_HEADINGS.map((text) => el('th', { text, attrs: { scope: 'col' } })),
    ),
  ]);
  const newestFirst = [...sends].sort((a, b) => timeOf(b.createdAt) - timeOf(a.createdAt));
  const rows = newestFirst.length > 0 ? newestFirst.map(sendRow) : [emptyRow(filtered)];
  table.replaceChildren(
    el('caption', { className: 'visually-hidden', text: 'Recent sends, newest first' }),
    head,
    el('tbody', {}, rows),
  );
}

function timeOf(iso: string): number {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? 0 : time;
}

function sendRow(send: SendRecord): HTMLTableRowElement {
  const time = el('time', {
    text: formatDateTime(send.createdAt),
    attrs: { datetime: send.createdAt },
  });
  const cells: [string, Node | string][] = [
    ['Time', time],
    ['Account', send.accountName],
    ['Method', labelFor(METHOD_LABELS, send.method)],
    ['Recipient', openButton(send)],
    ['Subject', send.subject],
    ['State', stateBadge(send.state)],
    ['Detail', detailCell(send)],
  ];
  const row = el('tr', { attrs: { 'data-send-id': String(send.id), 'data-state': send.state } });
  for (const [label, content] of cells) {
    // The wrapper keeps a cell's content in one grid item in the stacked layout for phones.
    const wrapper = el('div', { className: 'cell' }, [content]);
    row.append(el('td', { attrs: { 'data-label': label } }, [wrapper]));
  }
  return row;
}

/**
 * Creates the button that opens the send's timeline, so that a keyboard reaches every send.
 * The message log's click handler on the table handles it like a click on the row.
 */
function openButton(send: SendRecord): HTMLButtonElement {
  return el('button', {
    className: 'link-button',
    text: send.recipient,
    attrs: {
      type: 'button',
      'aria-label': `Open the timeline of send ${send.id} to ${send.recipient}`,
    },
  });
}

function stateBadge(state: SendState): HTMLSpanElement {
  const tone = Object.hasOwn(STATE_TONES, state) ? STATE_TONES[state] : 'neutral';
  return el('span', { className: `badge badge-${tone}`, text: labelFor(STATE_LABELS, state) });
}

function detailCell(send: SendRecord): DocumentFragment {
  const fragment = document.createDocumentFragment();
  if (send.detail) fragment.append(el('span', { className: 'detail', text: send.detail }));
  if (send.reason) {
    // sisimai names a bounce it cannot place `undefined`, which reads as a bug on a page.
    const reason = send.reason === 'undefined' ? 'reason unknown' : send.reason;
    fragment.append(el('span', { className: 'reason', text: reason }));
  }
  const engagement = engagementText(send);
  if (engagement) fragment.append(el('span', { className: 'engagement muted', text: engagement }));
  if (!fragment.hasChildNodes()) fragment.append(el('span', { className: 'muted', text: '—' }));
  return fragment;
}

function engagementText(send: SendRecord): string {
  const parts: string[] = [];
  if (send.opens > 0) parts.push(pluralize(send.opens, 'open'));
  if (send.clicks > 0) parts.push(pluralize(send.clicks, 'click'));
  return parts.join(', ');
}

function emptyRow(filtered: boolean): HTMLTableRowElement {
  const text = filtered ? 'No sends match these filters.' : 'No sends recorded yet.';
  const cell = el('td', { className: 'muted', text });
  cell.colSpan = COLUMN_HEADINGS.length;
  return el('tr', {}, [cell]);
}
