import { type Tone, badge, el } from './dom.js';
import { issueList } from './issues.js';
import type { RelatedReport } from './types.js';

/** Tones of the status words the related checks use, where the same word means the same. */
const STATUS_TONES: Record<string, Tone> = {
  ok: 'ok',
  pass: 'ok',
  valid: 'ok',
  records: 'ok',
  not_listed: 'ok',
  listed: 'bad',
  mismatch: 'bad',
  invalid: 'bad',
  unresolved: 'bad',
  ip_literal: 'bad',
  policy_invalid: 'bad',
  temperror: 'warn',
  fetch_failed: 'warn',
  policy_missing: 'warn',
  implicit: 'warn',
  unknown: 'neutral',
  declined: 'neutral',
  not_checked: 'neutral',
};

/**
 * Creates a badge for a status word such as `not_listed`, shown with spaces. `tones` sets the
 * tone of words whose meaning depends on the check, such as `none`, which is neutral unless set.
 */
export function statusBadge(
  status: string,
  tones: Record<string, Tone> = {},
  label = status.replaceAll('_', ' '),
): HTMLSpanElement {
  const tone = ownValue(tones, status) ?? ownValue(STATUS_TONES, status) ?? 'neutral';
  return badge(label, tone);
}

function ownValue(tones: Record<string, Tone>, key: string): Tone | undefined {
  return Object.hasOwn(tones, key) ? tones[key] : undefined;
}

export interface RelatedCardOptions {
  /** Suffix of the card's id, `related-<id>`. */
  id: string;
  title: string;
  /** Set as `data-status`, a test hook for the overall state of the check. */
  status: string;
  badge: HTMLElement;
  /** Finding code prefix, such as `mx.`, whose errors and warnings the card lists. */
  codePrefix: string;
}

/** Creates the card of one related check, with its status badge and its own findings. */
export function relatedCard(
  related: RelatedReport,
  options: RelatedCardOptions,
  children: (Node | null)[],
): HTMLElement {
  const header = el('header', { className: 'related-header' }, [
    el('h4', { text: options.title }),
    options.badge,
  ]);
  return el(
    'section',
    {
      className: 'card related-part',
      attrs: { id: `related-${options.id}`, 'data-status': options.status },
    },
    [header, ...children, issueList(related, (code) => code.startsWith(options.codePrefix))],
  );
}

/**
 * Creates a table with a header row. Each cell gets its column name in `data-label`, so that a
 * narrow card can stack the cells of a row under those names.
 */
export function dataTable(columns: string[], rows: HTMLTableRowElement[]): HTMLElement {
  for (const row of rows) {
    [...row.cells].forEach((cell, index) => {
      cell.setAttribute('data-label', columns[index] ?? '');
    });
  }
  const table = el('table', { className: 'data-table stack-table' }, [
    el('thead', {}, [
      el(
        'tr',
        {},
        columns.map((text) => el('th', { text, attrs: { scope: 'col' } })),
      ),
    ]),
    el('tbody', {}, rows),
  ]);
  return el('div', { className: 'stack-container' }, [table]);
}

/**
 * Creates a table cell from text or elements, inside one wrapper so that a stacked cell's
 * grid gets the column label and the content as its only two items.
 */
export function td(content: string | (Node | null)[], className = ''): HTMLTableCellElement {
  const children = typeof content === 'string' ? [content] : content;
  return el('td', { className }, [el('div', { className: 'cell' }, children)]);
}
