export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** A half-open time range [start, end) in Unix milliseconds. */
export type Range = [number, number];

/**
 * The parts of a period [from, to) that each kind of report row covers: the whole UTC days
 * for the day tables, the whole hours outside them for the hour tables, and the minutes left
 * at either end, which are counted from the sends.
 */
export interface PeriodParts {
  days: Range | null;
  hours: Range[];
  minutes: Range[];
}

/** Splits [start, end) into its whole units of `unit` ms and the parts left at either end. */
export function splitAt(
  start: number,
  end: number,
  unit: number,
): { whole: Range | null; rest: Range[] } {
  const first = Math.ceil(start / unit) * unit;
  const last = Math.floor(end / unit) * unit;
  if (first >= last) return { whole: null, rest: start < end ? [[start, end]] : [] };
  const rest: Range[] = [];
  if (start < first) rest.push([start, first]);
  if (last < end) rest.push([last, end]);
  return { whole: [first, last], rest };
}

export function periodParts(from: number, to: number): PeriodParts {
  const { whole: days, rest } = splitAt(from, to, DAY_MS);
  const hours: Range[] = [];
  const minutes: Range[] = [];
  for (const [start, end] of rest) {
    const split = splitAt(start, end, HOUR_MS);
    if (split.whole) hours.push(split.whole);
    minutes.push(...split.rest);
  }
  return { days, hours, minutes };
}
