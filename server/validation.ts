import { z } from 'zod';
import { AppError, MissingBodyError } from './errors.js';

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

/** The name of each of zod's expected types, as a message writes it. */
const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a JSON array',
};

/**
 * Rewrites zod's default messages for a missing field, a wrong type and a length limit into
 * the rule to follow. Messages that the schemas give themselves are kept.
 */
export function plainMessage(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input')) {
    const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
    return value === undefined ? `is missing: give ${expected}` : `must be ${expected}`;
  }
  const bound = issue.code === 'too_big' ? 'most' : 'least';
  if ((issue.code === 'too_big' || issue.code === 'too_small') && issue.message.startsWith('Too')) {
    const limit = issue.code === 'too_big' ? issue.maximum : issue.minimum;
    const plural = Number(limit) === 1 ? '' : 's';
    if (issue.origin === 'string') return `must have at ${bound} ${limit} character${plural}`;
    if (issue.origin === 'array') return `must have at ${bound} ${limit} item${plural}`;
    if (issue.origin === 'number') return `must be at ${bound} ${limit}`;
  }
  return issue.message;
}

/** Lists the keys an object schema accepts, for an unrecognized key at its top level. */
function allowedKeys(schema: z.ZodType, issue: z.core.$ZodIssue): string {
  if (issue.code !== 'unrecognized_keys' || issue.path.length > 0) return '';
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape ? `. Use one of: ${Object.keys(shape).join(', ')}` : '';
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
    throw new MissingBodyError(
      `Invalid ${what}: the request has no body; send a JSON object with Content-Type: application/json`,
    );
  }
  if (Array.isArray(input)) {
    throw new AppError(
      400,
      'invalid_input',
      `Invalid ${what}: the body is a JSON array; send one JSON object`,
    );
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // A secret parsed on its own, such as a password read from standard input, is named by
  // `what` so that its value is never shown.
  const root = SECRET_FIELDS.has(what) ? [what] : [];
  const issues = result.error.issues.map((issue) => ({
    field:
      issue.path.map(String).join('.') ||
      root[0] ||
      (/query|arguments/.test(what) ? '(query)' : '(body)'),
    message:
      plainMessage(issue, valueAt(input, issue.path)) +
      allowedKeys(schema, issue) +
      shown([...root, ...issue.path], valueAt(input, issue.path)),
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
