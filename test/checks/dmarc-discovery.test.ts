import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { checkDmarc } from '../../server/checks/dmarc.js';
import type { DmarcReport } from '../../server/checks/types.js';
import { createResolver } from '../../server/dns/resolver.js';
import { withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';
import { loadCorpusZone } from '../support/zones.js';

async function dmarcFor(domain: string, records: ZoneRecord[]): Promise<DmarcReport> {
  return withZone(records, (resolver) => checkDmarc(domain, resolver));
}

function txt(name: string, text: string): ZoneRecord {
  return { name, type: 'TXT', data: [text] };
}

function codes(report: DmarcReport): string[] {
  return report.findings.map((item) => item.code);
}

describe('DMARC record placement', () => {
  it('record at the apex', async () => {
    const report = await dmarcFor('example.com', [
      txt('example.com', 'v=spf1 -all'),
      txt('example.com', 'v=DMARC1; p=reject'),
    ]);
    assert.equal(report.status, 'none');
    assert.deepEqual(codes(report), ['dmarc.misplaced_apex', 'dmarc.missing']);
    assert.equal(report.findings[0]?.severity, 'warning');
    assert.equal(
      report.findings[0]?.fix,
      'TXT _dmarc.example.com "v=DMARC1; p=reject" (then delete the record at example.com)',
    );
  });

  it('record at a doubled name', async () => {
    const report = await dmarcFor('example.com', [
      txt('_dmarc.example.com.example.com', 'v=DMARC1; p=quarantine'),
    ]);
    assert.equal(report.status, 'none');
    assert.deepEqual(codes(report), ['dmarc.misplaced_doubled_name', 'dmarc.missing']);
    assert.equal(report.findings[0]?.severity, 'warning');
    assert.match(report.findings[0]?.message ?? '', /_dmarc\.example\.com\.example\.com/);
    assert.equal(
      report.findings[0]?.fix,
      'TXT _dmarc.example.com. "v=DMARC1; p=quarantine" (in a zone file, end the name with a dot or write it as "_dmarc"; then delete _dmarc.example.com.example.com)',
    );
  });

  it('record at dmarc. without underscore', async () => {
    const report = await dmarcFor('example.com', [txt('dmarc.example.com', 'v=DMARC1; p=reject')]);
    assert.equal(report.status, 'none');
    assert.deepEqual(codes(report), ['dmarc.misplaced_no_underscore', 'dmarc.missing']);
    assert.equal(report.findings[0]?.severity, 'warning');
    assert.equal(
      report.findings[0]?.fix,
      'TXT _dmarc.example.com "v=DMARC1; p=reject" (then delete the record at dmarc.example.com)',
    );
  });

  it('stray dmarc. beside _dmarc is info', async () => {
    const report = await dmarcFor('example.com', [
      txt('_dmarc.example.com', 'v=DMARC1; p=reject'),
      txt('dmarc.example.com', 'v=DMARC1; p=reject'),
    ]);
    assert.equal(report.status, 'valid');
    assert.deepEqual(codes(report), ['dmarc.misplaced_no_underscore']);
    assert.equal(report.findings[0]?.severity, 'info');
  });

  it('misplaced record at an inheriting subdomain', async () => {
    const report = await dmarcFor('mail.example.com', [
      txt('_dmarc.example.com', 'v=DMARC1; p=reject'),
      txt('mail.example.com', 'v=DMARC1; p=none'),
    ]);
    assert.equal(report.policy, 'reject');
    assert.equal(report.inherited, true);
    assert.deepEqual(codes(report), ['dmarc.misplaced_apex']);
    assert.equal(report.findings[0]?.severity, 'warning');
  });

  it('corpus fac.gov dmarc. record', async () => {
    const report = await dmarcFor('fac.gov', loadCorpusZone());
    assert.equal(report.status, 'valid');
    assert.equal(report.policy, 'reject');
    const stray = report.findings.filter((item) => item.code === 'dmarc.misplaced_no_underscore');
    assert.equal(stray.length, 1);
    assert.equal(stray[0]?.severity, 'info');
  });
});

describe('DMARC organizational domain', () => {
  it('co.uk subdomain falls back', async () => {
    const report = await dmarcFor('mail.example.co.uk', [
      txt('_dmarc.example.co.uk', 'v=DMARC1; p=quarantine; sp=reject'),
    ]);
    assert.equal(report.organizationalDomain, 'example.co.uk');
    assert.equal(report.recordDomain, 'example.co.uk');
    assert.equal(report.inherited, true);
    assert.equal(report.policy, 'reject');
  });

  it('co.uk org domain never asks co.uk', async () => {
    const report = await dmarcFor('example.co.uk', [txt('_dmarc.co.uk', 'v=DMARC1; p=reject')]);
    assert.equal(report.organizationalDomain, 'example.co.uk');
    assert.equal(report.status, 'none');
    assert.equal(report.policy, null);
  });

  it('deep subdomain falls back two levels', async () => {
    const report = await dmarcFor('a.b.example.co.uk', [
      txt('_dmarc.example.co.uk', 'v=DMARC1; p=none; sp=quarantine'),
    ]);
    assert.equal(report.recordDomain, 'example.co.uk');
    assert.equal(report.policy, 'quarantine');
  });

  it('private suffix github.io', async () => {
    const records = [
      txt('_dmarc.shop.github.io', 'v=DMARC1; p=reject'),
      txt('_dmarc.github.io', 'v=DMARC1; p=quarantine'),
    ];
    const blog = await dmarcFor('blog.shop.github.io', records);
    assert.equal(blog.organizationalDomain, 'shop.github.io');
    assert.equal(blog.recordDomain, 'shop.github.io');
    assert.equal(blog.policy, 'reject');
    const other = await dmarcFor('other.github.io', records);
    assert.equal(other.organizationalDomain, 'other.github.io');
    assert.equal(other.status, 'none');
  });

  it('missing record names both domains', async () => {
    const report = await dmarcFor('mail.example.co.uk', [txt('example.co.uk', 'v=spf1 -all')]);
    assert.deepEqual(codes(report), ['dmarc.missing']);
    assert.match(
      report.findings[0]?.message ?? '',
      /^Neither _dmarc\.mail\.example\.co\.uk nor _dmarc\.example\.co\.uk has a DMARC record/,
    );
  });
});

describe('DMARC external report destinations', () => {
  const RECORD =
    'v=DMARC1; p=reject; rua=mailto:agg@reports.example.net,mailto:dmarc@mail.example.com; ruf=mailto:fail@auth.example.org';

  it('unauthorized and authorized destinations', async () => {
    const report = await dmarcFor('example.com', [
      txt('_dmarc.example.com', RECORD),
      txt('example.com._report._dmarc.auth.example.org', 'v=DMARC1'),
    ]);
    assert.equal(report.status, 'valid');
    assert.deepEqual(codes(report), ['dmarc.external_report_unauthorized']);
    const item = report.findings[0];
    assert.equal(item?.severity, 'warning');
    assert.match(item?.message ?? '', /reports\.example\.net/);
    assert.equal(
      item?.fix,
      'Ask the owner of reports.example.net to publish TXT example.com._report._dmarc.reports.example.net "v=DMARC1", or send rua reports to an address at example.com.',
    );
    assert.deepEqual(report.externalReports, [
      {
        tag: 'rua',
        uri: 'mailto:agg@reports.example.net',
        destination: 'reports.example.net',
        authorizationName: 'example.com._report._dmarc.reports.example.net',
        authorized: false,
      },
      {
        tag: 'ruf',
        uri: 'mailto:fail@auth.example.org',
        destination: 'auth.example.org',
        authorizationName: 'example.com._report._dmarc.auth.example.org',
        authorized: true,
      },
    ]);
  });

  it('TXT without v=DMARC1 does not authorize', async () => {
    const report = await dmarcFor('example.com', [
      txt('_dmarc.example.com', 'v=DMARC1; p=reject; rua=mailto:agg@reports.example.net'),
      txt('example.com._report._dmarc.reports.example.net', 'ok'),
    ]);
    assert.deepEqual(codes(report), ['dmarc.external_report_unauthorized']);
    assert.equal(report.externalReports?.[0]?.authorized, false);
  });

  it('inherited record asks for the org domain', async () => {
    const report = await dmarcFor('mail.example.com', [
      txt('_dmarc.example.com', 'v=DMARC1; p=reject; rua=mailto:agg@reports.example.net!5m'),
      txt('example.com._report._dmarc.reports.example.net', 'v=DMARC1'),
    ]);
    assert.deepEqual(codes(report), []);
    assert.equal(report.externalReports?.[0]?.authorized, true);
    assert.equal(report.externalReports?.[0]?.uri, 'mailto:agg@reports.example.net!5m');
  });

  it('failed lookup is a temperror warning', async () => {
    const report = await dmarcFor('example.com', [
      txt('_dmarc.example.com', 'v=DMARC1; p=reject; rua=mailto:agg@reports.example.net'),
      {
        name: 'example.com._report._dmarc.reports.example.net',
        type: 'CNAME',
        data: 'example.com._report._dmarc.reports.example.net',
      },
    ]);
    assert.deepEqual(codes(report), ['dmarc.external_report_temperror']);
    assert.match(report.findings[0]?.message ?? '', /\(ESERVFAIL\)/);
    assert.equal(report.externalReports?.[0]?.authorized, null);
  });
});

describe('DMARC lookups that fail', () => {
  it('SERVFAIL from a CNAME loop', async () => {
    const report = await dmarcFor('loop.example', [
      { name: '_dmarc.loop.example', type: 'CNAME', data: 'a.loop.example' },
      { name: 'a.loop.example', type: 'CNAME', data: '_dmarc.loop.example' },
    ]);
    assert.equal(report.status, 'temperror');
    assert.deepEqual(codes(report), ['dmarc.temperror']);
    assert.equal(
      report.findings[0]?.message,
      'The TXT lookup of _dmarc.loop.example failed (ESERVFAIL).',
    );
  });

  it('CNAME chain to the record', async () => {
    const report = await dmarcFor('chain.example', [
      { name: '_dmarc.chain.example', type: 'CNAME', data: 'one.chain.example' },
      { name: 'one.chain.example', type: 'CNAME', data: 'dmarc.hosted.example' },
      txt('dmarc.hosted.example', 'v=DMARC1; p=quarantine'),
    ]);
    assert.equal(report.status, 'valid');
    assert.equal(report.policy, 'quarantine');
  });

  it('huge record over TCP', async () => {
    const rua = Array.from({ length: 12 }, (_, i) => `mailto:dmarc-${i}-reports@example.com`);
    const record = `v=DMARC1; p=reject; rua=${rua.join(',')}; ruf=${rua.join(',')}`;
    assert.ok(record.length > 512);
    const report = await dmarcFor('example.com', [txt('_dmarc.example.com', record)]);
    assert.equal(report.status, 'valid');
    assert.equal(report.record, record);
    assert.deepEqual(report.rua, rua);
    assert.deepEqual(report.ruf, rua);
  });

  it('deadline makes temperror, not none', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    try {
      const resolver = createResolver({
        servers: [`127.0.0.1:${silent.address().port}`],
        timeoutMs: 5000,
        tries: 1,
        deadlineMs: 200,
      });
      const report = await checkDmarc('example.com', resolver);
      assert.equal(report.status, 'temperror');
      assert.deepEqual(codes(report), ['dmarc.temperror']);
      assert.equal(
        report.findings[0]?.message,
        'The TXT lookup of _dmarc.example.com failed (ETIMEOUT).',
      );
    } finally {
      silent.close();
    }
  });
});
