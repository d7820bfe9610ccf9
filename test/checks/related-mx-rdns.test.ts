import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRelated } from '../../server/checks/related/index.js';
import type { Finding } from '../../server/checks/types.js';
import type { RelatedInput, RelatedReport } from '../../server/checks/related/index.js';
import { withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';

// No test may reach the default MTA-STS fetcher, which would make a real HTTPS request.
const rejectFetch = async (domain: string): Promise<string | null> => {
  throw new Error(`unexpected MTA-STS fetch for ${domain}`);
};

async function related(
  records: ZoneRecord[],
  input: Partial<Omit<RelatedInput, 'resolver'>> = {},
): Promise<RelatedReport> {
  return withZone(records, (resolver) =>
    checkRelated({
      domain: 'example.com',
      sendingIps: [],
      resolver,
      ...input,
      options: { fetchMtaStsPolicy: rejectFetch, ...input.options },
    }),
  );
}

function codes(report: RelatedReport, prefix: string): string[] {
  return report.findings.filter((item) => item.code.startsWith(prefix)).map((item) => item.code);
}

// Two CNAMEs pointing at each other make the loopback server answer SERVFAIL.
const LOOP: ZoneRecord[] = [
  { name: 'loop1.example.com', type: 'CNAME', data: 'loop2.example.com' },
  { name: 'loop2.example.com', type: 'CNAME', data: 'loop1.example.com' },
];

/** Returns the first finding whose code starts with `prefix`. */
function firstFinding(report: RelatedReport, prefix: string): Finding | undefined {
  return report.findings.find((item) => item.code.startsWith(prefix));
}

describe('related checks: MX', () => {
  it('null MX is a warning', async () => {
    const report = await related([
      { name: 'example.com', type: 'MX', data: { priority: 0, exchange: '.' } },
    ]);
    assert.deepEqual(report.mx, { status: 'null', hosts: [], deliveryHosts: [] });
    assert.deepEqual(codes(report, 'mx.'), ['mx.null']);
    assert.equal(firstFinding(report, 'mx.')?.severity, 'warning');
  });

  it('null MX beside another MX is an error', async () => {
    const report = await related([
      { name: 'example.com', type: 'MX', data: { priority: 0, exchange: '.' } },
      { name: 'example.com', type: 'MX', data: { priority: 10, exchange: 'mx.example.com' } },
    ]);
    assert.equal(report.mx.status, 'null');
    assert.deepEqual(codes(report, 'mx.'), ['mx.null', 'mx.null_with_others']);
    assert.equal(report.findings[1]?.severity, 'error');
  });

  it('missing MX falls back to the address', async () => {
    const report = await related([{ name: 'example.com', type: 'A', data: '192.0.2.1' }]);
    assert.deepEqual(report.mx, { status: 'implicit', hosts: [], deliveryHosts: ['example.com'] });
    assert.deepEqual(codes(report, 'mx.'), ['mx.implicit']);
    assert.equal(firstFinding(report, 'mx.')?.severity, 'info');
  });

  it('missing MX and address is a warning', async () => {
    const report = await related([{ name: 'example.com', type: 'TXT', data: ['v=spf1 -all'] }]);
    assert.deepEqual(report.mx, { status: 'none', hosts: [], deliveryHosts: [] });
    assert.deepEqual(codes(report, 'mx.'), ['mx.none']);
    assert.equal(firstFinding(report, 'mx.')?.severity, 'warning');
  });

  it('name that does not exist is an error', async () => {
    const report = await related([{ name: 'other.example', type: 'A', data: '192.0.2.1' }]);
    assert.deepEqual(report.mx, { status: 'none', hosts: [], deliveryHosts: [] });
    assert.deepEqual(codes(report, 'domain.'), ['domain.nxdomain']);
    assert.deepEqual(codes(report, 'mx.'), []);
    assert.equal(firstFinding(report, 'domain.')?.severity, 'error');
    assert.match(firstFinding(report, 'domain.')?.fix ?? '', /Check the spelling of example\.com/);
  });

  it('MX to a CNAME is a warning', async () => {
    const report = await related([
      { name: 'example.com', type: 'MX', data: { priority: 10, exchange: 'mx.example.com' } },
      { name: 'mx.example.com', type: 'CNAME', data: 'mail.example.net' },
      { name: 'mail.example.net', type: 'A', data: '192.0.2.25' },
    ]);
    assert.deepEqual(report.mx, {
      status: 'records',
      hosts: [
        {
          exchange: 'mx.example.com',
          priority: 10,
          status: 'ok',
          addresses: ['192.0.2.25'],
          cname: 'mail.example.net',
        },
      ],
      deliveryHosts: ['mx.example.com'],
    });
    assert.deepEqual(codes(report, 'mx.'), ['mx.cname']);
    assert.equal(firstFinding(report, 'mx.')?.severity, 'warning');
  });

  it('MX sorted, unresolved host is an error', async () => {
    const report = await related([
      { name: 'example.com', type: 'MX', data: { priority: 20, exchange: 'b.example.com' } },
      { name: 'example.com', type: 'MX', data: { priority: 10, exchange: 'a.example.com' } },
      { name: 'a.example.com', type: 'A', data: '192.0.2.1' },
      { name: 'a.example.com', type: 'AAAA', data: '2001:db8::1' },
    ]);
    assert.deepEqual(report.mx.hosts, [
      {
        exchange: 'a.example.com',
        priority: 10,
        status: 'ok',
        addresses: ['192.0.2.1', '2001:db8::1'],
        cname: null,
      },
      { exchange: 'b.example.com', priority: 20, status: 'unresolved', addresses: [], cname: null },
    ]);
    assert.deepEqual(report.mx.deliveryHosts, ['a.example.com', 'b.example.com']);
    assert.deepEqual(codes(report, 'mx.'), ['mx.host_unresolved']);
    assert.equal(firstFinding(report, 'mx.')?.severity, 'error');
  });

  it('MX to an IP literal is a warning', async () => {
    const report = await related([
      { name: 'example.com', type: 'MX', data: { priority: 10, exchange: '192.0.2.1' } },
    ]);
    assert.deepEqual(report.mx.hosts, [
      { exchange: '192.0.2.1', priority: 10, status: 'ip_literal', addresses: [], cname: null },
    ]);
    assert.deepEqual(codes(report, 'mx.'), ['mx.ip_literal']);
    assert.equal(firstFinding(report, 'mx.')?.severity, 'warning');
  });

  it('MX lookup failure is temperror', async () => {
    const report = await related(LOOP, { domain: 'loop1.example.com' });
    assert.deepEqual(report.mx, { status: 'temperror', hosts: [], deliveryHosts: [] });
    assert.deepEqual(codes(report, 'mx.'), ['mx.temperror']);
  });
});

const REVERSE_ZONE: ZoneRecord[] = [
  { name: 'example.com', type: 'MX', data: { priority: 10, exchange: 'mail.example.com' } },
  { name: '10.2.0.192.in-addr.arpa', type: 'PTR', data: 'mail.example.com' },
  { name: 'mail.example.com', type: 'A', data: '192.0.2.10' },
  { name: '11.2.0.192.in-addr.arpa', type: 'PTR', data: 'other.example.com' },
  { name: 'other.example.com', type: 'A', data: '192.0.2.99' },
  { name: '13.2.0.192.in-addr.arpa', type: 'PTR', data: 'loop1.example.com' },
  {
    name: '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
    type: 'PTR',
    data: 'mail6.example.com',
  },
  { name: 'mail6.example.com', type: 'AAAA', data: '2001:db8::25' },
  ...LOOP,
];

describe('related checks: reverse DNS', () => {
  it('FCrDNS pass', async () => {
    const report = await related(REVERSE_ZONE, { sendingIps: ['192.0.2.10'] });
    assert.deepEqual(report.reverseDns, [
      {
        ip: '192.0.2.10',
        ptrName: '10.2.0.192.in-addr.arpa',
        status: 'pass',
        hostnames: ['mail.example.com'],
        confirmedName: 'mail.example.com',
      },
    ]);
    assert.deepEqual(codes(report, 'rdns.'), []);
  });

  it('FCrDNS mismatch is an error', async () => {
    const report = await related(REVERSE_ZONE, { sendingIps: ['192.0.2.11'] });
    assert.deepEqual(report.reverseDns, [
      {
        ip: '192.0.2.11',
        ptrName: '11.2.0.192.in-addr.arpa',
        status: 'mismatch',
        hostnames: ['other.example.com'],
        confirmedName: null,
      },
    ]);
    assert.deepEqual(codes(report, 'rdns.'), ['rdns.mismatch']);
    assert.equal(report.findings.find((item) => item.code === 'rdns.mismatch')?.severity, 'error');
  });

  it('FCrDNS none is an error', async () => {
    const report = await related(REVERSE_ZONE, { sendingIps: ['192.0.2.12'] });
    assert.deepEqual(report.reverseDns, [
      {
        ip: '192.0.2.12',
        ptrName: '12.2.0.192.in-addr.arpa',
        status: 'none',
        hostnames: [],
        confirmedName: null,
      },
    ]);
    assert.deepEqual(codes(report, 'rdns.'), ['rdns.none']);
    assert.equal(report.findings.find((item) => item.code === 'rdns.none')?.severity, 'error');
  });

  it('FCrDNS forward failure is temperror', async () => {
    const report = await related(REVERSE_ZONE, { sendingIps: ['192.0.2.13'] });
    assert.equal(report.reverseDns[0]?.status, 'temperror');
    assert.deepEqual(report.reverseDns[0]?.hostnames, ['loop1.example.com']);
    assert.deepEqual(codes(report, 'rdns.'), ['rdns.temperror']);
  });

  it('FCrDNS pass for IPv6', async () => {
    const report = await related(REVERSE_ZONE, { sendingIps: ['2001:db8::25'] });
    assert.deepEqual(report.reverseDns, [
      {
        ip: '2001:db8::25',
        ptrName: '5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa',
        status: 'pass',
        hostnames: ['mail6.example.com'],
        confirmedName: 'mail6.example.com',
      },
    ]);
  });

  it('invalid and repeated IPs', async () => {
    const report = await related(REVERSE_ZONE, {
      sendingIps: ['192.0.2.10', '192.0.2.10', 'mail.example.com'],
    });
    assert.deepEqual(
      report.reverseDns.map((item) => item.ip),
      ['192.0.2.10'],
    );
    assert.deepEqual(codes(report, 'related.'), ['related.invalid_ip']);
  });
});
