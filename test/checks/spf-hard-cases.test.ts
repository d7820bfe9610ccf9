import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSpf } from '../../server/checks/spf.js';
import type { SpfReport } from '../../server/checks/types.js';
import { withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';

function spfAt(name: string, ...strings: string[]): ZoneRecord {
  return { name, type: 'TXT', data: strings };
}

async function lint(records: ZoneRecord[], domain = 'example.com'): Promise<SpfReport> {
  return withZone(records, (resolver) => checkSpf(domain, resolver));
}

function codes(report: SpfReport): string[] {
  return report.findings.map((item) => item.code);
}

describe('SPF hard cases', () => {
  it('a and mx without records: two voids', async () => {
    const report = await lint([spfAt('example.com', 'v=spf1 a mx -all')]);
    assert.equal(report.lookups, 2);
    assert.equal(report.voidLookups, 2);
    assert.equal(report.status, 'valid');
    assert.ok(!codes(report).includes('spf.too_many_void_lookups'));
  });

  it('ten lookup terms with ptr: valid', async () => {
    const report = await lint([
      spfAt('example.com', 'v=spf1 a mx a mx a mx a mx a ptr ip4:192.0.2.4 -all'),
      { name: 'example.com', type: 'A', data: '192.0.2.1' },
      { name: 'example.com', type: 'MX', data: { priority: 10, exchange: 'mail.example.com' } },
      { name: 'mail.example.com', type: 'A', data: '192.0.2.2' },
    ]);
    assert.equal(report.lookups, 10);
    assert.equal(report.voidLookups, 0);
    assert.equal(report.status, 'valid');
    assert.ok(codes(report).includes('spf.ptr'));
    assert.ok(!codes(report).includes('spf.too_many_lookups'));
  });

  it('mx with eleven MX names: permerror', async () => {
    const mx: ZoneRecord[] = Array.from({ length: 11 }, (_, i) => ({
      name: 'example.com',
      type: 'MX',
      data: { priority: 10 + i, exchange: `mx${i}.example.com` },
    }));
    const report = await lint([spfAt('example.com', 'v=spf1 mx -all'), ...mx]);
    assert.equal(report.lookups, 1);
    assert.equal(report.status, 'permerror');
    assert.ok(codes(report).includes('spf.mx_too_many_records'));
  });

  it('include target with v=spfl: permerror', async () => {
    const report = await lint([
      spfAt('example.com', 'v=spf1 include:_spf.example.net -all'),
      spfAt('_spf.example.net', 'v=spfl ip4:192.0.2.1 -all'),
    ]);
    assert.equal(report.status, 'permerror');
    const missing = report.findings.find((item) => item.code === 'spf.include_without_spf');
    assert.ok(missing);
    assert.match(missing.message, /_spf\.example\.net/);
    assert.equal(report.voidLookups, 0);
  });

  it('redirect beside -all: dead redirect', async () => {
    const report = await lint([
      spfAt('example.com', 'v=spf1 redirect=_spf.example.net -all'),
      spfAt('_spf.example.net', 'v=spf1 ip4:192.0.2.0/24 -all'),
    ]);
    assert.equal(report.status, 'valid');
    assert.equal(report.lookups, 0);
    assert.equal(report.tree?.children.length, 0);
    const dead = report.findings.find((item) => item.code === 'spf.redirect_ignored');
    assert.ok(dead);
    assert.equal(dead.severity, 'warning');
    assert.match(dead.message, /-all/);
  });

  it('include loop: permerror with path', async () => {
    const report = await lint(
      [
        spfAt('a.example.com', 'v=spf1 include:b.example.com -all'),
        spfAt('b.example.com', 'v=spf1 include:a.example.com -all'),
      ],
      'a.example.com',
    );
    assert.equal(report.status, 'permerror');
    const loop = report.findings.find((item) => item.code === 'spf.include_loop');
    assert.ok(loop);
    assert.match(loop.message, /a\.example\.com -> b\.example\.com -> a\.example\.com/);
    const closing = report.tree?.children[0]?.children[0];
    assert.equal(closing?.domain, 'a.example.com');
    assert.equal(closing?.findings[0]?.code, 'spf.include_loop');
  });

  it('split strings join without space', async () => {
    const report = await lint([spfAt('example.com', 'v=spf1 ip4:198.51.10', '0.0/24 -all')]);
    assert.equal(report.record, 'v=spf1 ip4:198.51.100.0/24 -all');
    assert.equal(report.status, 'valid');
    assert.deepEqual(report.findings, []);
  });

  it('two SPF records: permerror and merge', async () => {
    const report = await lint([
      spfAt('example.com', 'v=spf1 include:_spf.google.com ~all'),
      spfAt('example.com', 'v=spf1 include:spf.mandrillapp.com -all'),
      spfAt('example.com', 'google-site-verification=abc'),
    ]);
    assert.equal(report.status, 'permerror');
    const multiple = report.findings.find((item) => item.code === 'spf.multiple_records');
    assert.ok(multiple);
    assert.equal(
      multiple.fix,
      'Replace them with one record: TXT example.com "v=spf1 include:_spf.google.com include:spf.mandrillapp.com ~all"',
    );
  });

  it('ipv4 mechanism: permerror, suggests ip4', async () => {
    const report = await lint([spfAt('example.com', 'v=spf1 ipv4:192.0.2.0/24 -all')]);
    assert.equal(report.status, 'permerror');
    const unknown = report.findings.find((item) => item.code === 'spf.unknown_mechanism');
    assert.ok(unknown);
    assert.match(unknown.message, /"ip4:"/);
    assert.equal(unknown.fix, 'TXT example.com "v=spf1 ip4:192.0.2.0/24 -all"');
  });
});

describe('SPF linter', () => {
  it('no record: none', async () => {
    const report = await lint([spfAt('example.com', 'google-site-verification=abc')]);
    assert.equal(report.status, 'none');
    assert.equal(report.tree, null);
    assert.ok(codes(report).includes('spf.missing'));
  });

  it('three voids: permerror', async () => {
    const report = await lint([spfAt('example.com', 'v=spf1 a mx include:gone.example.net -all')]);
    assert.equal(report.voidLookups, 3);
    assert.equal(report.status, 'permerror');
    assert.ok(codes(report).includes('spf.too_many_void_lookups'));
    assert.ok(codes(report).includes('spf.include_without_spf'));
  });

  it('+all and ?all: warnings', async () => {
    const pass = await lint([spfAt('example.com', 'v=spf1 +all')]);
    const neutral = await lint([spfAt('example.com', 'v=spf1 ?all')]);
    assert.ok(codes(pass).includes('spf.pass_all'));
    assert.ok(codes(neutral).includes('spf.neutral_all'));
  });

  it('redirect without all: followed', async () => {
    const report = await lint([
      spfAt('example.com', 'v=spf1 redirect=_spf.example.net'),
      spfAt('_spf.example.net', 'v=spf1 include:spf.mandrillapp.com -all'),
      spfAt('spf.mandrillapp.com', 'v=spf1 ip4:198.2.128.0/24 ~all'),
    ]);
    assert.equal(report.lookups, 2);
    assert.equal(report.tree?.children[0]?.via, 'redirect');
    assert.deepEqual(report.includes, ['spf.mandrillapp.com']);
  });

  it('invalid ip4 network: permerror', async () => {
    const report = await lint([spfAt('example.com', 'v=spf1 ip4:192.0.2.300 -all')]);
    assert.equal(report.status, 'permerror');
    assert.ok(codes(report).includes('spf.invalid_term'));
  });

  it('v=spfl at the domain itself: malformed version with the fix', async () => {
    const report = await lint([spfAt('example.com', 'v=spfl ip4:192.0.2.1 -all')]);
    assert.equal(report.record, null);
    assert.ok(codes(report).includes('spf.missing'));
    const malformed = report.findings.find((item) => item.code === 'spf.malformed_version');
    assert.ok(malformed, codes(report).join(', '));
    assert.equal(
      malformed.fix,
      'Correct the start of the record: TXT example.com "v=spf1 ip4:192.0.2.1 -all"',
    );
  });

  it('Sender ID and unrelated TXT records are not taken for SPF', async () => {
    const report = await lint([
      spfAt('example.com', 'spf2.0/pra ip4:192.0.2.1 -all'),
      spfAt('example.com', 'google-site-verification=abc'),
    ]);
    assert.ok(!codes(report).includes('spf.malformed_version'));
  });

  it('exists, a and mx with macros: counted and noted', async () => {
    const report = await lint([
      spfAt('example.com', 'v=spf1 exists:%{i}._spf.example.com a:%{d}.example.net mx:%{h} -all'),
    ]);
    assert.equal(report.lookups, 3);
    assert.equal(report.status, 'valid');
    const noted = report.findings.filter((item) => item.code === 'spf.macro_not_expanded');
    assert.deepEqual(
      noted.map((item) => item.position),
      [1, 2, 3],
    );
  });
});
