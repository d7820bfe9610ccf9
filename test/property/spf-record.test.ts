import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc } from '../support/fast-check.js';
import { mergeSpfRecords, parseSpfRecord, type ParsedSpf } from '../../server/checks/spf-record.js';

const MECHANISMS = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'];
const SEVERITIES = ['error', 'warning', 'info'];

function assertShape(parsed: ParsedSpf): void {
  assert.ok(Array.isArray(parsed.terms));
  assert.equal(typeof parsed.valid, 'boolean');
  assert.equal(parsed.valid, !parsed.findings.some((item) => item.severity === 'error'));
  for (const term of parsed.terms) {
    assert.equal(typeof term.raw, 'string');
    if (term.kind === 'mechanism') {
      assert.ok(MECHANISMS.includes(term.name), term.name);
      assert.ok('+-~?'.includes(term.qualifier), term.qualifier);
    } else {
      assert.equal(term.kind, 'modifier');
      assert.equal(typeof term.value, 'string');
    }
  }
  for (const item of parsed.findings) {
    assert.equal(typeof item.code, 'string');
    assert.ok(SEVERITIES.includes(item.severity), item.severity);
    assert.equal(typeof item.message, 'string');
  }
}

const domain = fc.stringMatching(/^[a-z0-9]{1,12}(\.[a-z0-9]{1,12}){0,2}\.[a-z]{2,6}$/);
const qualifier = fc.constantFrom('', '+', '-', '~', '?');

// One character inserted into, replaced in or deleted from a mechanism name, so that the
// parser's misspelling suggestions run on names close to real ones.
const nearName = fc
  .tuple(
    fc.constantFrom(...MECHANISMS, 'ipv4', 'ipv6', 'ip', 'includes', 'inc', 'exist'),
    fc.nat(),
    fc.constantFrom('insert', 'replace', 'delete', 'keep'),
    fc.string({ minLength: 1, maxLength: 1, unit: 'binary-ascii' }),
  )
  .map(([name, at, edit, char]) => {
    const i = at % (name.length + 1);
    if (edit === 'insert') return name.slice(0, i) + char + name.slice(i);
    if (edit === 'replace') return name.slice(0, i) + char + name.slice(i + 1);
    if (edit === 'delete') return name.slice(0, i) + name.slice(i + 1);
    return name;
  });

const argument = fc.oneof(
  fc.constant(''),
  domain.map((value) => `:${value}`),
  fc.ipV4().map((value) => `:${value}`),
  fc.ipV6().map((value) => `:${value}`),
  fc.nat(200).map((value) => `/${value}`),
  fc.tuple(fc.nat(40), fc.nat(200)).map(([v4, v6]) => `/${v4}//${v6}`),
  fc.string({ maxLength: 20 }).map((value) => `:${value}`),
  fc.string({ maxLength: 20 }),
);

const randomTerm = fc.oneof(
  fc.tuple(qualifier, nearName, argument).map((parts) => parts.join('')),
  fc
    .tuple(fc.constantFrom('redirect', 'exp', 'v', 'x-custom'), fc.string({ maxLength: 30 }))
    .map(([name, value]) => `${name}=${value}`),
  fc.string({ maxLength: 30 }).filter((value) => !value.includes(' ')),
);

const randomRecord = fc
  .tuple(
    fc.constantFrom('v=spf1', 'V=SPF1', 'v=spf1 ', ''),
    fc.array(randomTerm, { maxLength: 12 }),
  )
  .map(([version, terms]) => [version, ...terms].join(' '));

test('parseSpfRecord never throws on strings', () => {
  const text = fc.oneof(
    fc.string(),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.string().map((value) => `v=spf1 ${value}`),
    fc.string({ unit: 'grapheme' }).map((value) => `v=spf1 ${value}`),
  );
  fc.assert(
    fc.property(text, domain, (record, name) => {
      assertShape(parseSpfRecord(record, name));
    }),
    { numRuns: 500 },
  );
});

test('parseSpfRecord never throws on near terms', () => {
  fc.assert(
    fc.property(randomRecord, domain, (record, name) => {
      assertShape(parseSpfRecord(record, name));
    }),
    { numRuns: 500 },
  );
});

