import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../support/server.js';

describe('API errors', () => {
  let server: TestServer;
  let accountId: number;

  before(async () => {
    server = await startTestServer({});
    const created = await server.request('POST', '/api/accounts', {
      name: 'Dune House',
      sendingAddress: 'hello@dune.example',
      method: 'default',
    });
    accountId = created.body.account.id;
  });

  after(async () => {
    await server?.close();
  });

  function assertErrorShape(body: any, code: string): void {
    assert.equal(typeof body.error, 'object', JSON.stringify(body));
    assert.equal(body.error.code, code);
    assert.equal(typeof body.error.message, 'string');
  }

  it('invalid JSON body is 400', async () => {
    const response = await server.request('POST', '/api/accounts', '{"name": ');
    assert.equal(response.status, 400);
    assertErrorShape(response.body, 'invalid_json');
  });

  it('smtp account without host names the field', async () => {
    const response = await server.request('POST', '/api/accounts', {
      name: 'No Host',
      sendingAddress: 'a@b.example',
      method: 'smtp',
      settings: { port: 587, security: 'starttls' },
    });
    assert.equal(response.status, 400);
    assertErrorShape(response.body, 'invalid_input');
    assert.match(response.body.error.message, /settings\.host/);
  });

  it('unknown security value names the choices', async () => {
    const response = await server.request('POST', '/api/accounts', {
      name: 'Bad Security',
      sendingAddress: 'a@b.example',
      method: 'smtp',
      settings: { host: 'smtp.b.example', port: 587, security: 'ssl' },
    });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /settings\.security: must be "tls".*or "starttls"/);
  });

  it('unknown account is 404', async () => {
    const response = await server.request('GET', '/api/accounts/987654');
    assert.equal(response.status, 404);
    assertErrorShape(response.body, 'not_found');
  });

  it('non-numeric id is 400', async () => {
    const response = await server.request('GET', '/api/accounts/abc');
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /"abc"/);
  });

  it('send without body text is 400 and stores nothing', async () => {
    const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to: 'guest@guests.example',
      subject: 'Empty',
      kind: 'manual',
    });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /text: needs text, html or both/);
    const sends = await server.request('GET', `/api/sends?accountId=${accountId}`);
    assert.equal(sends.body.sends.length, 0);
  });

  it('send to an invalid address is 400', async () => {
    const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to: ['guest@guests.example', 'not an address'],
      subject: 'Hi',
      text: 'Hi',
      kind: 'manual',
    });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /^Invalid send request: to/);
  });

  it('IP address as a domain is 400', async () => {
    const response = await server.request('GET', '/api/domains/127.0.0.1/check');
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /not an IP address/);
  });

  it('more than 50 recipients names the limit', async () => {
    const to = Array.from({ length: 51 }, (_, i) => `guest${i}@guests.example`);
    const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to,
      subject: 'Hi',
      text: 'Hi',
      kind: 'manual',
    });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /to: allows at most 50 recipients/);
  });

  it('unknown method quotes the value', async () => {
    const response = await server.request('POST', '/api/accounts', {
      name: 'Typo',
      sendingAddress: 'a@b.example',
      method: 'smpt',
    });
    assert.equal(response.status, 400);
    assert.match(
      response.body.error.message,
      /method: must be "default", "smtp" or "mandrill" \(got "smpt"\)/,
    );
  });

  it('invalid domain for a check is 400', async () => {
    const response = await server.request('GET', '/api/domains/not_a..domain/check');
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /must be a domain name/);
  });

  it('unknown domain check parameter is 400', async () => {
    const response = await server.request('GET', '/api/domains/example.com/check?smtp=mx.example');
    assert.equal(response.status, 400);
    assert.match(
      response.body.error.message,
      /Unrecognized key: "smtp"\. Use one of: domain, smtpHost, selectors/,
    );
  });

  it('subject with a line break is 400', async () => {
    const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to: 'guest@guests.example',
      subject: 'Hello\r\nBcc: victim@example.com',
      text: 'Hi',
      kind: 'manual',
    });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /subject: must be one line/);
  });

  it('sends of an unknown account is 404', async () => {
    const response = await server.request('GET', '/api/sends?accountId=999999');
    assert.equal(response.status, 404);
    assertErrorShape(response.body, 'not_found');
  });

  it('a body that is not JSON is 415', async () => {
    const before = await server.request('GET', '/api/accounts');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const response = await server.request('POST', '/api/accounts', 'name=Form+House', {
        'content-type': type,
      });
      assert.equal(response.status, 415, type);
      assertErrorShape(response.body, 'unsupported_media_type');
      assert.match(
        response.body.error.message,
        new RegExp(`Content-Type: application/json \\(got ${type}\\)`),
      );
    }
    const after = await server.request('GET', '/api/accounts');
    assert.equal(after.body.accounts.length, before.body.accounts.length);
  });

  it('a JSON array body names the fix', async () => {
    const response = await server.request('POST', '/api/accounts', []);
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /the body is a JSON array; send one JSON object/);
  });

  it('unknown page is a plain 404 that points to the dashboard', async () => {
    const response = await server.request('GET', '/nope');
    assert.equal(response.status, 404);
    assert.match(String(response.body), /Nothing is at \/nope\. The dashboard is at \//);
  });

  it('unknown API route is a JSON 404', async () => {
    const response = await server.request('GET', '/api/nothing-here');
    assert.equal(response.status, 404);
    assertErrorShape(response.body, 'not_found');
  });

  it('update with a bad address keeps the stored account', async () => {
    const response = await server.request('PATCH', `/api/accounts/${accountId}`, {
      sendingAddress: 'nope',
    });
    assert.equal(response.status, 400);
    const stored = await server.request('GET', `/api/accounts/${accountId}`);
    assert.equal(stored.body.account.sendingAddress, 'hello@dune.example');
  });

  it('report with a bad period is 400', async () => {
    const response = await server.request('GET', '/api/reports/summary?days=0');
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /days/);
  });
});
