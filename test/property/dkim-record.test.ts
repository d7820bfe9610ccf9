import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { fc } from '../support/fast-check.js';
import {
  assessDkimRecord,
  parseTagList,
  type DkimKeyAssessment,
} from '../../server/checks/dkim-record.js';

const STATUSES = ['valid', 'missing', 'revoked', 'invalid', 'temperror'];
const SEVERITIES = ['error', 'warning', 'info'];

function assertShape(assessment: DkimKeyAssessment): void {
  assert.ok(STATUSES.includes(assessment.status), assessment.status);
  assert.ok(
    assessment.keyType === undefined || ['rsa', 'ed25519'].includes(assessment.keyType),
    String(assessment.keyType),
  );
  assert.ok(
    assessment.keyBits === undefined || Number.isInteger(assessment.keyBits),
    String(assessment.keyBits),
  );
  for (const item of assessment.findings) {
    assert.equal(typeof item.code, 'string');
    assert.ok(SEVERITIES.includes(item.severity), item.severity);
    assert.equal(typeof item.message, 'string');
  }
  // Every status but valid carries the finding that explains it.
  if (assessment.status !== 'valid') {
    assert.ok(assessment.findings.length > 0, assessment.status);
  }
}

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.string({ minLength: 2000, maxLength: 20000 }),
);

const tagName = fc.constantFrom('v', 'k', 'p', 'h', 's', 't', 'n', 'g', '');
const randomTag = fc.oneof(
  fc.tuple(tagName, fc.string({ maxLength: 20 })).map(([n, v]) => `${n}=${v}`),
  fc.tuple(tagName, fc.base64String({ maxLength: 400 })).map(([n, v]) => ` ${n} = ${v} `),
  fc.string({ maxLength: 20 }),
);
const tagList = fc.array(randomTag, { maxLength: 8 }).map((tags) => tags.join(';'));

test('parseTagList never throws', () => {
  fc.assert(
    fc.property(fc.oneof(anyText, tagList), (text) => {
      const tags = parseTagList(text);
      if (tags === null) return;
      for (const [name, value] of tags) {
        assert.equal(name, name.trim());
        assert.equal(value, value.trim());
        assert.ok(!name.includes(';'), name);
        assert.ok(!name.includes('='), name);
        assert.ok(!value.includes(';'), value);
      }
    }),
    { numRuns: 500 },
  );
});

test('parseTagList rejects duplicate tags', () => {
  const input = fc.tuple(
    fc.stringMatching(/^[a-z]{1,5}$/),
    fc.string({ maxLength: 10 }).filter((v) => !v.includes(';')),
    fc.string({ maxLength: 10 }).filter((v) => !v.includes(';')),
  );
  fc.assert(
    fc.property(input, ([name, first, second]) => {
      assert.equal(parseTagList(`${name}=${first}; ${name}=${second}`), null);
    }),
    { numRuns: 200 },
  );
});

test('assessDkimRecord never throws', () => {
  fc.assert(
    fc.property(fc.oneof(anyText, tagList), (record) => {
      assertShape(assessDkimRecord(record, 's1._domainkey.example.com'));
    }),
    { numRuns: 500 },
  );
});

test('assessDkimRecord random base64 key', () => {
  const record = fc
    .tuple(
      fc.constantFrom('', 'v=DKIM1; ', 'v=DKIM1; k=rsa; ', 'v=DKIM1; k=ed25519; ', 'k=rsa; '),
      fc.oneof(
        fc.base64String({ minLength: 4, maxLength: 800 }),
        fc
          .uint8Array({ minLength: 1, maxLength: 600 })
          .map((bytes) => Buffer.from(bytes).toString('base64')),
        fc
          .uint8Array({ minLength: 32, maxLength: 32 })
          .map((bytes) => Buffer.from(bytes).toString('base64')),
      ),
    )
    .map(([prefix, key]) => `${prefix}p=${key}`);
  fc.assert(
    fc.property(record, (text) => {
      const assessment = assessDkimRecord(text, 's1._domainkey.example.com');
      assertShape(assessment);
      assert.ok(['valid', 'invalid'].includes(assessment.status), assessment.status);
    }),
    { numRuns: 300 },
  );
});

// Real keys of each size, made once because RSA key generation is slow.
const RSA_KEYS = [512, 1024, 2048].map((bits) => {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  return {
    bits,
    spki: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    pkcs1: publicKey.export({ format: 'der', type: 'pkcs1' }).toString('base64'),
  };
});

test('assessDkimRecord measures real RSA keys', () => {
  const input = fc.tuple(
    fc.constantFrom(...RSA_KEYS),
    fc.constantFrom('spki', 'pkcs1'),
    fc.constantFrom('', 'v=DKIM1; ', 'v=DKIM1; k=rsa; ', 'v=DKIM1; h=sha256; k=rsa; '),
    fc.nat(),
    fc.constantFrom(' ', '\t', '\r\n '),
  );
  fc.assert(
    fc.property(input, ([key, encoding, prefix, at, space]) => {
      const base64 = encoding === 'spki' ? key.spki : key.pkcs1;
      // White space inside p= is allowed (RFC 6376 3.6.1) and must not change the result.
      const i = at % base64.length;
      const split = base64.slice(0, i) + space + base64.slice(i);
      const assessment = assessDkimRecord(`${prefix}p=${split}`, 's1._domainkey.example.com');
      assertShape(assessment);
      assert.equal(assessment.keyType, 'rsa');
      assert.equal(assessment.keyBits, key.bits);
      assert.equal(assessment.status, key.bits >= 1024 ? 'valid' : 'invalid');
    }),
    { numRuns: 100 },
  );
});
