import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDmarc } from '../../server/checks/dmarc.js';
import type { DmarcReport } from '../../server/checks/types.js';
import { withZone } from '../support/dns-server.js';

/** Serves `record` at `_dmarc.example.com` and checks example.com. */
async function dmarcWith(record: string): Promise<DmarcReport> {
  return withZone([{ name: '_dmarc.example.com', type: 'TXT', data: [record] }], (resolver) =>
    checkDmarc('example.com', resolver),
  );
}

function codes(report: DmarcReport): string[] {
  return report.findings.map((item) => item.code);
}

interface TagCase {
  title: string;
  record: string;
  codes: string[];
  status?: DmarcReport['status'];
  check?: (report: DmarcReport) => void;
}

const CASES: TagCase[] = [
  {
    title: 'fo outside 0, 1, d, s',
    record: 'v=DMARC1; p=reject; fo=2; ruf=mailto:f@example.com',
    codes: ['dmarc.invalid_fo'],
    check: (report) => assert.deepEqual(report.failureOptions, ['0']),
  },
  {
    title: 'fo with a comma',
    record: 'v=DMARC1; p=reject; fo=1,d; ruf=mailto:f@example.com',
    codes: ['dmarc.invalid_fo'],
  },
  {
    title: 'fo colon list',
    record: 'v=DMARC1; p=reject; fo=1:d:s; ruf=mailto:f@example.com',
    codes: [],
    check: (report) => assert.deepEqual(report.failureOptions, ['1', 'd', 's']),
  },
  {
    title: 'fo without ruf',
    record: 'v=DMARC1; p=reject; fo=1',
    codes: ['dmarc.fo_without_ruf'],
  },
  {
    title: 'rua with a size limit',
    record: 'v=DMARC1; p=reject; rua=mailto:a@example.com!10m',
    codes: [],
    check: (report) => assert.deepEqual(report.rua, ['mailto:a@example.com!10m']),
  },
  {
    title: 'rua with a bad size unit',
    record: 'v=DMARC1; p=reject; rua=mailto:a@example.com!10x',
    codes: ['dmarc.invalid_report_uri'],
  },
  {
    title: 'rua without an address',
    record: 'v=DMARC1; p=reject; rua=mailto:reports',
    codes: ['dmarc.invalid_report_uri'],
  },
  {
    title: 'rua without a scheme',
    record: 'v=DMARC1; p=reject; rua=reports@example.com',
    codes: ['dmarc.invalid_report_uri'],
  },
  {
    title: 'empty rua',
    record: 'v=DMARC1; p=reject; rua=',
    codes: ['dmarc.invalid_report_uri'],
  },
  {
    title: 'rua with an https URI',
    record: 'v=DMARC1; p=reject; rua=https://example.com/dmarc',
    codes: ['dmarc.unsupported_report_uri'],
  },
  {
    title: 'ruf without an address',
    record: 'v=DMARC1; p=reject; ruf=mailto:@example.com',
    codes: ['dmarc.invalid_report_uri'],
  },
  {
    title: 'pct above 100',
    record: 'v=DMARC1; p=reject; pct=101',
    codes: ['dmarc.invalid_pct'],
    check: (report) => assert.equal(report.pct, 100),
  },
  {
    title: 'negative pct',
    record: 'v=DMARC1; p=reject; pct=-1',
    codes: ['dmarc.invalid_pct'],
    check: (report) => assert.equal(report.pct, 100),
  },
  {
    title: 'fractional pct',
    record: 'v=DMARC1; p=reject; pct=5.5',
    codes: ['dmarc.invalid_pct'],
  },
  {
    title: 'ri in seconds',
    record: 'v=DMARC1; p=reject; ri=3600',
    codes: [],
    check: (report) => assert.equal(report.reportInterval, 3600),
  },
  {
    title: 'ri with a unit',
    record: 'v=DMARC1; p=reject; ri=1h',
    codes: ['dmarc.invalid_ri'],
    check: (report) => assert.equal(report.reportInterval, 86400),
  },
  {
    title: 'ri past 32 bits',
    record: 'v=DMARC1; p=reject; ri=4294967296',
    codes: ['dmarc.invalid_ri'],
  },
  {
    title: 't=y test mode',
    record: 'v=DMARC1; p=reject; t=y',
    codes: ['dmarc.testing_mode'],
    check: (report) => assert.equal(report.testing, true),
  },
  {
    title: 't=n',
    record: 'v=DMARC1; p=reject; t=n',
    codes: [],
    check: (report) => assert.equal(report.testing, false),
  },
  {
    title: 't outside y and n',
    record: 'v=DMARC1; p=reject; t=yes',
    codes: ['dmarc.invalid_t'],
    check: (report) => assert.equal(report.testing, false),
  },
  {
    title: 'np from DMARCbis',
    record: 'v=DMARC1; p=none; sp=none; np=reject',
    codes: ['dmarc.np_dmarcbis', 'dmarc.policy_none'],
    check: (report) => assert.equal(report.nonexistentPolicy, 'reject'),
  },
  {
    title: 'invalid np',
    record: 'v=DMARC1; p=reject; np=drop',
    codes: ['dmarc.invalid_np'],
    check: (report) => assert.equal(report.nonexistentPolicy, null),
  },
  {
    title: 'invalid adkim',
    record: 'v=DMARC1; p=reject; adkim=strict',
    codes: ['dmarc.invalid_alignment'],
    check: (report) => assert.equal(report.adkim, 'r'),
  },
  {
    title: 'invalid aspf',
    record: 'v=DMARC1; p=reject; aspf=x',
    codes: ['dmarc.invalid_alignment'],
  },
  {
    title: 'rf other than afrf',
    record: 'v=DMARC1; p=reject; rf=iodef',
    codes: ['dmarc.invalid_rf'],
  },
  {
    title: 'psd outside y, n, u',
    record: 'v=DMARC1; p=reject; psd=maybe',
    codes: ['dmarc.invalid_psd'],
  },
  {
    title: 'unknown tag',
    record: 'v=DMARC1; p=reject; policy=reject',
    codes: ['dmarc.unknown_tag'],
  },
  {
    title: 'duplicate p: first wins',
    record: 'v=DMARC1; p=reject; p=none',
    codes: ['dmarc.duplicate_tag'],
    check: (report) => assert.equal(report.policy, 'reject'),
  },
  {
    title: 'part without =',
    record: 'v=DMARC1; p=reject; quarantine',
    codes: ['dmarc.invalid_tag_syntax'],
  },
  {
    title: 'invalid sp without rua',
    record: 'v=DMARC1; p=reject; sp=block',
    codes: ['dmarc.invalid_policy'],
    status: 'permerror',
  },
  {
    title: 'v not first',
    record: 'p=reject; v=DMARC1',
    codes: ['dmarc.version_not_first', 'dmarc.missing'],
    status: 'none',
  },
  {
    title: 'every tag valid',
    record:
      'v=DMARC1; p=quarantine; sp=reject; np=reject; adkim=s; aspf=r; pct=50; fo=0:1; ri=3600; rf=afrf; t=n; psd=n; rua=mailto:a@example.com; ruf=mailto:f@example.com!1k',
    codes: ['dmarc.partial_pct', 'dmarc.np_dmarcbis'],
    check: (report) => {
      assert.equal(report.policy, 'quarantine');
      assert.equal(report.subdomainPolicy, 'reject');
      assert.deepEqual(report.ruf, ['mailto:f@example.com!1k']);
      assert.deepEqual(report.failureOptions, ['0', '1']);
      assert.deepEqual(report.externalReports, []);
    },
  },
];

