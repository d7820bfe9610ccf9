import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dns2 from 'dns2';
import { checkSpf } from '../../server/checks/spf.js';
import { lintPublishing } from '../../server/checks/spf-publish.js';
import { fetchSpf } from '../../server/checks/spf-tree.js';
import type { Finding, SpfReport } from '../../server/checks/types.js';
import { createResolver } from '../../server/dns/resolver.js';
import type { Resolver } from '../../server/dns/types.js';
import { startDnsServer, withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';

function txt(name: string, ...strings: string[]): ZoneRecord {
  return { name, type: 'TXT', data: strings };
}

async function lint(records: ZoneRecord[], domain = 'example.com'): Promise<SpfReport> {
  return withZone(records, (resolver) => checkSpf(domain, resolver));
}

function only(report: SpfReport, code: string): Finding {
  const found = report.findings.filter((item) => item.code === code);
  assert.equal(found.length, 1, `one ${code} in ${JSON.stringify(report.findings)}`);
  return found[0] as Finding;
}

function codes(report: SpfReport): string[] {
  return report.findings.map((item) => item.code);
}

describe('SPF tree: running lookups', () => {
  it('lookup limit crossed in an include', async () => {
    const report = await lint([
      txt('example.com', 'v=spf1 a mx include:big.example.net -all'),
      { name: 'example.com', type: 'A', data: '192.0.2.1' },
      { name: 'example.com', type: 'MX', data: { priority: 10, exchange: 'example.com' } },
      txt(
        'big.example.net',
        `v=spf1 ${Array.from({ length: 9 }, (_, i) => `a:h${i}.example.net`).join(' ')} -all`,
      ),
      ...Array.from({ length: 9 }, (_, i): ZoneRecord => ({
        name: `h${i}.example.net`,
        type: 'A',
        data: `198.51.100.${i}`,
      })),
    ]);
    const top = report.tree;
    const big = top?.children[0];
    assert.equal(report.lookups, 12);
    assert.equal(report.status, 'permerror');
    assert.equal(top?.lookups, 3);
    assert.equal(top?.runningLookups, 12);
    assert.equal(top?.limitCrossed, undefined);
    assert.equal(big?.lookups, 9);
    assert.equal(big?.runningLookups, 12);
    assert.equal(big?.limitCrossed, 'lookups');
    assert.equal(big?.position, 3);
    const tooMany = only(report, 'spf.too_many_lookups');
    assert.match(
      tooMany.message,
      /"a:h7\.example\.net", term 8 of the record of big\.example\.net/,
    );
  });

  it('running totals in walk order', async () => {
    const report = await lint([
      txt('example.com', 'v=spf1 include:one.example.net include:two.example.net -all'),
      txt('one.example.net', 'v=spf1 ip4:192.0.2.1 -all'),
      txt('two.example.net', 'v=spf1 include:three.example.net -all'),
      txt('three.example.net', 'v=spf1 ip4:192.0.2.3 -all'),
    ]);
    const [one, two] = report.tree?.children ?? [];
    assert.equal(one?.runningLookups, 1);
    assert.equal(two?.runningLookups, 3);
    assert.equal(two?.children[0]?.runningLookups, 3);
    assert.equal(report.tree?.runningLookups, 3);
    assert.equal(report.tree?.limitCrossed, undefined);
  });

  it('void limit crossed in an include', async () => {
    const report = await lint([
      txt('example.com', 'v=spf1 a:n1.example.com a:n2.example.com include:x.example.net -all'),
      txt('x.example.net', 'v=spf1 a:n3.example.com -all'),
    ]);
    const child = report.tree?.children[0];
    assert.equal(report.status, 'permerror');
    assert.equal(report.tree?.runningVoidLookups, 3);
    assert.equal(report.tree?.limitCrossed, undefined);
    assert.equal(child?.limitCrossed, 'void');
    assert.equal(child?.runningVoidLookups, 3);
    const tooMany = only(report, 'spf.too_many_void_lookups');
    assert.match(tooMany.message, /"a:n3\.example\.com", term 1 of the record of x\.example\.net/);
  });
});

describe('SPF findings: positions', () => {
  it('unknown mechanism at term 2', async () => {
    const report = await lint([txt('example.com', 'v=spf1 mx ipv4:192.0.2.0/24 -all')]);
    assert.equal(only(report, 'spf.unknown_mechanism').position, 2);
  });

  it('invalid term at term 3', async () => {
    const report = await lint([
      txt('example.com', 'v=spf1 ip4:192.0.2.1 ip4:10.0.0.0/24 a:example.123 -all'),
    ]);
    assert.equal(only(report, 'spf.invalid_term').position, 3);
  });

  it('include target without record', async () => {
    const report = await lint([
      txt('example.com', 'v=spf1 ip4:192.0.2.1 include:gone.example.net -all'),
    ]);
    const missing = only(report, 'spf.include_without_spf');
    assert.equal(missing.position, 2);
    assert.equal(missing.severity, 'error');
  });

  it('include target with two records', async () => {
    const report = await lint([
      txt('example.com', 'v=spf1 include:two.example.net -all'),
      txt('two.example.net', 'v=spf1 ip4:192.0.2.1 -all'),
      txt('two.example.net', 'v=spf1 ip4:192.0.2.2 -all'),
    ]);
    assert.equal(report.status, 'permerror');
    assert.equal(only(report, 'spf.multiple_records').position, 1);
  });

  it('loop closes at term 2', async () => {
    const report = await lint(
      [
        txt('a.example.com', 'v=spf1 include:b.example.com -all'),
        txt('b.example.com', 'v=spf1 ip4:192.0.2.1 include:a.example.com -all'),
      ],
      'a.example.com',
    );
    assert.equal(only(report, 'spf.include_loop').position, 2);
    assert.equal(report.tree?.children[0]?.children[0]?.via, 'include');
  });

  it('dead redirect and terms after all', async () => {
    const report = await lint([txt('example.com', 'v=spf1 -all mx redirect=_spf.example.net')]);
    assert.equal(only(report, 'spf.redirect_ignored').position, 3);
    assert.equal(only(report, 'spf.terms_after_all').position, 2);
    assert.equal(report.lookups, 0);
  });

  it('ptr, +all and ?all', async () => {
    const ptr = await lint([txt('example.com', 'v=spf1 ip4:192.0.2.1 ptr -all')]);
    assert.equal(only(ptr, 'spf.ptr').position, 2);
    const pass = await lint([txt('example.com', 'v=spf1 mx +all')]);
    assert.equal(only(pass, 'spf.pass_all').position, 2);
    const neutral = await lint([txt('example.com', 'v=spf1 ?all')]);
    assert.equal(only(neutral, 'spf.neutral_all').position, 1);
  });

  it('duplicate redirect at its second copy', async () => {
    const report = await lint([
      txt('example.com', 'v=spf1 redirect=a.example.net ip4:192.0.2.1 redirect=b.example.net'),
    ]);
    assert.equal(only(report, 'spf.duplicate_modifier').position, 3);
  });
});

describe('SPF findings: permissive and incomplete', () => {
  it('ip4:0.0.0.0/0 allows everyone', async () => {
    const report = await lint([txt('example.com', 'v=spf1 ip4:0.0.0.0/0 -all')]);
    const everyone = only(report, 'spf.allows_everyone');
    assert.equal(everyone.severity, 'error');
    assert.equal(everyone.position, 1);
    assert.equal(report.status, 'valid');
  });

  it('ip6:::/0 allows everyone', async () => {
    const report = await lint([txt('example.com', 'v=spf1 mx +ip6:::/0 ~all')]);
    assert.equal(only(report, 'spf.allows_everyone').position, 2);
  });

  it('-ip4:0.0.0.0/0 is not flagged', async () => {
    const report = await lint([txt('example.com', 'v=spf1 ip4:192.0.2.1 -ip4:0.0.0.0/0')]);
    // The term fails every IPv4 client but no IPv6 one, so the missing "all" still matters.
    assert.deepEqual(codes(report), ['spf.missing_all']);
  });

  it('no all and no redirect', async () => {
    const report = await lint([txt('example.com', 'v=spf1 ip4:192.0.2.1')]);
    const missing = only(report, 'spf.missing_all');
    assert.equal(missing.severity, 'warning');
    assert.equal(missing.position, undefined);
  });

  it('include target without all: no warning', async () => {
    const report = await lint([
      txt('example.com', 'v=spf1 include:_spf.example.net -all'),
      txt('_spf.example.net', 'v=spf1 ip4:192.0.2.1'),
    ]);
    assert.deepEqual(codes(report), []);
  });

  it('redirect target without all: warning', async () => {
    const report = await lint([
      txt('example.com', 'v=spf1 redirect=_spf.example.net'),
      txt('_spf.example.net', 'v=spf1 ip4:192.0.2.1'),
    ]);
    assert.deepEqual(codes(report), ['spf.missing_all']);
    assert.match(only(report, 'spf.missing_all').message, /^_spf\.example\.net:/);
  });
});

describe('SPF publishing limits', () => {
  const longRecord = `v=spf1 ${Array.from({ length: 30 }, (_, i) => `ip4:198.51.100.${i}`).join(' ')} -all`;

  it('record over 450 bytes: warning', async () => {
    assert.ok(longRecord.length > 450);
    const report = await lint([txt('example.com', longRecord)]);
    assert.equal(report.record, longRecord);
    assert.equal(report.status, 'valid');
    assert.deepEqual(codes(report), ['spf.record_too_long']);
    assert.equal(only(report, 'spf.record_too_long').severity, 'warning');
  });

  it('string over 255 bytes: split fix', () => {
    const record = `v=spf1 ${Array.from({ length: 20 }, (_, i) => `ip4:198.51.100.${i}`).join(' ')} -all`;
    const findings = lintPublishing([record], 'example.com');
    assert.deepEqual(
      findings.map((item) => item.code),
      ['spf.string_too_long'],
    );
    const fix = findings[0]?.fix ?? '';
    const strings = [...fix.matchAll(/"([^"]*)"/g)].map((match) => match[1] ?? '');
    assert.equal(strings.join(''), record);
    assert.ok(strings.length >= 2);
    assert.ok(strings.every((text) => text.length <= 255));
  });

  it('fetched string over 255 bytes', async () => {
    // A resolver fed from a zone file rather than DNS: the wire format cannot carry a string
    // over 255 bytes, so the loopback DNS server cannot produce this answer.
    const record = `v=spf1 ${'ip4:198.51.100.1 '.repeat(16)}-all`;
    const zoneFile: Resolver = async (name, type) => {
      if (name === 'example.com' && type === 'TXT') {
        return [[record]];
      }
      throw Object.assign(new Error(`queryTxt ENODATA ${name}`), { code: 'ENODATA' });
    };
    const report = await checkSpf('example.com', zoneFile);
    assert.deepEqual(codes(report), ['spf.string_too_long']);
  });

  it('split strings of a fetched record are kept', async () => {
    const fetched = await withZone(
      [txt('example.com', 'v=spf1 ip4:198.51.10', '0.0/24 -all')],
      (resolver) => fetchSpf(resolver, 'example.com'),
    );
    assert.deepEqual(fetched.strings, [['v=spf1 ip4:198.51.10', '0.0/24 -all']]);
  });
});

describe('SPF type 99 and CNAMEs', () => {
  const records = [
    txt('example.com', 'v=spf1 include:alias.example.com -all'),
    { name: 'example.com', type: 'TYPE99', data: ['v=spf1 -all'] } satisfies ZoneRecord,
    { name: 'alias.example.com', type: 'CNAME', data: 'spf.example.net' } satisfies ZoneRecord,
    txt('spf.example.net', 'v=spf1 ip4:192.0.2.1 -all'),
  ];

  it('include through a CNAME is followed', async () => {
    const report = await lint(records);
    assert.equal(report.status, 'valid');
    assert.equal(report.tree?.children[0]?.record, 'v=spf1 ip4:192.0.2.1 -all');
    assert.deepEqual(codes(report), []);
  });

  it('type 99 with a resolver that knows it', async () => {
    const server = await startDnsServer(records);
    try {
      // node:dns cannot query type 99, so SPF queries go through dns2's client to the same
      // loopback server; every other query uses the project's resolver.
      const base = createResolver({ servers: [server.address], timeoutMs: 2000, tries: 2 });
      const query = dns2.UDPClient({ dns: '127.0.0.1', port: server.port });
      const resolver: Resolver = async (name, type) => {
        if (type !== 'SPF') {
          return base(name, type);
        }
        const response = await query(name, 'SPF');
        const answers = response.answers.filter((answer) => answer.type === 99);
        if (answers.length === 0) {
          throw Object.assign(new Error(`ENODATA ${name}`), { code: 'ENODATA' });
        }
        return answers.map((answer) => (answer as unknown as { data: string[] }).data);
      };
      const report = await checkSpf('example.com', resolver);
      const type99 = only(report, 'spf.type99_present');
      assert.equal(type99.severity, 'warning');
      assert.equal(report.status, 'valid');
    } finally {
      await server.close();
    }
  });

  it('type 99 skipped by node:dns', async () => {
    const report = await lint(records);
    assert.ok(!codes(report).includes('spf.type99_present'));
  });
});
