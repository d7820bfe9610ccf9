import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { platformZone, rsaPublicKeyBase64 } from '../support/zones.js';

const API_KEY = 'md-views-account-key-1';
// A second Mandrill account's key: each account of the desk needs its own.
const SECOND_KEY = 'md-views-account-key-2';
const DOMAIN = 'lakeside-stays.example';
const KEY = rsaPublicKeyBase64(2048);

describe("Mandrill's own view of an account", () => {
  let dns: DnsServer;
  let mandrill: MandrillStandIn;
  let server: TestServer;
  let accountId: number;

  before(async () => {
    // The domain is set up for Mandrill in DNS; Mandrill's last test found SPF invalid.
    dns = await startDnsServer([
      { name: DOMAIN, type: 'TXT', data: ['v=spf1 include:spf.mandrillapp.com ~all'] },
      { name: 'spf.mandrillapp.com', type: 'TXT', data: ['v=spf1 ip4:198.2.128.0/24 ~all'] },
      { name: `_dmarc.${DOMAIN}`, type: 'TXT', data: ['v=DMARC1; p=quarantine'] },
      { name: `mte1._domainkey.${DOMAIN}`, type: 'CNAME', data: 'dkim1.mandrillapp.com' },
      { name: 'dkim1.mandrillapp.com', type: 'TXT', data: [`v=DKIM1; k=rsa; p=${KEY}`] },
      ...platformZone(),
    ]);
    mandrill = await startMandrillStandIn({ apiKeys: [API_KEY, SECOND_KEY] });
    mandrill.addSenderDomain({
      domain: DOMAIN,
      last_tested_at: '2026-11-01 08:00:00',
      spf: { valid: false, valid_after: null, error: 'SPF record not found' },
      dkim: { valid: true, valid_after: '2026-10-01 08:00:00', error: null },
      verified_at: '2026-10-01 08:05:00',
      valid_signing: true,
    });
    mandrill.addSenderDomain({ domain: 'old-brand.example' });
    mandrill.addReject({
      email: 'gone@guests.example',
      reason: 'hard-bounce',
      detail: '550 5.1.1',
    });
    mandrill.addReject({ email: 'annoyed@guests.example', reason: 'spam' });
    server = await startTestServer({
      DELIVERABILITY_DNS: dns.address,
      DELIVERABILITY_MANDRILL_BASE_URL: mandrill.url,
    });
    const created = await server.request('POST', '/api/accounts', {
      name: 'Lakeside',
      sendingAddress: `stay@${DOMAIN}`,
      method: 'mandrill',
      settings: { apiKey: API_KEY },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    accountId = created.body.account.id;
  });

  after(async () => {
    await server?.close();
    await mandrill?.close();
    await dns?.close();
  });

  it('asks for a DNS check before one is stored', async () => {
    const response = await server.request(
      'GET',
      `/api/accounts/${accountId}/mandrill/sender-domains`,
    );
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.dnsCheckedAt, null);
    assert.ok(response.body.notes.some((n: string) => n.includes('No DNS check')));
    const own = response.body.domains.find((d: { domain: string }) => d.domain === DOMAIN);
    assert.equal(own.spf.dns, null);
    assert.equal(own.spf.disagreement, null);
  });

  it("sets Mandrill's sender domains beside the DNS check and explains the disagreement", async () => {
    const check = await server.request('GET', `/api/accounts/${accountId}/check`);
    assert.equal(check.status, 200, JSON.stringify(check.body));
    const response = await server.request(
      'GET',
      `/api/accounts/${accountId}/mandrill/sender-domains`,
    );
    assert.equal(response.status, 200);
    assert.equal(response.body.sendingDomainListed, true);
    const own = response.body.domains.find((d: { domain: string }) => d.domain === DOMAIN);
    assert.equal(own.sendingDomain, true);
    assert.deepEqual(own.spf.mandrill, {
      valid: false,
      error: 'SPF record not found',
      validAfter: null,
    });
    assert.equal(own.spf.dns, true);
    assert.match(own.spf.disagreement, /Mandrill last tested it at 2026-11-01 08:00:00 UTC/);
    assert.equal(own.dkim.dns, true);
    assert.equal(own.dkim.disagreement, null);
    const other = response.body.domains.find(
      (d: { domain: string }) => d.domain === 'old-brand.example',
    );
    assert.equal(other.sendingDomain, false);
    assert.ok(other.notes.some((n: string) => n.includes('has not verified')));
    // The view only reads: it never calls check-domain or verify-domain.
    assert.ok(
      !mandrill.requests.some((r) => /check-domain|verify-domain/.test(r.path)),
      JSON.stringify(mandrill.requests),
    );
  });

  it("lists Mandrill's denylist with what each reason means", async () => {
    const response = await server.request('GET', `/api/accounts/${accountId}/mandrill/rejects`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(
      response.body.entries.map((e: { email: string; reason: string }) => [e.email, e.reason]),
      [
        ['gone@guests.example', 'hard-bounce'],
        ['annoyed@guests.example', 'spam'],
      ],
    );
    assert.match(response.body.entries[0].meaning, /bounced permanently/);
    assert.equal(response.body.truncated, false);
    const one = await server.request(
      'GET',
      `/api/accounts/${accountId}/mandrill/rejects?email=annoyed@guests.example`,
    );
    assert.deepEqual(
      one.body.entries.map((e: { email: string }) => e.email),
      ['annoyed@guests.example'],
    );
  });

  it('refuses a malformed email filter with the value and the fix', async () => {
    const response = await server.request(
      'GET',
      `/api/accounts/${accountId}/mandrill/rejects?email=not-an-address`,
    );
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'invalid_input');
    assert.match(response.body.error.message, /email: must be one email address.*"not-an-address"/);
  });

  it('answers 409 for an account that does not send by Mandrill', async () => {
    const created = await server.request('POST', '/api/accounts', {
      name: 'Relay only',
      sendingAddress: 'desk@relay-only.example',
      method: 'default',
    });
    const response = await server.request(
      'GET',
      `/api/accounts/${created.body.account.id}/mandrill/sender-domains`,
    );
    assert.equal(response.status, 409);
    assert.equal(response.body.error.code, 'not_mandrill');
    const status = await server.request(
      'GET',
      `/api/accounts/${created.body.account.id}/mandrill/status`,
    );
    assert.equal(status.status, 409);
    assert.equal(status.body.error.code, 'not_mandrill');
  });

  it('status: rejected key, then resumed', async () => {
    const created = await server.request('POST', '/api/accounts', {
      name: 'Rejected key',
      sendingAddress: `office@${DOMAIN}`,
      method: 'mandrill',
      settings: { apiKey: 'md-revoked-key' },
    });
    const id = created.body.account.id;
    assert.equal(
      (await server.request('GET', `/api/accounts/${id}/mandrill/status`)).body.state,
      'never_synced',
    );
    await server.runJobsOnce();
    const status = (await server.request('GET', `/api/accounts/${id}/mandrill/status`)).body;
    assert.equal(status.state, 'key_rejected');
    assert.match(status.message, /Invalid_Key.*enter a valid key/);
    assert.doesNotMatch(JSON.stringify(status), /md-revoked-key/);
    const patched = await server.request('PATCH', `/api/accounts/${id}`, {
      settings: { apiKey: SECOND_KEY },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    await server.runJobsOnce();
    const resumed = (await server.request('GET', `/api/accounts/${id}/mandrill/status`)).body;
    assert.equal(resumed.state, 'ok', JSON.stringify(resumed));
  });

  it('names an invalid key without showing it', async () => {
    const created = await server.request('POST', '/api/accounts', {
      name: 'Bad key',
      sendingAddress: `desk@${DOMAIN}`,
      method: 'mandrill',
      settings: { apiKey: 'md-not-a-known-key' },
    });
    const response = await server.request(
      'GET',
      `/api/accounts/${created.body.account.id}/mandrill/rejects`,
    );
    assert.equal(response.status, 409);
    assert.equal(response.body.error.code, 'mandrill_invalid_key');
    assert.doesNotMatch(JSON.stringify(response.body), /md-not-a-known-key/);
  });
});
