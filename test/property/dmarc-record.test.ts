import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc } from '../support/fast-check.js';
import { parseDmarcRecord, type ParsedDmarc } from '../../server/checks/dmarc-record.js';

const POLICIES = ['none', 'quarantine', 'reject'];
const SEVERITIES = ['error', 'warning', 'info'];

function assertShape(parsed: ParsedDmarc): void {
  assert.equal(typeof parsed.valid, 'boolean');
  assert.ok(parsed.policy === null || POLICIES.includes(parsed.policy), String(parsed.policy));
  assert.ok(
    parsed.subdomainPolicy === null || POLICIES.includes(parsed.subdomainPolicy),
    String(parsed.subdomainPolicy),
  );
  // RFC 7489 6.6.3: a record without a usable policy applies no DMARC processing.
  assert.equal(parsed.valid, parsed.policy !== null);
  assert.ok(Number.isInteger(parsed.pct), `${parsed.pct}`);
  assert.ok(parsed.pct >= 0, `${parsed.pct}`);
  assert.ok(parsed.pct <= 100, `${parsed.pct}`);
  assert.ok(['r', 's'].includes(parsed.adkim), parsed.adkim);
  assert.ok(['r', 's'].includes(parsed.aspf), parsed.aspf);
  assert.ok(parsed.rua.every((uri) => typeof uri === 'string' && uri !== ''));
  for (const item of parsed.findings) {
    assert.equal(typeof item.code, 'string');
    assert.ok(SEVERITIES.includes(item.severity), item.severity);
    assert.equal(typeof item.message, 'string');
  }
}

const tagName = fc.constantFrom('v', 'p', 'sp', 'pct', 'adkim', 'aspf', 'rua', 'ruf', 'fo', 'ri');
const randomTag = fc.oneof(
  fc.tuple(fc.mixedCase(tagName), fc.string({ maxLength: 20 })).map(([n, v]) => `${n}=${v}`),
  fc
    .tuple(fc.mixedCase(tagName), fc.constantFrom('', ' ', '\t'), fc.string({ maxLength: 20 }))
    .map(([n, space, v]) => `${n}${space}=${space}${v}`),
  fc.string({ maxLength: 30 }),
);

test('parseDmarcRecord never throws', () => {
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.string({ minLength: 2000, maxLength: 20000 }),
    fc.array(randomTag, { maxLength: 12 }).map((tags) => ['v=DMARC1', ...tags].join(';')),
    fc.array(randomTag, { maxLength: 12 }).map((tags) => tags.join('; ')),
  );
  fc.assert(
    fc.property(text, fc.string({ maxLength: 40 }), (record, name) => {
      assertShape(parseDmarcRecord(record, name));
    }),
    { numRuns: 500 },
  );
});

const policy = fc.constantFrom('none', 'quarantine', 'reject');
const mode = fc.constantFrom('r', 's');
const validTags = fc.record(
  {
    p: policy,
    sp: policy,
    pct: fc.integer({ min: 0, max: 100 }),
    adkim: mode,
    aspf: mode,
    rua: fc.array(fc.stringMatching(/^mailto:[a-z0-9]{1,10}@[a-z0-9]{1,10}\.example$/), {
      minLength: 1,
      maxLength: 3,
    }),
  },
  { requiredKeys: ['p'] },
);

const validRecord = fc
  .tuple(
    validTags,
    fc.boolean(),
    fc.constantFrom(';', '; ', ' ; '),
    fc.constantFrom('=', ' = '),
    fc.boolean(),
  )
  .map(([tags, upperValues, separator, equals, trailing]) => {
    const cased = (value: string) => (upperValues ? value.toUpperCase() : value);
    const parts = ['v=DMARC1', `p${equals}${cased(tags.p)}`];
    if (tags.sp !== undefined) parts.push(`sp${equals}${cased(tags.sp)}`);
    if (tags.pct !== undefined) parts.push(`pct${equals}${tags.pct}`);
    if (tags.adkim !== undefined) parts.push(`adkim${equals}${cased(tags.adkim)}`);
    if (tags.aspf !== undefined) parts.push(`aspf${equals}${cased(tags.aspf)}`);
    if (tags.rua !== undefined) parts.push(`rua${equals}${tags.rua.join(',')}`);
    return { tags, record: parts.join(separator) + (trailing ? separator : '') };
  });

test('parseDmarcRecord round-trips valid records', () => {
  fc.assert(
    fc.property(validRecord, ({ tags, record }) => {
      const parsed = parseDmarcRecord(record, '_dmarc.example.com');
      assertShape(parsed);
      assert.equal(parsed.valid, true);
      assert.equal(parsed.policy, tags.p);
      assert.equal(parsed.subdomainPolicy, tags.sp ?? tags.p);
      assert.equal(parsed.pct, tags.pct ?? 100);
      assert.equal(parsed.adkim, tags.adkim ?? 'r');
      assert.equal(parsed.aspf, tags.aspf ?? 'r');
      assert.deepEqual(parsed.rua, tags.rua ?? []);
      const errors = parsed.findings.filter((item) => item.severity === 'error');
      assert.deepEqual(errors, []);
    }),
    { numRuns: 300 },
  );
});

test('parseDmarcRecord reads the first duplicate', () => {
  // RFC 7489 6.3 leaves duplicate tags undefined, and the parser keeps the first value.
  fc.assert(
    fc.property(policy, policy, (first, second) => {
      const parsed = parseDmarcRecord(`v=DMARC1; p=${first}; p=${second}`, '_dmarc.example.com');
      assert.equal(parsed.policy, first);
    }),
    { numRuns: 50 },
  );
});

test('parseDmarcRecord invalid policy without rua', () => {
  // RFC 7489 6.6.3: a bad p= with no valid rua URI means no DMARC processing.
  const bad = fc.string({ maxLength: 20 }).filter((value) => {
    const trimmed = value.trim().toLowerCase();
    return !POLICIES.includes(trimmed) && !/[;]/.test(value);
  });
  fc.assert(
    fc.property(bad, (value) => {
      const parsed = parseDmarcRecord(`v=DMARC1; p=${value}`, '_dmarc.example.com');
      assert.equal(parsed.valid, false);
      assert.equal(parsed.policy, null);
      assert.ok(parsed.findings.some((item) => item.code === 'dmarc.invalid_policy'));
    }),
    { numRuns: 200 },
  );
});
