import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { loadCorpusZone, rsaPublicKeyBase64 } from '../support/zones.js';

const DOMAIN = 'harbor-rentals.example';

describe('account domain check', () => {
  let dns: DnsServer;
  let server: TestServer;

  before(async () => {
    // Google's real SPF chain from the corpus, plus a Workspace customer's own records.
    dns = await startDnsServer([
      ...loadCorpusZone(),
      { name: DOMAIN, type: 'TXT', data: ['v=spf1 include:_spf.google.com ~all'] },
      // A public address for the destination check; nothing connects to it.
      { name: 'smtp.gmail.com', type: 'A', data: '142.250.27.108' },
      {
        name: `_dmarc.${DOMAIN}`,
        type: 'TXT',
        data: ['v=DMARC1; p=reject; rua=mailto:d@' + DOMAIN],
      },
      {
        name: `google._domainkey.${DOMAIN}`,
        type: 'TXT',
        data: [`v=DKIM1; k=rsa; p=${rsaPublicKeyBase64(2048)}`],
      },
    ]);
    server = await startTestServer({ DELIVERABILITY_DNS: dns.address });
  });

  after(async () => {
    await server?.close();
    await dns?.close();
  });

  it('uses the account method and its SMTP host', async () => {
    const created = await server.request('POST', '/api/accounts', {
      name: 'Harbor Rentals',
      sendingAddress: `office@${DOMAIN}`,
      method: 'smtp',
      settings: {
        host: 'smtp.gmail.com',
        port: 587,
        security: 'starttls',
        user: 'u',
        password: 'p',
      },
    });
    const response = await server.request('GET', `/api/accounts/${created.body.account.id}/check`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    const { check } = response.body;
    assert.equal(response.body.method, 'smtp');
    assert.equal(check.domain, DOMAIN);
    assert.equal(check.dmarc.policy, 'reject');
    assert.equal(check.methods.smtp.spf.result, 'pass');
    assert.equal(check.methods.smtp.spf.aligned, true);
    assert.equal(check.methods.smtp.dkim.result, 'pass');
    assert.equal(check.methods.smtp.outcome, 'deliver');
    assert.equal(check.methods.mandrill.outcome, 'reject');
    const spfRecord = check.methods.mandrill.records.find(
      (record: { type: string; value: string }) =>
        record.type === 'TXT' && record.value.startsWith('v=spf1'),
    );
    assert.ok(spfRecord, JSON.stringify(check.methods.mandrill.records));
    assert.match(spfRecord.value, /include:spf\.mandrillapp\.com/);
    // The record merges into the existing one, keeping Google.
    assert.match(spfRecord.value, /include:_spf\.google\.com/);
  });

  it('stores each check and marks a changed verdict', async () => {
    const created = await server.request('POST', '/api/accounts', {
      name: 'Harbor History',
      sendingAddress: `desk@${DOMAIN}`,
      method: 'smtp',
      settings: { host: 'smtp.gmail.com', port: 587, security: 'starttls' },
    });
    const id = created.body.account.id;
    const first = await server.request('GET', `/api/accounts/${id}/check`);
    assert.equal(first.body.changed, false);
    await server.request('PATCH', `/api/accounts/${id}`, {
      method: 'mandrill',
      settings: { apiKey: 'md-history-key-0000001' },
    });
    const second = await server.request('GET', `/api/accounts/${id}/check`);
    assert.equal(second.body.changed, true);
    const history = await server.request('GET', `/api/accounts/${id}/checks`);
    assert.deepEqual(
      history.body.checks.map((c: { changed: boolean; outcomes: Record<string, string> }) => [
        c.changed,
        c.outcomes.smtp,
        c.outcomes.mandrill,
      ]),
      [
        [true, 'deliver', 'reject'],
        [false, 'deliver', 'reject'],
      ],
    );
  });

  it('lists records to publish and the receivers checklist', async () => {
    const response = await server.request('GET', `/api/domains/${DOMAIN}/check`);
    const mandrill = response.body.methods.mandrill;
    assert.deepEqual(
      mandrill.records.map((r: { type: string; name: string; value: string }) => [
        r.type,
        r.name,
        r.value,
      ]),
      [
        ['TXT', DOMAIN, 'v=spf1 include:_spf.google.com include:spf.mandrillapp.com ~all'],
        ['CNAME', `mte1._domainkey.${DOMAIN}`, 'dkim1.mandrillapp.com'],
        ['CNAME', `mte2._domainkey.${DOMAIN}`, 'dkim2.mandrillapp.com'],
      ],
    );
    assert.match(mandrill.records[0].note, /needs 5 of the 10 DNS lookups/);
    const status = Object.fromEntries(
      mandrill.requirements.map((r: { id: string; status: string }) => [r.id, r.status]),
    );
    assert.deepEqual(status, {
      spf_pass: 'pass',
      dkim_pass: 'fail',
      dmarc_record: 'pass',
      dmarc_alignment: 'fail',
      reverse_dns: 'unknown',
    });
    assert.deepEqual(response.body.dmarc.errors, []);
    assert.ok(Array.isArray(response.body.spf.warnings));
  });

  it('SMTP host given as an IP', async () => {
    const created = await server.request('POST', '/api/accounts', {
      name: 'Own server by address',
      sendingAddress: `desk@${DOMAIN}`,
      method: 'smtp',
      settings: { host: '127.0.0.1', port: 587, security: 'starttls', user: 'u', password: 'p' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const response = await server.request('GET', `/api/accounts/${created.body.account.id}/check`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body.check.methods.smtp.identities.sendingIps, ['127.0.0.1']);
    assert.equal(response.body.check.methods.smtp.spf.result, 'softfail');
  });
});
