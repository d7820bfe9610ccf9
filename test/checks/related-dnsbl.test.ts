import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyCode } from '../../server/checks/related/dnsbl.js';
import { checkRelated } from '../../server/checks/related/index.js';
import type { RelatedReport } from '../../server/checks/related/index.js';
import { withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';

// Made-up zones served only by the loopback DNS server; no public blocklist is queried.
const ZONE = 'bl.dnsbl-test.example';
const OTHER_ZONE = 'other.dnsbl-test.example';

const rejectFetch = async (domain: string): Promise<string | null> => {
  throw new Error(`unexpected MTA-STS fetch for ${domain}`);
};

const BLOCKLIST_ZONE: ZoneRecord[] = [
  { name: 'example.com', type: 'MX', data: { priority: 10, exchange: 'mail.example.com' } },
  { name: 'mail.example.com', type: 'A', data: '192.0.2.10' },
  { name: `10.2.0.192.${ZONE}`, type: 'A', data: '127.0.0.2' },
  {
    name: `10.2.0.192.${ZONE}`,
    type: 'TXT',
    data: ['Listed for spam, see https://dnsbl-test.example/192.0.2.10'],
  },
  { name: `20.2.0.192.${ZONE}`, type: 'A', data: '127.255.255.254' },
  { name: `30.2.0.192.${ZONE}`, type: 'A', data: '198.51.100.7' },
  { name: `40.2.0.192.${ZONE}`, type: 'CNAME', data: 'loop1.example.com' },
  { name: `50.2.0.192.${ZONE}`, type: 'A', data: '127.0.0.4' },
  { name: 'loop1.example.com', type: 'CNAME', data: 'loop2.example.com' },
  { name: 'loop2.example.com', type: 'CNAME', data: 'loop1.example.com' },
];

async function lists(sendingIps: string[], zones: string[] = [ZONE]): Promise<RelatedReport> {
  return withZone(BLOCKLIST_ZONE, (resolver) =>
    checkRelated({
      domain: 'example.com',
      sendingIps,
      resolver,
      options: { dnsblZones: zones, fetchMtaStsPolicy: rejectFetch },
    }),
  );
}

function dnsblCodes(report: RelatedReport): string[] {
  return report.findings.filter((item) => item.code.startsWith('dnsbl.')).map((item) => item.code);
}

describe('related checks: DNS blocklists', () => {
  it('listed with TXT reason', async () => {
    const report = await lists(['192.0.2.10']);
    assert.deepEqual(report.blocklists, [
      {
        ip: '192.0.2.10',
        zone: ZONE,
        query: `10.2.0.192.${ZONE}`,
        status: 'listed',
        codes: ['127.0.0.2'],
        reason: 'Listed for spam, see https://dnsbl-test.example/192.0.2.10',
      },
    ]);
    assert.deepEqual(dnsblCodes(report), ['dnsbl.listed']);
    assert.equal(report.findings.find((item) => item.code === 'dnsbl.listed')?.severity, 'error');
  });

  it('listed without TXT reason', async () => {
    const report = await lists(['192.0.2.50']);
    assert.equal(report.blocklists[0]?.status, 'listed');
    assert.deepEqual(report.blocklists[0]?.codes, ['127.0.0.4']);
    assert.equal(report.blocklists[0]?.reason, null);
  });

  it('NXDOMAIN is not listed', async () => {
    const report = await lists(['192.0.2.11']);
    assert.deepEqual(report.blocklists, [
      {
        ip: '192.0.2.11',
        zone: ZONE,
        query: `11.2.0.192.${ZONE}`,
        status: 'not_listed',
        codes: [],
        reason: null,
      },
    ]);
    assert.deepEqual(dnsblCodes(report), []);
  });

  it('refusal code 127.255.255.254 is unknown', async () => {
    const report = await lists(['192.0.2.20']);
    assert.deepEqual(report.blocklists, [
      {
        ip: '192.0.2.20',
        zone: ZONE,
        query: `20.2.0.192.${ZONE}`,
        status: 'unknown',
        codes: ['127.255.255.254'],
        reason: null,
      },
    ]);
    assert.deepEqual(dnsblCodes(report), ['dnsbl.unknown']);
    assert.equal(
      report.findings.find((item) => item.code === 'dnsbl.unknown')?.severity,
      'warning',
    );
  });

  it('answer outside 127/8 is unknown', async () => {
    const report = await lists(['192.0.2.30']);
    assert.equal(report.blocklists[0]?.status, 'unknown');
    assert.deepEqual(report.blocklists[0]?.codes, ['198.51.100.7']);
    assert.deepEqual(dnsblCodes(report), ['dnsbl.unknown']);
  });

  it('temperror is unknown', async () => {
    const report = await lists(['192.0.2.40']);
    assert.deepEqual(report.blocklists, [
      {
        ip: '192.0.2.40',
        zone: ZONE,
        query: `40.2.0.192.${ZONE}`,
        status: 'unknown',
        codes: [],
        reason: null,
      },
    ]);
    assert.deepEqual(dnsblCodes(report), ['dnsbl.unknown']);
  });

  it('each IP against each zone', async () => {
    const report = await lists(['192.0.2.10', '192.0.2.11'], [ZONE, `${OTHER_ZONE}.`]);
    assert.deepEqual(
      report.blocklists.map((item) => [item.ip, item.zone, item.status]),
      [
        ['192.0.2.10', ZONE, 'listed'],
        ['192.0.2.10', OTHER_ZONE, 'not_listed'],
        ['192.0.2.11', ZONE, 'not_listed'],
        ['192.0.2.11', OTHER_ZONE, 'not_listed'],
      ],
    );
  });

  it('no zones by default', async () => {
    const report = await withZone(BLOCKLIST_ZONE, (resolver) =>
      checkRelated({
        domain: 'example.com',
        sendingIps: ['192.0.2.10'],
        resolver,
        options: { fetchMtaStsPolicy: rejectFetch },
      }),
    );
    assert.deepEqual(report.blocklists, []);
  });

  it('IPv6 query uses nibbles', async () => {
    const report = await lists(['2001:db8::1']);
    assert.equal(
      report.blocklists[0]?.query,
      `1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.${ZONE}`,
    );
    assert.equal(report.blocklists[0]?.status, 'not_listed');
  });

  it('invalid zone is rejected', async () => {
    await assert.rejects(
      lists(['192.0.2.10'], ['bad zone']),
      /Invalid DNS blocklist zone "bad zone"/,
    );
  });
});

describe('related checks: blocklist codes', () => {
  const cases: [string, 'listed' | 'refused'][] = [
    ['127.0.0.2', 'listed'],
    ['127.0.0.11', 'listed'],
    ['127.0.0.255', 'listed'],
    ['127.0.1.2', 'listed'],
    ['127.0.0.1', 'refused'],
    ['127.0.0.0', 'refused'],
    ['127.255.255.252', 'refused'],
    ['127.255.255.254', 'refused'],
    ['127.255.255.255', 'refused'],
    ['10.0.0.1', 'refused'],
    ['198.51.100.7', 'refused'],
    ['::1', 'refused'],
    ['not an address', 'refused'],
  ];
  for (const [code, expected] of cases) {
    it(`code ${code} is ${expected}`, () => {
      assert.equal(classifyCode(code), expected);
    });
  }
});
