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
    assert.ok(
      check.methods.mandrill.fixes.some((fix: string) =>
        fix.includes('include:spf.mandrillapp.com'),
      ),
      JSON.stringify(check.methods.mandrill.fixes),
    );
    assert.doesNotMatch(
      check.methods.mandrill.fixes.join('\n'),
      /v=spf1 include:spf\.mandrillapp\.com ~all"$/m,
      'the fix must merge into the existing record, keeping Google',
    );
  });
});
