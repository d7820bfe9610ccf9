import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkDomain, evaluateSpf } from '../../server/checks/index.js';
import { checkSpf } from '../../server/checks/spf.js';
import { createResolver } from '../../server/dns/resolver.js';
import type { CountingResolver } from '../../server/dns/resolver.js';
import { startDnsServer } from '../support/dns-server.js';
import type { DnsServer } from '../support/dns-server.js';
import { loadCorpusZone, platformZone, TEST_PLATFORM } from '../support/zones.js';

describe('real-world zone', () => {
  let server: DnsServer;
  let resolver: CountingResolver;

  before(async () => {
    server = await startDnsServer([...loadCorpusZone(), ...platformZone()]);
  });
  after(async () => {
    await server?.close();
  });
  const fresh = (): CountingResolver => {
    resolver = createResolver({ servers: [server.address], timeoutMs: 2000, tries: 2 });
    return resolver;
  };

  it('Mandrill chain via whitehouse.gov', async () => {
    const report = await checkSpf('whitehouse.gov', fresh());
    assert.equal(report.status, 'valid');
    assert.equal(report.lookups, 2);
    // The +mx term finds no MX records for whitehouse.gov in the zone.
    assert.equal(report.voidLookups, 1);
    assert.deepEqual(report.includes, ['spf.mandrillapp.com']);
    const mandrill = await evaluateSpf({
      ip: '198.2.128.5',
      sender: 'bounce@whitehouse.gov',
      resolver,
    });
    assert.equal(mandrill.result, 'pass');
    const stranger = await evaluateSpf({
      ip: '192.0.2.1',
      sender: 'bounce@whitehouse.gov',
      resolver,
    });
    assert.equal(stranger.result, 'softfail');
  });

  it('Mandrill legacy key at 18f.gov', async () => {
    const check = await checkDomain('18f.gov', {
      resolver: fresh(),
      platform: TEST_PLATFORM,
      smtpHost: 'smtp.gmail.com',
    });
    const legacy = check.dkim.selectors.find((item) => item.name === 'mandrill._domainkey.18f.gov');
    assert.equal(legacy?.status, 'valid');
    assert.equal(legacy?.keyBits, 1024);
    assert.ok(legacy?.findings.some((item) => item.code === 'dkim.key_weak'));
    assert.equal(check.methods.mandrill.outcome, 'deliver');
    assert.equal(check.methods.mandrill.dkim.aligned, true);
    assert.equal(check.methods.mandrill.spf.aligned, false);
    const spfRecord = check.methods.mandrill.records?.find((r) => r.name === '18f.gov');
    assert.equal(spfRecord?.value, 'v=spf1 include:spf.mandrillapp.com -all');
    assert.equal(spfRecord?.replaces, true);
    // 18f.gov publishes "v=spf1 -all" and p=reject, so Gmail's servers fail SPF and DMARC.
    assert.equal(check.methods.smtp.spf.result, 'fail');
    assert.equal(check.methods.smtp.outcome, 'reject');
  });

  it('Google chain', async () => {
    const google = await checkSpf('google.com', fresh());
    assert.equal(google.lookups, 4);
    assert.equal(google.tree?.children[0]?.domain, '_spf.google.com');
    assert.equal(google.tree?.children[0]?.children.length, 3);
    const gmail = await checkSpf('gmail.com', resolver);
    assert.equal(gmail.lookups, 4);
    assert.equal(gmail.tree?.children[0]?.via, 'redirect');
    // Every known provider include anywhere in the tree, Google's netblocks included.
    assert.deepEqual(gmail.includes, [
      '_spf.google.com',
      '_netblocks.google.com',
      '_netblocks2.google.com',
      '_netblocks3.google.com',
    ]);
    const evaluation = await evaluateSpf({
      ip: '64.233.160.1',
      sender: 'someone@gmail.com',
      resolver,
    });
    assert.equal(evaluation.result, 'pass');
    assert.equal(evaluation.domain, 'gmail.com');
  });

  it('github.com DKIM selectors', async () => {
    const check = await checkDomain('github.com', {
      resolver: fresh(),
      platform: TEST_PLATFORM,
      extraSelectors: ['pf2014', 's20150108'],
    });
    const pf2014 = check.dkim.selectors.find((item) => item.selector === 'pf2014');
    const sendgrid = check.dkim.selectors.find((item) => item.selector === 's20150108');
    assert.equal(pf2014?.status, 'valid');
    assert.equal(pf2014?.keyBits, 1024);
    assert.equal(sendgrid?.status, 'valid');
    assert.equal(sendgrid?.keyType, 'rsa');
    assert.equal(check.spf.lookups, 8);
    assert.equal(check.dmarc.policy, 'reject');
  });

  it('namecheap.net over 10 lookups', async () => {
    const report = await checkSpf('namecheap.net', fresh());
    assert.equal(report.lookups, 11);
    assert.equal(report.status, 'permerror');
    assert.ok(report.findings.some((item) => item.code === 'spf.too_many_lookups'));
    assert.equal(report.findings.filter((item) => item.code === 'spf.ptr').length, 3);
  });

  it('DMARC p=reject at yahoo.com', async () => {
    const check = await checkDomain('yahoo.com', { resolver: fresh(), platform: TEST_PLATFORM });
    assert.equal(check.dmarc.policy, 'reject');
    assert.equal(check.dmarc.pct, 100);
    assert.deepEqual(check.dmarc.rua, ['mailto:d@rua.agari.com']);
    // No Mandrill key is published, so Mandrill mail fails DMARC and is rejected.
    assert.equal(check.methods.mandrill.dmarc.result, 'fail');
    assert.equal(check.methods.mandrill.outcome, 'reject');
  });

  it('gmail.com sp=quarantine', async () => {
    const check = await checkDomain('gmail.com', { resolver: fresh(), platform: TEST_PLATFORM });
    assert.equal(check.dmarc.policy, 'none');
    assert.equal(check.dmarc.subdomainPolicy, 'quarantine');
  });
});
