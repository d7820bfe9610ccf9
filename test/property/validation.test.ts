import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc } from '../support/fast-check.js';
import type { z } from 'zod';
import { accountPatchSchema, accountSchema } from '../../server/accounts/schema.js';
import { checkRequestSchema } from '../../server/domains/service.js';
import { AppError } from '../../server/errors.js';
import { seriesQuery } from '../../server/reports/period.js';
import { sendRequestSchema } from '../../server/sending/service.js';
import { parseInput } from '../../server/validation.js';

const SCHEMAS: [string, z.ZodType][] = [
  ['account', accountSchema],
  ['account update', accountPatchSchema],
  ['send request', sendRequestSchema],
  ['domain check', checkRequestSchema],
  ['report query', seriesQuery],
];

/**
 * Runs parseInput and returns the AppError it throws, or null when the input is valid. Any
 * other exception fails the property with the exception itself.
 */
function rejection(schema: z.ZodType, input: unknown, what: string): AppError | null {
  try {
    parseInput(schema, input, what);
    return null;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return error;
  }
}

function assertBadRequest(error: AppError | null, what: string): void {
  if (error === null) return;
  assert.equal(error.status, 400);
  assert.equal(error.code, 'invalid_input');
  assert.equal(typeof error.message, 'string');
  assert.ok(error.message.startsWith(`Invalid ${what}: `), error.message);
}

/** Everything a client sees of a rejection: the message and the details of the JSON response. */
function visibleText(error: AppError): string {
  return `${error.message}\n${JSON.stringify(error.details ?? {})}`;
}

// Addresses that zod's email check accepts. fc.emailAddress() also produces RFC 5322 forms
// such as `!#$%@example.com`, which zod rejects, so it cannot build valid objects.
const email = fc.stringMatching(/^[a-z0-9]{1,10}(\.[a-z0-9]{1,5})?@[a-z0-9]{1,10}\.(com|org|net)$/);
const host = fc.stringMatching(/^[a-z0-9]{1,12}(\.[a-z0-9]{1,12}){0,3}\.[a-z]{2,6}$/);
const selector = fc.stringMatching(/^[a-z0-9]{1,10}$/);
// Long enough that the value is unlikely to appear in a message by coincidence.
const secret = fc.stringMatching(/^[A-Za-z0-9]{12,24}$/);

const common = {
  name: fc.string({ minLength: 1, maxLength: 40 }).filter((name) => name.trim() !== ''),
  sendingAddress: email,
  replyTo: fc.option(email, { nil: null }),
};

const smtpSettings = (password: fc.Arbitrary<string>) =>
  fc.record(
    {
      host,
      port: fc.integer({ min: 1, max: 65535 }),
      security: fc.constantFrom('tls', 'starttls'),
      user: email,
      password,
      dkimSelectors: fc.array(selector, { maxLength: 10 }),
    },
    { requiredKeys: ['host', 'port', 'security'] },
  );

const mandrillSettings = (apiKey: fc.Arbitrary<string>) =>
  fc.record(
    { apiKey, subaccount: fc.stringMatching(/^[a-z0-9-]{1,20}$/) },
    { requiredKeys: ['apiKey'] },
  );

const validAccount: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record(
    { ...common, method: fc.constant('default'), settings: fc.constant({}) },
    { requiredKeys: ['name', 'sendingAddress', 'method'] },
  ),
  fc.record(
    { ...common, method: fc.constant('smtp'), settings: smtpSettings(secret) },
    { requiredKeys: ['name', 'sendingAddress', 'method', 'settings'] },
  ),
  fc.record(
    { ...common, method: fc.constant('mandrill'), settings: mandrillSettings(secret) },
    { requiredKeys: ['name', 'sendingAddress', 'method', 'settings'] },
  ),
);

const validPatch: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    name: common.name,
    sendingAddress: email,
    replyTo: common.replyTo,
    method: fc.constantFrom('default', 'smtp', 'mandrill'),
    settings: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue()),
  },
  { requiredKeys: [] },
);

