import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDomain, formatDomainCheck } from '../../server/checks/index.js';
import type { CheckOptions, DomainCheck, MethodVerdict } from '../../server/checks/types.js';
import { withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';
import { platformZone, rsaPublicKeyBase64, TEST_PLATFORM } from '../support/zones.js';

const KEY = rsaPublicKeyBase64(2048);

const PROVIDERS: ZoneRecord[] = [
  { name: '_spf.google.com', type: 'TXT', data: ['v=spf1 ip4:64.233.160.0/19 ~all'] },
  { name: 'spf.mandrillapp.com', type: 'TXT', data: ['v=spf1 ip4:198.2.128.0/24 ~all'] },
  { name: 'dkim1.mandrillapp.com', type: 'TXT', data: [`v=DKIM1; k=rsa; p=${KEY}`] },
  { name: 'dkim2.mandrillapp.com', type: 'TXT', data: [`v=DKIM1; k=rsa; p=${KEY}`] },
];

function customer(spf: string, dmarc: string | null, extra: ZoneRecord[] = []): ZoneRecord[] {
  const records: ZoneRecord[] = [{ name: 'example.com', type: 'TXT', data: [spf] }, ...extra];
  if (dmarc) {
    records.push({ name: '_dmarc.example.com', type: 'TXT', data: [dmarc] });
  }
  return [...records, ...PROVIDERS, ...platformZone()];
}

async function check(
  records: ZoneRecord[],
  options: Partial<CheckOptions> = {},
): Promise<DomainCheck> {
  return withZone(records, (resolver) =>
    checkDomain('example.com', {
      resolver,
      platform: TEST_PLATFORM,
      now: () => new Date('2026-01-02T03:04:05Z'),
      ...options,
    }),
  );
}

const MANDRILL_CNAMES: ZoneRecord[] = [
  { name: 'mte1._domainkey.example.com', type: 'CNAME', data: 'dkim1.mandrillapp.com' },
  { name: 'mte2._domainkey.example.com', type: 'CNAME', data: 'dkim2.mandrillapp.com' },
];
const GOOGLE_KEY: ZoneRecord = {
  name: 'google._domainkey.example.com',
  type: 'TXT',
  data: [`v=DKIM1; k=rsa; p=${KEY}`],
};

/** Lists the records a verdict asks to publish, of one type, as `name value`. */
function published(verdict: MethodVerdict, type: string): string[] {
  return (verdict.records ?? []).filter((r) => r.type === type).map((r) => `${r.name} ${r.value}`);
}

describe('method verdicts', () => {
  it('domain that does not exist asks for its spelling', async () => {
    const result = await check([...PROVIDERS, ...platformZone()]);
    assert.equal(result.missing?.code, 'domain.nxdomain');
    assert.deepEqual(
      result.spf.findings.filter((found) => found.fix !== undefined),
      [],
      'no SPF record is offered for a name that does not exist',
    );
    assert.match(
      formatDomainCheck(result),
      /^Domain example\.com .*\n\nWARNING: example\.com does not exist in DNS/,
    );
    for (const verdict of Object.values(result.methods)) {
      assert.deepEqual(verdict.records, []);
      assert.equal(verdict.fixes.length, 1);
      assert.match(verdict.fixes[0] ?? '', /^example\.com does not exist in DNS \(NXDOMAIN\)/);
      assert.match(verdict.fixes[0] ?? '', /Check the spelling of example\.com/);
    }
  });

  it('fully set up domain delivers', async () => {
    const result = await check(
      customer(
        'v=spf1 include:_spf.google.com include:spf.mandrillapp.com ~all',
        'v=DMARC1; p=reject',
        [...MANDRILL_CNAMES, GOOGLE_KEY],
      ),
      { smtpHost: 'smtp.gmail.com' },
    );
    assert.deepEqual(Object.keys(result).sort(), [
      'checkedAt',
      'dkim',
      'dmarc',
      'domain',
      'methods',
      'related',
      'spf',
    ]);
    assert.equal(result.checkedAt, '2026-01-02T03:04:05.000Z');
    assert.equal(result.methods.smtp.outcome, 'deliver');
    assert.equal(result.methods.smtp.spf.result, 'pass');
    assert.equal(result.methods.smtp.dkim.aligned, true);
    assert.equal(result.methods.mandrill.outcome, 'deliver');
    assert.equal(result.methods.mandrill.identities.dkimSelector, 'mte1');
    assert.equal(result.methods.mandrill.identities.envelopeFrom, 'mandrillapp.com');
    assert.deepEqual(result.methods.mandrill.fixes, []);
  });

  it('default is at risk at best', async () => {
    const result = await check(customer('v=spf1 -all', 'v=DMARC1; p=reject'));
    const verdict = result.methods.default;
    assert.equal(verdict.dmarc.result, 'pass');
    assert.equal(verdict.outcome, 'at_risk');
    assert.equal(verdict.spf.result, 'pass');
    assert.equal(verdict.dkim.domain, 'mail.platform.example');
    assert.equal(verdict.identities.headerFrom, 'notifications@mail.platform.example');
    assert.ok(verdict.reasons.some((reason) => /many different customers/.test(reason)));
    assert.ok(verdict.reasons.some((reason) => /p=reject/.test(reason)));
  });

  it('default relay IP not in SPF', async () => {
    const result = await check(customer('v=spf1 -all', null), {
      platform: { ...TEST_PLATFORM, relayIps: ['203.0.113.99'] },
    });
    assert.equal(result.methods.default.spf.result, 'fail');
    assert.equal(result.methods.default.dmarc.result, 'pass');
    assert.ok(result.methods.default.fixes.some((fix) => fix.includes('203.0.113.99')));
  });

  it('mandrill without DKIM under quarantine', async () => {
    const result = await check(
      customer('v=spf1 include:_spf.google.com ~all', 'v=DMARC1; p=quarantine'),
    );
    const verdict = result.methods.mandrill;
    assert.equal(verdict.dkim.result, 'none');
    assert.equal(verdict.dmarc.result, 'fail');
    assert.equal(verdict.outcome, 'quarantine');
    assert.deepEqual(published(verdict, 'CNAME'), [
      'mte1._domainkey.example.com dkim1.mandrillapp.com',
      'mte2._domainkey.example.com dkim2.mandrillapp.com',
    ]);
    assert.deepEqual(published(verdict, 'TXT'), [
      'example.com v=spf1 include:_spf.google.com include:spf.mandrillapp.com ~all',
    ]);
    // Each record shows once: as a record to publish, not again as a fix sentence.
    assert.ok(!verdict.fixes.some((fix) => /^(TXT|CNAME) /.test(fix)), verdict.fixes.join('\n'));
  });

  it("Mandrill's CNAMEs in place but its keys unanswered: nothing to republish", async () => {
    const zone = customer('v=spf1 include:spf.mandrillapp.com ~all', 'v=DMARC1; p=none', [
      ...MANDRILL_CNAMES,
    ]).filter((record) => !record.name.startsWith('dkim'));
    const result = await check(zone);
    const verdict = result.methods.mandrill;
    assert.equal(verdict.dkim.result, 'none');
    assert.deepEqual(published(verdict, 'CNAME'), []);
    assert.ok(!verdict.fixes.some((fix) => fix.startsWith('CNAME')), verdict.fixes.join('\n'));
    assert.ok(
      verdict.reasons.some((r) =>
        r.includes('mte1._domainkey.example.com is a CNAME to dkim1.mandrillapp.com'),
      ),
      verdict.reasons.join('\n'),
    );
  });

  it("the platform's selector is not listed among the customer's keys", async () => {
    const result = await check(customer('v=spf1 ~all', 'v=DMARC1; p=none'));
    assert.ok(result.dkim.selectors.length > 0);
    assert.ok(result.dkim.selectors.every((s) => s.name.endsWith('._domainkey.example.com')));
    // The default verdict still reads the platform's key.
    assert.equal(result.methods.default.dkim.result, 'pass');
  });

  it('no DMARC record is at risk', async () => {
    const result = await check(
      customer('v=spf1 include:spf.mandrillapp.com ~all', null, MANDRILL_CNAMES),
    );
    assert.equal(result.methods.mandrill.dmarc.result, 'none');
    assert.equal(result.methods.mandrill.outcome, 'at_risk');
    assert.deepEqual(published(result.methods.mandrill, 'TXT'), [
      '_dmarc.example.com v=DMARC1; p=none; rua=mailto:dmarc-reports@example.com',
    ]);
  });

  it('null MX: starter DMARC without rua', async () => {
    const result = await check(
      customer('v=spf1 include:spf.mandrillapp.com ~all', null, [
        ...MANDRILL_CNAMES,
        { name: 'example.com', type: 'MX', data: { priority: 0, exchange: '.' } },
      ]),
    );
    const starter = result.methods.mandrill.records?.find((r) => r.name === '_dmarc.example.com');
    assert.equal(starter?.value, 'v=DMARC1; p=none');
    assert.match(starter?.note ?? '', /null MX/);
  });

  it('p=none failure is at risk', async () => {
    const result = await check(customer('v=spf1 -all', 'v=DMARC1; p=none'), {
      smtpHost: 'smtp.office365.com',
    });
    assert.equal(result.methods.smtp.spf.result, 'fail');
    assert.equal(result.methods.smtp.dmarc.result, 'fail');
    assert.equal(result.methods.smtp.outcome, 'at_risk');
    assert.ok(
      published(result.methods.smtp, 'TXT').includes(
        'example.com v=spf1 include:spf.protection.outlook.com -all',
      ),
    );
  });

  it('smtp host resolved and evaluated', async () => {
    const result = await check(
      customer('v=spf1 ip4:192.0.2.50 -all', 'v=DMARC1; p=reject', [
        { name: 'mail.example.com', type: 'A', data: '192.0.2.50' },
      ]),
      { smtpHost: 'mail.example.com' },
    );
    const verdict = result.methods.smtp;
    assert.deepEqual(verdict.identities.sendingIps, ['192.0.2.50']);
    assert.equal(verdict.spf.result, 'pass');
    assert.equal(verdict.outcome, 'deliver');
  });

  it('a listed sending IP puts a passing method at risk', async () => {
    // A made-up blocklist zone, served by the loopback DNS server.
    const zone = 'bl.dnsbl-test.example';
    const result = await check(
      customer('v=spf1 ip4:192.0.2.50 -all', 'v=DMARC1; p=reject', [
        { name: 'mail.example.com', type: 'A', data: '192.0.2.50' },
        { name: `50.2.0.192.${zone}`, type: 'A', data: '127.0.0.2' },
      ]),
      { smtpHost: 'mail.example.com', related: { dnsblZones: [zone] } },
    );
    const verdict = result.methods.smtp;
    assert.equal(verdict.spf.result, 'pass');
    assert.equal(verdict.outcome, 'at_risk');
    assert.ok(verdict.reasons.some((r) => r.includes(`192.0.2.50 is listed on ${zone}`)));
    assert.ok(verdict.fixes.some((f) => f.includes('request delisting')));
    // The platform relay is not listed, so the default method keeps its outcome.
    assert.ok(!result.methods.default.reasons.some((r) => r.includes('listed on')));
  });

  it('smtp host not listed in SPF', async () => {
    const result = await check(
      customer('v=spf1 ip4:192.0.2.50 -all', 'v=DMARC1; p=reject', [
        { name: 'relay.example.net', type: 'A', data: '198.51.100.7' },
      ]),
      { smtpHost: 'relay.example.net' },
    );
    assert.equal(result.methods.smtp.spf.result, 'fail');
    assert.equal(result.methods.smtp.outcome, 'reject');
    assert.ok(result.methods.smtp.fixes.some((fix) => fix.includes('ip4:198.51.100.7')));
  });

  it('smtp without host uses includes', async () => {
    const result = await check(
      customer('v=spf1 include:_spf.google.com -all', 'v=DMARC1; p=reject'),
    );
    assert.equal(result.methods.smtp.spf.result, 'pass');
    assert.match(result.methods.smtp.reasons[0] ?? '', /no SMTP server on record/);
    assert.equal(result.methods.smtp.outcome, 'deliver');
  });

  it('format shows every part', async () => {
    const result = await check(
      customer('v=spf1 include:spf.mandrillapp.com ~all', 'v=DMARC1; p=reject', MANDRILL_CNAMES),
    );
    const text = formatDomainCheck(result);
    assert.match(text, /^Domain example\.com/);
    assert.match(text, /^SPF: valid, 1\/10 lookups/m);
    assert.match(text, /^DKIM$/m);
    assert.match(text, /^DMARC: valid at _dmarc\.example\.com/m);
    assert.match(text, /^ {2}mandrill: DELIVERED/m);
    assert.match(text, /^ {2}default: AT RISK/m);
    assert.match(text, /^ {2}smtp: /m);
  });
});
