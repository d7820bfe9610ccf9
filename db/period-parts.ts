export const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Weeks counted from the Unix epoch, as the week tables count them. */
const WEEK_MS = 7 * DAY_MS;

/** A half-open time range [start, end) in Unix milliseconds. */
export type Range = [number, number];

/**
 * The parts of a period [from, to) that each kind of report row covers: the whole weeks for
 * the week tables, the whole UTC days outside them for the day tables, the whole hours outside
 * those for the hour tables, and the minutes left at either end, which are counted from the
 * sends.
 */
export interface PeriodParts {
  weeks: Range | null;
  days: Range[];
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

/** Splits each range of `ranges` at `unit`, into the whole units and the rest. */
function splitAll(ranges: Range[], unit: number): { whole: Range[]; rest: Range[] } {
  const whole: Range[] = [];
  const rest: Range[] = [];
  for (const [start, end] of ranges) {
    const split = splitAt(start, end, unit);
    if (split.whole) whole.push(split.whole);
    rest.push(...split.rest);
  }
  return { whole, rest };
}

export function periodParts(from: number, to: number): PeriodParts {
  const weeks = splitAt(from, to, WEEK_MS);
  const days = splitAll(weeks.rest, DAY_MS);
  const hours = splitAll(days.rest, HOUR_MS);
  return { weeks: weeks.whole, days: days.whole, hours: hours.whole, minutes: hours.rest };
}
