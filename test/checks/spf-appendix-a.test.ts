import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSpf } from '../../server/checks/spf.js';
import { evaluateSpf } from '../../server/checks/spf-eval.js';
import type { SpfResult } from '../../server/checks/types.js';
import { withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';

// The example.com zone of RFC 7208 appendix A, without its SPF record, which each case adds.
const ZONE: ZoneRecord[] = [
  { name: 'example.com', type: 'A', data: '192.0.2.10' },
  { name: 'example.com', type: 'A', data: '192.0.2.11' },
  { name: 'amy.example.com', type: 'A', data: '192.0.2.65' },
  { name: 'bob.example.com', type: 'A', data: '192.0.2.66' },
  { name: 'mail-a.example.com', type: 'A', data: '192.0.2.129' },
  { name: 'mail-b.example.com', type: 'A', data: '192.0.2.130' },
  { name: 'www.example.com', type: 'CNAME', data: 'example.com' },
  { name: 'example.com', type: 'MX', data: { priority: 10, exchange: 'mail-a.example.com' } },
  { name: 'example.com', type: 'MX', data: { priority: 20, exchange: 'mail-b.example.com' } },
  { name: 'example.org', type: 'MX', data: { priority: 10, exchange: 'mail-c.example.org' } },
  { name: 'mail-c.example.org', type: 'A', data: '192.0.2.140' },
  { name: '10.2.0.192.in-addr.arpa', type: 'PTR', data: 'example.com' },
  { name: '11.2.0.192.in-addr.arpa', type: 'PTR', data: 'example.com' },
  { name: '65.2.0.192.in-addr.arpa', type: 'PTR', data: 'amy.example.com' },
  { name: '66.2.0.192.in-addr.arpa', type: 'PTR', data: 'bob.example.com' },
  { name: '129.2.0.192.in-addr.arpa', type: 'PTR', data: 'mail-a.example.com' },
  { name: '130.2.0.192.in-addr.arpa', type: 'PTR', data: 'mail-b.example.com' },
  { name: '140.2.0.192.in-addr.arpa', type: 'PTR', data: 'mail-c.example.org' },
  { name: '4.0.0.10.in-addr.arpa', type: 'PTR', data: 'bob.example.com' },
];

interface AppendixCase {
  record: string;
  pass: string[];
  fail: string[];
  lookups: number;
  voidLookups: number;
  codes: string[];
}

// Appendix A.1: the hosts each record lets pass, and some it does not.
const CASES: AppendixCase[] = [
  {
    record: 'v=spf1 +all',
    pass: ['192.0.2.1', '198.51.100.7'],
    fail: [],
    lookups: 0,
    voidLookups: 0,
    codes: ['spf.pass_all'],
  },
  {
    record: 'v=spf1 a -all',
    pass: ['192.0.2.10', '192.0.2.11'],
    fail: ['192.0.2.65', '192.0.2.129'],
    lookups: 1,
    voidLookups: 0,
    codes: [],
  },
  {
    record: 'v=spf1 a:example.org -all',
    pass: [],
    fail: ['192.0.2.10', '192.0.2.140'],
    lookups: 1,
    voidLookups: 1,
    codes: [],
  },
  {
    record: 'v=spf1 mx -all',
    pass: ['192.0.2.129', '192.0.2.130'],
    fail: ['192.0.2.10', '192.0.2.140'],
    lookups: 1,
    voidLookups: 0,
    codes: [],
  },
  {
    record: 'v=spf1 mx:example.org -all',
    pass: ['192.0.2.140'],
    fail: ['192.0.2.129'],
    lookups: 1,
    voidLookups: 0,
    codes: [],
  },
  {
    record: 'v=spf1 mx mx:example.org -all',
    pass: ['192.0.2.129', '192.0.2.130', '192.0.2.140'],
    fail: ['192.0.2.10'],
    lookups: 2,
    voidLookups: 0,
    codes: [],
  },
  {
    record: 'v=spf1 mx/30 mx:example.org/30 -all',
    pass: ['192.0.2.131', '192.0.2.141'],
    fail: ['192.0.2.132', '192.0.2.144'],
    lookups: 2,
    voidLookups: 0,
    codes: [],
  },
  {
    record: 'v=spf1 ptr -all',
    pass: ['192.0.2.10', '192.0.2.65', '192.0.2.130'],
    fail: ['192.0.2.140', '10.0.0.4'],
    lookups: 1,
    voidLookups: 0,
    codes: ['spf.ptr'],
  },
  {
    record: 'v=spf1 ip4:192.0.2.128/28 -all',
    pass: ['192.0.2.128', '192.0.2.143'],
    fail: ['192.0.2.65', '192.0.2.144'],
    lookups: 0,
    voidLookups: 0,
    codes: [],
  },
];

function zoneWith(record: string): ZoneRecord[] {
  return [...ZONE, { name: 'example.com', type: 'TXT', data: [record] }];
}

describe('RFC 7208 appendix A.1', () => {
  for (const testCase of CASES) {
    it(`lint: ${testCase.record}`, async () => {
      const report = await withZone(zoneWith(testCase.record), (resolver) =>
        checkSpf('example.com', resolver),
      );
      assert.equal(report.status, 'valid');
      assert.equal(report.lookups, testCase.lookups);
      assert.equal(report.voidLookups, testCase.voidLookups);
      assert.deepEqual(
        report.findings.map((item) => item.code),
        testCase.codes,
      );
    });

    it(`evaluate: ${testCase.record}`, async () => {
      const expected: [string, SpfResult][] = [
        ...testCase.pass.map((ip): [string, SpfResult] => [ip, 'pass']),
        ...testCase.fail.map((ip): [string, SpfResult] => [ip, 'fail']),
      ];
      await withZone(zoneWith(testCase.record), async (resolver) => {
        for (const [ip, result] of expected) {
          const evaluation = await evaluateSpf({ ip, sender: 'user@example.com', resolver });
          assert.equal(evaluation.result, result, `${ip} under "${testCase.record}"`);
        }
      });
    });
  }
});

describe('RFC 7208 appendix A.2', () => {
  // Several domains share one policy through redirect=.
  const records: ZoneRecord[] = [
    ...ZONE,
    { name: 'la.example.com', type: 'TXT', data: ['v=spf1 redirect=_spf.example.com'] },
    { name: 'ny.example.com', type: 'TXT', data: ['v=spf1 redirect=_spf.example.com'] },
    { name: '_spf.example.com', type: 'TXT', data: ['v=spf1 mx:example.com -all'] },
  ];

  it('lint: redirect to the shared policy', async () => {
    const report = await withZone(records, (resolver) => checkSpf('la.example.com', resolver));
    assert.equal(report.status, 'valid');
    assert.equal(report.lookups, 2);
    assert.deepEqual(report.findings, []);
    assert.equal(report.tree?.children[0]?.domain, '_spf.example.com');
    assert.equal(report.tree?.children[0]?.via, 'redirect');
    assert.equal(report.tree?.children[0]?.position, 1);
  });

  it('evaluate: MX hosts pass for each domain', async () => {
    await withZone(records, async (resolver) => {
      for (const domain of ['la.example.com', 'ny.example.com']) {
        const pass = await evaluateSpf({ ip: '192.0.2.129', sender: `u@${domain}`, resolver });
        assert.equal(pass.result, 'pass', domain);
        const fail = await evaluateSpf({ ip: '192.0.2.10', sender: `u@${domain}`, resolver });
        assert.equal(fail.result, 'fail', domain);
      }
    });
  });
});