// Terms of a record that every receiver accepts (RFC 7208 5).
const validTerm = fc.oneof(
  fc
    .tuple(qualifier, fc.ipV4(), fc.option(fc.integer({ min: 0, max: 32 })))
    .map(([q, ip, prefix]) => `${q}ip4:${ip}${prefix === null ? '' : `/${prefix}`}`),
  fc
    .tuple(qualifier, fc.ipV6(), fc.option(fc.integer({ min: 0, max: 128 })))
    .map(([q, ip, prefix]) => `${q}ip6:${ip}${prefix === null ? '' : `/${prefix}`}`),
  fc.tuple(qualifier, domain).map(([q, name]) => `${q}include:${name}`),
  fc.tuple(qualifier, domain).map(([q, name]) => `${q}exists:${name}`),
  fc
    .tuple(
      qualifier,
      fc.constantFrom('a', 'mx'),
      fc.option(domain),
      fc.option(fc.integer({ min: 0, max: 32 })),
      fc.option(fc.integer({ min: 0, max: 128 })),
    )
    .map(
      ([q, name, host, v4, v6]) =>
        `${q}${name}${host === null ? '' : `:${host}`}` +
        `${v4 === null ? '' : `/${v4}`}${v6 === null ? '' : `//${v6}`}`,
    ),
);

const validRecord = fc
  .tuple(
    fc.array(validTerm, { maxLength: 10 }),
    fc.constantFrom('-all', '~all', '?all', '+all', 'all'),
  )
  .map(([terms, all]) => ({ terms, record: ['v=spf1', ...terms, all].join(' ') }));

test('parseSpfRecord never throws on long strings', () => {
  const text = fc.oneof(
    fc.string({ minLength: 2000, maxLength: 20000, unit: 'grapheme' }),
    fc
      .array(validTerm, { minLength: 200, maxLength: 1000 })
      .map((terms) => ['v=spf1', ...terms, '-all'].join(' ')),
  );
  fc.assert(
    fc.property(text, (record) => {
      assertShape(parseSpfRecord(record, 'example.com'));
    }),
    { numRuns: 30 },
  );
});

// Unknown names of letters, digits and "_", including the keys that every object inherits.
const unknownName = fc.oneof(
  fc.constantFrom('constructor', '__proto__', 'tostring', 'valueof', 'prototype'),
  fc.stringMatching(/^[a-z0-9_]{1,12}$/),
  nearName.filter((name) => /^[a-z0-9_]+$/.test(name)),
);