const validSend: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      to: fc.oneof(email, fc.array(email, { minLength: 1, maxLength: 50 })),
      subject: fc
        .string({ minLength: 1, maxLength: 100 })
        .filter((subject) => subject.trim() !== '' && !/[\r\n]/.test(subject)),
      text: fc.string({ maxLength: 200 }),
      html: fc.string({ maxLength: 200 }),
      kind: fc.constantFrom('manual', 'automated'),
    },
    { requiredKeys: ['to', 'subject', 'kind'] },
  )
  .filter((body) => body.text !== undefined || body.html !== undefined);

const validCheck: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    domain: host,
    smtpHost: host,
    selectors: fc.array(selector, { maxLength: 5 }).map((list) => list.join(',')),
  },
  { requiredKeys: ['domain'] },
);

const validPeriod: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    days: fc.oneof(fc.integer({ min: 1, max: 366 }), fc.integer({ min: 1, max: 366 }).map(String)),
    bucket: fc.constantFrom('day', 'hour'),
  },
  { requiredKeys: [] },
);

const DAY = 86_400_000;
const isoDay = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);

/** Custom periods of 1 to 366 days: dates, or times with an offset that span at most 365 days. */
const validRange: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    start: fc.integer({ min: Date.UTC(2000, 0, 1) / DAY, max: Date.UTC(2099, 0, 1) / DAY }),
    length: fc.integer({ min: 0, max: 365 }),
    withTimes: fc.boolean(),
    bucket: fc.option(fc.constantFrom('day', 'hour'), { nil: undefined }),
  })
  .map(({ start, length, withTimes, bucket }) => {
    const from = withTimes ? `${isoDay(start)}T06:30:00+02:00` : isoDay(start);
    const to = withTimes ? `${isoDay(start + length)}T07:00:00.250+02:00` : isoDay(start + length);
    return bucket === undefined ? { from, to } : { from, to, bucket };
  });

const VALID: [string, z.ZodType, fc.Arbitrary<Record<string, unknown>>][] = [
  ['account', accountSchema, validAccount],
  ['account update', accountPatchSchema, validPatch],
  ['send request', sendRequestSchema, validSend],
  ['domain check', checkRequestSchema, validCheck],
  ['report query', seriesQuery, validPeriod],
  ['report range', seriesQuery, validRange],
];

// Replacement values for one field: JSON values, a deletion, and strings near valid ones.
const fieldValue = fc.oneof(
  fc.jsonValue(),
  fc.constant(undefined),
  fc.string(),
  fc.constantFrom('', ' ', '****', '0', '-1', '65536', '1e3', 'NaN', 'x@', '@x.com', 'a\r\nb'),
);

/** Sets (or deletes, for undefined) the value at `path` in a deep copy of `object`. */
function withField(object: Record<string, unknown>, path: string[], value: unknown): unknown {
  const copy = structuredClone(object);
  let target: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = target[key];
    if (next === null || typeof next !== 'object') {
      target[key] = {};
    }
    target = target[key] as Record<string, unknown>;
  }
  const last = path.at(-1) ?? '';
  if (value === undefined) {
    delete target[last];
  } else {
    target[last] = value;
  }
  return copy;
}

const FIELD_PATHS = [
  ['name'],
  ['sendingAddress'],
  ['replyTo'],
  ['method'],
  ['settings'],
  ['settings', 'host'],
  ['settings', 'port'],
  ['settings', 'security'],
  ['settings', 'user'],
  ['settings', 'password'],
  ['settings', 'apiKey'],
  ['settings', 'subaccount'],
  ['settings', 'dkimSelectors'],
  ['to'],
  ['subject'],
  ['text'],
  ['html'],
  ['kind'],
  ['domain'],
  ['smtpHost'],
  ['selectors'],
  ['days'],
  ['from'],
  ['to'],
  ['bucket'],
  ['unexpected'],
];

for (const [what, schema, valid] of VALID) {
  test(`parseInput accepts valid ${what}`, () => {
    fc.assert(
      fc.property(valid, (input) => {
        assert.equal(rejection(schema, input, what), null);
      }),
      { numRuns: 200 },
    );
  });
}