describe('DMARC tag validation', () => {
  for (const item of CASES) {
    it(item.title, async () => {
      const report = await dmarcWith(item.record);
      assert.deepEqual(codes(report), item.codes);
      assert.equal(report.status, item.status ?? 'valid');
      item.check?.(report);
    });
  }

  it('invalid fo names the value and the fix', async () => {
    const report = await dmarcWith('v=DMARC1; p=reject; fo=2');
    const item = report.findings.find((entry) => entry.code === 'dmarc.invalid_fo');
    assert.equal(item?.severity, 'warning');
    assert.match(item?.message ?? '', /"fo=2"/);
    assert.equal(
      item?.fix,
      'Write fo=1 to ask for a failure report when any check fails, or leave fo out.',
    );
  });

  it('invalid rua names the entry', async () => {
    const report = await dmarcWith('v=DMARC1; p=reject; rua=mailto:a@example.com, mailto:x');
    const item = report.findings.find((entry) => entry.code === 'dmarc.invalid_report_uri');
    assert.equal(item?.severity, 'warning');
    assert.match(item?.message ?? '', /"rua=mailto:x"/);
    assert.deepEqual(report.rua, ['mailto:a@example.com', 'mailto:x']);
  });

  it('unknown tag names the tag', async () => {
    const report = await dmarcWith('v=DMARC1; p=reject; pcts=50');
    assert.equal(report.findings[0]?.severity, 'warning');
    assert.match(report.findings[0]?.message ?? '', /"pcts="/);
  });

  it('v not first is an error', async () => {
    const report = await dmarcWith('p=reject; v=DMARC1');
    assert.equal(report.findings[0]?.severity, 'error');
    assert.equal(
      report.findings[0]?.fix,
      'Start the record with "v=DMARC1;", as in "v=DMARC1; p=none".',
    );
  });
});