test('parseSpfRecord suggests only mechanisms', () => {
  fc.assert(
    fc.property(unknownName, argument, (name, arg) => {
      const parsed = parseSpfRecord(`v=spf1 ${name}${arg} -all`, 'example.com');
      for (const item of parsed.findings) {
        const suggestion = /Did you mean "([^"]*):"\?/.exec(item.message)?.[1];
        if (suggestion !== undefined) {
          assert.ok(MECHANISMS.includes(suggestion), item.message);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('parseSpfRecord fix removes unknown term', () => {
  // Characters that make a broken RegExp are left out here: "never throws on near terms"
  // covers them. So is whitespace, which would split the name into two terms.
  const name = nearName.filter((value) => !/[()[\]\\\s]/.test(value));
  fc.assert(
    fc.property(fc.array(validTerm, { maxLength: 4 }), name, (terms, misspelled) => {
      const record = ['v=spf1', ...terms, misspelled, '-all'].join(' ');
      const parsed = parseSpfRecord(record, 'example.com');
      for (const item of parsed.findings) {
        if (item.code !== 'spf.unknown_mechanism' || item.fix === undefined) continue;
        const fixed = /^TXT example\.com "(.*)"$/.exec(item.fix)?.[1];
        assert.ok(fixed !== undefined, item.fix);
        const again = parseSpfRecord(fixed, 'example.com');
        const left = again.findings.filter((other) => other.code === 'spf.unknown_mechanism');
        assert.deepEqual(left, [], `${record} -> ${fixed}`);
      }
    }),
    { numRuns: 300 },
  );
});

test('parseSpfRecord accepts valid records', () => {
  fc.assert(
    fc.property(validRecord, ({ terms, record }) => {
      const parsed = parseSpfRecord(record, 'example.com');
      const errors = parsed.findings.filter((item) => item.severity === 'error');
      assert.deepEqual(errors, []);
      assert.equal(parsed.valid, true);
      assert.equal(parsed.terms.length, terms.length + 1);
      assert.deepEqual(
        parsed.terms.map((term) => term.raw),
        [...terms, record.split(' ').at(-1)],
      );
    }),
    { numRuns: 300 },
  );
});

// The misspellings that the parser maps to a mechanism, with an argument that suits it.
const misspelled = fc.oneof(
  fc.ipV4().map((ip) => ({ term: `ipv4:${ip}`, meant: `ip4:${ip}` })),
  fc.ipV4().map((ip) => ({ term: `ip:${ip}`, meant: `ip4:${ip}` })),
  fc.ipV6().map((ip) => ({ term: `ipv6:${ip}`, meant: `ip6:${ip}` })),
  domain.map((name) => ({ term: `includes:${name}`, meant: `include:${name}` })),
  domain.map((name) => ({ term: `inc:${name}`, meant: `include:${name}` })),
);

test('parseSpfRecord fix corrects misspelling', () => {
  const input = fc.tuple(fc.array(validTerm, { maxLength: 6 }), misspelled, fc.nat());
  fc.assert(
    fc.property(input, ([terms, { term, meant }, at]) => {
      const i = at % (terms.length + 1);
      const record = ['v=spf1', ...terms.slice(0, i), term, ...terms.slice(i), '-all'].join(' ');
      const expected = ['v=spf1', ...terms.slice(0, i), meant, ...terms.slice(i), '-all'];
      const parsed = parseSpfRecord(record, 'example.com');
      const unknown = parsed.findings.find((item) => item.code === 'spf.unknown_mechanism');
      assert.ok(unknown, record);
      assert.equal(unknown.fix, `TXT example.com "${expected.join(' ')}"`);
    }),
    { numRuns: 300 },
  );
});

function mechanismsOf(record: string): string[] {
  return parseSpfRecord(record, 'example.com')
    .terms.filter((term) => term.kind === 'mechanism')
    .map((term) => term.raw);
}

// Records that share includes in different case and with different qualifiers, each with
// zero or more "all" terms.
const overlappingRecord = fc
  .array(
    fc.oneof(
      fc
        .tuple(
          qualifier,
          fc.constantFrom('include', 'INCLUDE', 'Include'),
          fc.constantFrom('a.example', 'B.example', 'spf.mandrillapp.com'),
        )
        .map(([q, name, target]) => `${q}${name}:${target}`),
      fc.constantFrom('-all', '~all', '?all', 'all', 'ALL'),
      validTerm,
    ),
    { maxLength: 8 },
  )
  .map((terms) => ['v=spf1', ...terms].join(' '));

test('mergeSpfRecords keeps includes once', () => {
  const records = fc.array(
    fc.oneof(
      validRecord.map(({ record }) => record),
      overlappingRecord,
    ),
    { minLength: 1, maxLength: 5 },
  );
  fc.assert(
    fc.property(records, (inputs) => {
      const merged = mergeSpfRecords(inputs, 'example.com');
      assert.ok(merged.startsWith('v=spf1 '), merged);
      const terms = mechanismsOf(merged);
      const isAll = (raw: string) => /^[+~?-]?all$/i.test(raw);
      const includes = inputs.flatMap(mechanismsOf).filter((raw) => /^[+~?-]?include:/i.test(raw));
      for (const include of includes) {
        const copies = terms.filter((raw) => raw.toLowerCase() === include.toLowerCase());
        assert.equal(copies.length, 1, `${include} in ${merged}`);
      }
      assert.equal(terms.filter(isAll).length, 1, merged);
      assert.ok(isAll(terms.at(-1) ?? ''), merged);
      const firstAll = inputs.flatMap(mechanismsOf).find(isAll);
      assert.equal(terms.at(-1), firstAll ?? '~all', merged);
    }),
    { numRuns: 300 },
  );
});

test('mergeSpfRecords never throws', () => {
  const records = fc.array(fc.oneof(fc.string(), randomRecord), { maxLength: 5 });
  fc.assert(
    fc.property(records, (inputs) => {
      assert.equal(typeof mergeSpfRecords(inputs, 'example.com'), 'string');
    }),
    { numRuns: 300 },
  );
});
