import { z } from 'zod';
import { AppError } from './errors.js';

const DAY_MS = 86_400_000;
const ISO_DATE = z.iso.date();
const ISO_DATE_TIME = z.iso.datetime({ offset: true });
const TIME_RULE =
  'must be a date such as 2026-12-04, or a time with its UTC offset such as ' +
  '2026-12-04T10:00:00Z or 2026-12-04T10:00:00+01:00';

/** Fields whose values never appear in an error message. */
const SECRET_FIELDS = new Set(['password', 'apiKey', 'webhookKey', 'key', 'mailboxPassword']);
const MAX_SHOWN = 60;

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Quotes a scalar value for a message, shortened; objects and secrets are not shown. */
function shown(path: PropertyKey[], value: unknown): string {
  const last = path.at(-1);
  if (typeof last === 'string' && SECRET_FIELDS.has(last)) return '';
  if (value === undefined || (typeof value === 'object' && value !== null)) return '';
  const text = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
  return ` (got ${text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}..."` : text})`;
}

/**
 * Parses `input` with `schema` or throws a 400 AppError whose message names
 * each invalid field, the value given and what is expected.
 */
export function parseInput<T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: string,
): z.output<T> {
  if (input === undefined) {
    throw new AppError(
      400,
      'invalid_input',
      `Invalid ${what}: the request has no body; send a JSON object with Content-Type: application/json`,
    );
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field:
      issue.path.map(String).join('.') || (/query|arguments/.test(what) ? '(query)' : '(body)'),
    message: `${issue.message}${shown(issue.path, valueAt(input, issue.path))}`,
  }));
  const summary = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  throw new AppError(400, 'invalid_input', `Invalid ${what}: ${summary}`, { issues });
}

/**
 * Parses a whole number from a query string, from `min` to `max`, whose error names the range, as
 * `must be a whole number from 1 to 500` (zod's own reads "expected number, received NaN").
 */
export function queryInteger(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ error: message }).int(message).min(min, message).max(max, message);
}

/** Parses an id from a query string: a whole number of at least 1. */
export function queryId() {
  const message = 'must be an id, a whole number such as 3';
  return z.coerce.number({ error: message }).int(message).min(1, message);
}

/**
 * Parses a date or a time from a query string into milliseconds since the epoch. It accepts an
 * ISO 8601 date (`2026-12-04`) or an RFC 3339 time with its offset (`2026-12-04T10:00:00Z`,
 * `2026-12-04T10:00:00.5+01:00`), and rejects impossible days such as 2026-02-30 and times
 * without an offset, which would depend on the server's time zone. A date means 00:00 UTC of
 * that day, or with `date` set to 'end of day' the 00:00 UTC that follows it, so that an
 * exclusive end includes the whole day.
 */
export function queryTime(date: 'start of day' | 'end of day' = 'start of day') {
  return z
    .string()
    .trim()
    .transform((value, context) => {
      if (ISO_DATE.safeParse(value).success) {
        const start = Date.parse(`${value}T00:00:00Z`);
        return date === 'end of day' ? start + DAY_MS : start;
      }
      const ms = ISO_DATE_TIME.safeParse(value).success ? Date.parse(value) : NaN;
      if (Number.isNaN(ms)) {
        context.addIssue({ code: 'custom', message: TIME_RULE });
        return z.NEVER;
      }
      return ms;
    });
}
