import { badge, codeBlock, el } from './dom.js';
import type { RecordToPublish } from './types.js';

const COLUMNS = ['Type', 'Name', 'Value', 'Note'] as const;

/**
 * Creates the table of DNS records a method needs, in a container with class
 * `records-to-publish`. The Copy button of each value copies exactly `value`, without quotes,
 * name or note. Returns null when there is nothing to publish.
 */
export function publishRecords(records: RecordToPublish[]): HTMLElement | null {
  if (records.length === 0) return null;
  const table = el('table', { className: 'data-table stack-table publish-table' }, [
    el('thead', {}, [
      el(
        'tr',
        {},
        COLUMNS.map((text) => el('th', { text, attrs: { scope: 'col' } })),
      ),
    ]),
    el('tbody', {}, records.map(recordRow)),
  ]);
  return el('div', { className: 'records-to-publish stack-container' }, [
    el('h5', { text: 'Records to publish' }),
    table,
  ]);
}

function recordRow(record: RecordToPublish): HTMLTableRowElement {
  const replaces = record.replaces
    ? badge('Replaces the current record', 'warn', 'replaces')
    : null;
  return el(
    'tr',
    {
      attrs: {
        'data-type': record.type,
        'data-name': record.name,
        'data-replaces': String(record.replaces),
      },
    },
    [
      cell('Type', [el('code', { text: record.type })]),
      cell('Name', [el('code', { className: 'record-name', text: record.name })]),
      cell('Value', [codeBlock(record.value)], 'record-value'),
      cell('Note', [replaces, record.note ? el('p', { text: record.note }) : null], 'record-note'),
    ],
  );
}

/**
 * Creates a cell whose `data-label` names its column, shown when a narrow card stacks the
 * cells. One wrapper contains the content, so the stacked grid has two items: label and content.
 */
function cell(label: string, children: (Node | null)[], className = ''): HTMLTableCellElement {
  const content = el('div', { className: 'cell' }, children);
  return el('td', { className, attrs: { 'data-label': label } }, [content]);
}