for (const [what, schema] of SCHEMAS) {
  test(`parseInput on JSON values: ${what}`, () => {
    fc.assert(
      fc.property(fc.jsonValue(), (input) => {
        assertBadRequest(rejection(schema, input, what), what);
      }),
      { numRuns: 300 },
    );
  });

  test(`parseInput on fc.anything: ${what}`, () => {
    fc.assert(
      fc.property(fc.anything(), (input) => {
        assertBadRequest(rejection(schema, input, what), what);
      }),
      { numRuns: 300 },
    );
  });

  // Request bodies come from express.json or the query parser, which never produce these
  // types, but parseInput takes `unknown` and promises an AppError for every invalid input.
  test(`parseInput on non-JSON values: ${what}`, () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withTypedArray: true,
      withSparseArray: true,
      withUnicodeString: true,
    });
    fc.assert(
      fc.property(anything, (input) => {
        assertBadRequest(rejection(schema, input, what), what);
      }),
      { numRuns: 300 },
    );
  });
}

for (const [what, schema, valid] of VALID) {
  test(`parseInput on mutated ${what}`, () => {
    const mutated = fc
      .tuple(valid, fc.constantFrom(...FIELD_PATHS), fieldValue)
      .map(([object, path, value]) => withField(object, path, value));
    fc.assert(
      fc.property(mutated, (input) => {
        assertBadRequest(rejection(schema, input, what), what);
      }),
      { numRuns: 300 },
    );
  });
}

// parseInput's output must itself be valid input, because updateAccount parses the stored
// account again. checkRequestSchema is left out because it turns `selectors` into a list, and
// the report range because its dates become milliseconds.
const REPARSED = VALID.filter(([name]) => name !== 'domain check' && name !== 'report range');
for (const [what, schema, valid] of REPARSED) {
  test(`parseInput output reparses: ${what}`, () => {
    fc.assert(
      fc.property(valid, (input) => {
        const output: unknown = parseInput(schema, input, what);
        assert.deepEqual(parseInput(schema, output, what), output);
      }),
      { numRuns: 200 },
    );
  });
}

/** An account whose settings contain `value` under `field`, with one other field replaced. */
const accountWithSecret = fc
  .record({
    value: secret,
    field: fc.constantFrom('password', 'apiKey'),
    method: fc.constantFrom('default', 'smtp', 'mandrill', 'other', 7),
    masked: fc.boolean(),
    breakPath: fc.constantFrom(...FIELD_PATHS.filter((path) => path.at(-1) !== 'password')),
    breakValue: fieldValue,
    base: validAccount,
  })
  .map(({ value, field, method, masked, breakPath, breakValue, base }) => {
    const settings = { ...(base.settings as Record<string, unknown>) };
    settings[field] = masked ? `****${value}` : value;
    const input = withField({ ...base, method, settings }, breakPath, breakValue);
    return { input, value };
  });

test('parseInput hides account secrets', () => {
  fc.assert(
    fc.property(accountWithSecret, ({ input, value }) => {
      for (const [what, schema] of [
        ['account', accountSchema],
        ['account update', accountPatchSchema],
      ] as const) {
        const error = rejection(schema, input, what);
        if (error === null) continue;
        assert.ok(!visibleText(error).includes(value), visibleText(error));
      }
    }),
    { numRuns: 500 },
  );
});

test('parseInput hides wrongly typed secrets', () => {
  // A secret sent as a one-element list or inside an object still must not be echoed.
  const input = fc
    .tuple(
      secret,
      fc.constantFrom('password', 'apiKey'),
      fc.constantFrom('smtp', 'mandrill'),
      fc.constantFrom(
        (value: string) => [value],
        (value: string) => ({ value }),
        (value: string) => ` ${value} `,
      ),
    )
    .map(([value, field, method, wrap]) => ({
      value,
      input: {
        name: 'Harbor Rentals',
        sendingAddress: 'office@harbor.example',
        method,
        settings: { [field]: wrap(value) },
      },
    }));
  fc.assert(
    fc.property(input, ({ input, value }) => {
      const error = rejection(accountSchema, input, 'account');
      if (error === null) return;
      assert.ok(!visibleText(error).includes(value), visibleText(error));
    }),
    { numRuns: 200 },
  );
});
