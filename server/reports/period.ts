import { z } from 'zod';
import { parseInput, queryInteger, queryTime } from '../validation.js';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
export const MAX_PERIOD_DAYS = 366;
const DEFAULT_DAYS = 30;
/** Series of periods up to this long default to hour buckets, longer ones to day buckets. */
const HOURLY_UP_TO_MS = 2 * DAY_MS;

const periodFields = {
  days: queryInteger(1, MAX_PERIOD_DAYS).optional(),
  from: queryTime('start of day').optional(),
  // A date as `to` ends the period at the end of that day (UTC), so the day is included.
  to: queryTime('end of day').optional(),
};

type PeriodFields = { days?: number; from?: number; to?: number };

/**
 * Adds an issue for a rule that the period's fields break together. `days` is a preset and
 * `from` with `to` a custom period, so only one of the two may be given. A custom period needs
 * both ends, in order, at most 366 days apart.
 */
function checkPeriod(query: PeriodFields, context: z.RefinementCtx): void {
  const { days, from, to } = query;
  if (days !== undefined && (from !== undefined || to !== undefined)) {
    context.addIssue({
      code: 'custom',
      path: ['days'],
      message:
        'must be left out when from or to is given. Give days for the last N days, or from ' +
        'and to for a custom period',
    });
    return;
  }
  if (from === undefined && to === undefined) return;
  if (from === undefined || to === undefined) {
    const [missing, given] = from === undefined ? ['from', 'to'] : ['to', 'from'];
    context.addIssue({
      code: 'custom',
      path: [missing],
      message:
        `is required with ${given}, because a custom period needs both ends, such as ` +
        'from=2026-11-01&to=2026-11-30',
    });
    return;
  }
  if (from >= to) {
    context.addIssue({
      code: 'custom',
      path: ['from'],
      message: 'must be before to. Swap the two values',
    });
    return;
  }
  const spanDays = Math.ceil((to - from) / DAY_MS);
  if (spanDays > MAX_PERIOD_DAYS) {
    context.addIssue({
      code: 'custom',
      path: ['from'],
      message:
        `starts a period of ${spanDays} days, over the maximum of ${MAX_PERIOD_DAYS}. Move ` +
        'from later or to earlier',
    });
  }
}

/** The query of a report over a period: `days`, or `from` and `to`. */
export const periodQuery = z.strictObject(periodFields).superRefine(checkPeriod);

/** The query of the trend series: a period and, optionally, the bucket size. */
export const seriesQuery = z
  .strictObject({
    ...periodFields,
    bucket: z.enum(['day', 'hour'], 'must be day or hour').optional(),
  })
  .superRefine(checkPeriod);

/** The time span a report counts: the sends created at `from` or later and before `end`. */
export interface Period {
  from: number;
  /** The first millisecond after the period, for the store's [from, end) queries. */
  end: number;
  /**
   * The end shown in the response: `end` for a custom period, and the request time for a
   * preset, which counts the sends of that very millisecond too.
   */
  to: number;
}

/** Turns the parsed fields into a period: the last `days` days up to `now`, or [from, to). */
export function resolvePeriod(query: PeriodFields, now: number): Period {
  if (query.from !== undefined && query.to !== undefined) {
    return { from: query.from, end: query.to, to: query.to };
  }
  const days = query.days ?? DEFAULT_DAYS;
  return { from: now - days * DAY_MS, end: now + 1, to: now };
}

/** Parses a report query into its period, or throws a 400 that names each invalid field. */
export function parsePeriod(query: unknown, now: number, what = 'report query'): Period {
  return resolvePeriod(parseInput(periodQuery, query, what), now);
}

/**
 * Parses a series query into its period and bucket size. Without `bucket`, a period of two
 * days or less gets hour buckets and a longer one day buckets.
 */
export function parseSeriesQuery(query: unknown, now: number) {
  const parsed = parseInput(seriesQuery, query, 'report query');
  const period = resolvePeriod(parsed, now);
  const bucket = parsed.bucket ?? (period.to - period.from <= HOURLY_UP_TO_MS ? 'hour' : 'day');
  return { period, bucket, bucketMs: bucket === 'hour' ? HOUR_MS : DAY_MS };
}

/** Formats the period's bounds in ISO 8601, as the responses show them. */
export function periodBounds(period: Period): { from: string; to: string } {
  return { from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString() };
}
