import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRelated } from '../../server/checks/related/index.js';
import type { DmarcPolicyInput, RelatedReport } from '../../server/checks/related/index.js';
import { withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';

const rejectFetch = async (domain: string): Promise<string | null> => {
  throw new Error(`unexpected MTA-STS fetch for ${domain}`);
};

const BASE: ZoneRecord[] = [
  { name: 'example.com', type: 'MX', data: { priority: 10, exchange: 'mx1.example.com' } },
  { name: 'mx1.example.com', type: 'A', data: '192.0.2.25' },
];

function txt(name: string, ...records: string[]): ZoneRecord[] {
  return records.map((text) => ({ name, type: 'TXT', data: [text] }));
}

async function related(
  records: ZoneRecord[],
  dmarcPolicy?: DmarcPolicyInput | null,
): Promise<RelatedReport> {
  return withZone([...BASE, ...records], (resolver) =>
    checkRelated({
      domain: 'example.com',
      sendingIps: [],
      resolver,
      dmarcPolicy,
      options: { fetchMtaStsPolicy: rejectFetch },
    }),
  );
}

function codes(report: RelatedReport, prefix: string): string[] {
  return report.findings.filter((item) => item.code.startsWith(prefix)).map((item) => item.code);
}

describe('related checks: TLS-RPT', () => {
  it('valid record', async () => {
    const record = 'v=TLSRPTv1; rua=mailto:tls@example.com, https://reports.example.com/tls';
    const report = await related(txt('_smtp._tls.example.com', record, 'v=spf1 -all'));
    assert.deepEqual(report.tlsRpt, {
      status: 'valid',
      records: [record],
      rua: ['mailto:tls@example.com', 'https://reports.example.com/tls'],
    });
    assert.deepEqual(codes(report, 'tlsrpt.'), []);
  });

  it('missing record is info', async () => {
    const report = await related([]);
    assert.deepEqual(report.tlsRpt, { status: 'none', records: [], rua: [] });
    assert.deepEqual(codes(report, 'tlsrpt.'), ['tlsrpt.missing']);
    assert.equal(report.findings.find((item) => item.code === 'tlsrpt.missing')?.severity, 'info');
  });

  const invalid: [string, string[], RegExp][] = [
    [
      'ftp rua',
      ['v=TLSRPTv1; rua=ftp://reports.example.com'],
      /rua "ftp:\/\/reports\.example\.com" is not a mailto: address/,
    ],
    ['missing rua', ['v=TLSRPTv1;'], /the rua tag is missing/],
    ['field without =', ['v=TLSRPTv1; rua'], /field "rua" has no "="/],
    [
      'two records',
      ['v=TLSRPTv1; rua=mailto:a@example.com', 'v=TLSRPTv1; rua=mailto:b@example.com'],
      /2 v=TLSRPTv1 records/,
    ],
  ];
  for (const [name, records, message] of invalid) {
    it(`invalid: ${name}`, async () => {
      const report = await related(txt('_smtp._tls.example.com', ...records));
      assert.equal(report.tlsRpt.status, 'invalid');
      assert.deepEqual(report.tlsRpt.rua, []);
      assert.deepEqual(codes(report, 'tlsrpt.'), ['tlsrpt.invalid']);
      const found = report.findings.find((item) => item.code === 'tlsrpt.invalid');
      assert.equal(found?.severity, 'warning');
      assert.match(found?.message ?? '', message);
    });
  }
});

const BIMI = 'v=BIMI1; l=https://example.com/logo.svg; a=https://example.com/vmc.pem';

describe('related checks: BIMI', () => {
  it('BIMI with p=none is a warning', async () => {
    const report = await related(txt('default._bimi.example.com', BIMI), {
      policy: 'none',
      pct: 100,
    });
    assert.deepEqual(report.bimi, {
      status: 'valid',
      name: 'default._bimi.example.com',
      record: BIMI,
      logo: 'https://example.com/logo.svg',
      authority: 'https://example.com/vmc.pem',
      dmarcEnforced: false,
    });
    assert.deepEqual(codes(report, 'bimi.'), ['bimi.dmarc_not_enforced']);
    const found = report.findings.find((item) => item.code === 'bimi.dmarc_not_enforced');
    assert.equal(found?.severity, 'warning');
    assert.match(found?.message ?? '', /p=none with pct=100/);
  });

  it('BIMI with p=reject is clean', async () => {
    const report = await related(txt('default._bimi.example.com', BIMI), {
      policy: 'reject',
      pct: 100,
    });
    assert.equal(report.bimi.status, 'valid');
    assert.equal(report.bimi.dmarcEnforced, true);
    assert.deepEqual(codes(report, 'bimi.'), []);
  });

  it('BIMI with pct below 100 is a warning', async () => {
    const report = await related(txt('default._bimi.example.com', BIMI), {
      policy: 'quarantine',
      pct: 50,
    });
    assert.equal(report.bimi.dmarcEnforced, false);
    assert.deepEqual(codes(report, 'bimi.'), ['bimi.dmarc_not_enforced']);
  });

  it('BIMI without DMARC is a warning', async () => {
    const report = await related(txt('default._bimi.example.com', BIMI), null);
    assert.deepEqual(codes(report, 'bimi.'), ['bimi.dmarc_not_enforced']);
    const found = report.findings.find((item) => item.code === 'bimi.dmarc_not_enforced');
    assert.match(found?.message ?? '', /the domain has no DMARC policy/);
  });

  it('DMARC not given is not checked', async () => {
    const report = await related(txt('default._bimi.example.com', BIMI));
    assert.equal(report.bimi.dmarcEnforced, null);
    assert.deepEqual(codes(report, 'bimi.'), []);
  });

  it('BIMI without a= is info', async () => {
    const record = 'v=BIMI1; l=https://example.com/logo.svg';
    const report = await related(txt('default._bimi.example.com', record), {
      policy: 'reject',
      pct: 100,
    });
    assert.equal(report.bimi.status, 'valid');
    assert.equal(report.bimi.authority, null);
    assert.deepEqual(codes(report, 'bimi.'), ['bimi.no_certificate']);
  });

  it('BIMI with http logo is invalid', async () => {
    const record = 'v=BIMI1; l=http://example.com/logo.svg';
    const report = await related(txt('default._bimi.example.com', record), {
      policy: 'reject',
      pct: 100,
    });
    assert.equal(report.bimi.status, 'invalid');
    assert.deepEqual(codes(report, 'bimi.'), ['bimi.invalid']);
  });

  it('BIMI declined', async () => {
    const report = await related(txt('default._bimi.example.com', 'v=BIMI1; l=; a=;'), {
      policy: 'none',
      pct: 100,
    });
    assert.equal(report.bimi.status, 'declined');
    assert.deepEqual(codes(report, 'bimi.'), []);
  });

  it('no BIMI record', async () => {
    const report = await related([], { policy: 'none', pct: 100 });
    assert.deepEqual(report.bimi, {
      status: 'none',
      name: 'default._bimi.example.com',
      record: null,
      logo: null,
      authority: null,
      dmarcEnforced: false,
    });
    assert.deepEqual(codes(report, 'bimi.'), []);
  });
});
