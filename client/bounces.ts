import { fetchBounces } from './api.js';
import { badge, el } from './dom.js';
import { formatDateTime } from './format.js';
import type { BounceView } from './types.js';

const HEADINGS = ['Received', 'Kind', 'Recipient', 'Reason', 'Status', 'Send', 'Source'];

/**
 * Loads the recent bounces, or only those no send matched, into `table`. Bounce text comes
 * from strangers' mail servers, so every value is set as text.
 */
export async function loadBounces(
  table: HTMLTableElement,
  unmatchedOnly: boolean,
  signal: AbortSignal,
): Promise<void> {
  const { bounces } = await fetchBounces(unmatchedOnly, signal);
  signal.throwIfAborted();
  const rows = bounces.flatMap((bounce) =>
    (bounce.recipients.length > 0 ? bounce.recipients : [null]).map((recipient) =>
      row(bounce, recipient),
    ),
  );
  if (rows.length === 0) {
    const cell = el('td', {
      className: 'muted',
      text: unmatchedOnly ? 'Every bounce matched a send.' : 'No bounce received yet.',
    });
    cell.colSpan = HEADINGS.length;
    rows.push(el('tr', {}, [cell]));
  }
  table.replaceChildren(
    el('caption', { className: 'visually-hidden', text: 'Bounces, newest first' }),
    el('thead', {}, [
      el(
        'tr',
        {},
        HEADINGS.map((text) => el('th', { text, attrs: { scope: 'col' } })),
      ),
    ]),
    el('tbody', {}, rows),
  );
}

function row(
  bounce: BounceView,
  recipient: BounceView['recipients'][number] | null,
): HTMLTableRowElement {
  const matched = recipient?.sendId
    ? el('span', { text: `#${recipient.sendId} (${recipient.matchedBy ?? ''})` })
    : badge('unmatched', 'warn');
  const cells: [string, Node | string][] = [
    [
      'Received',
      el('time', {
        text: formatDateTime(bounce.receivedAt),
        attrs: { datetime: bounce.receivedAt },
      }),
    ],
    ['Kind', bounce.kind],
    ['Recipient', recipient?.address ?? '—'],
    ['Reason', recipient ? reasonText(recipient) : '—'],
    ['Status', recipient?.diagnostic ?? recipient?.status ?? '—'],
    ['Send', matched],
    ['Source', bounce.source],
  ];
  const tr = el('tr', { attrs: { 'data-bounce-id': String(bounce.id) } });
  for (const [label, content] of cells) {
    tr.append(
      el('td', { attrs: { 'data-label': label } }, [el('div', { className: 'cell' }, [content])]),
    );
  }
  return tr;
}

function reasonText(recipient: BounceView['recipients'][number]): string {
  // sisimai names a bounce it cannot place `undefined`, which reads as a bug on a page.
  const reason = recipient.reason === 'undefined' ? 'reason unknown' : recipient.reason;
  return `${reason}${recipient.hardBounce ? ' (hard)' : ''}`;
}
