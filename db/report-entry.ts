import { CURRENT_REPORT_COUNTS } from './migrations/report-sql.js';
import type { MethodCounts } from './types.js';

/** The counts of a report entry besides its state counts: the entry's field and its column. */
export const ENTRY_COUNTS = [
  ['opened', 'opened'],
  ['clicked', 'clicked'],
  ['complained', 'complained'],
  ['unsubscribed', 'unsubscribed'],
  ['openTrackedDelivered', 'open_tracked_delivered'],
  ['openTrackedOpened', 'open_tracked_opened'],
  ['clickTrackedDelivered', 'click_tracked_delivered'],
  ['clickTrackedClicked', 'click_tracked_clicked'],
] as const satisfies readonly (readonly [keyof MethodCounts, string])[];

export type EntryCounts = Record<(typeof ENTRY_COUNTS)[number][0], number>;

/** The SUM of each entry count over a scan of `sends`, named by its column. */
export const SCANNED_ENTRY_SUMS = ENTRY_COUNTS.map(([, column]) => {
  const count = CURRENT_REPORT_COUNTS.find((c) => c.name === column);
  if (!count) throw new Error(`The report rows have no count column ${column}`);
  return `SUM(${count.of('sends')}) AS ${column}`;
}).join(', ');

export function emptyEntryCounts(): EntryCounts {
  return Object.fromEntries(ENTRY_COUNTS.map(([field]) => [field, 0])) as EntryCounts;
}

/** Adds the entry counts of `from`, which may be a row keyed by column, to `into`. */
export function addEntryCounts(
  into: EntryCounts,
  from: EntryCounts | Record<string, unknown>,
  byColumn = false,
): void {
  for (const [field, column] of ENTRY_COUNTS) {
    into[field] += Number((from as Record<string, unknown>)[byColumn ? column : field] ?? 0);
  }
}
