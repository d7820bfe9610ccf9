import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createMandrillApi } from '../../server/mandrill/client.js';
import { createMandrillTransport } from '../../server/sending/mandrill.js';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';
import { startTestServer, type TestServer } from '../support/server.js';

const KEY = 'md-lost-answer-key-0123456789';

describe('Mandrill send whose answer is lost', () => {
  let mandrill: MandrillStandIn;
  let server: TestServer;
  let accountId: number;

  before(async () => {
    mandrill = await startMandrillStandIn({ apiKeys: [KEY] });
    server = await startTestServer({
      DELIVERABILITY_MANDRILL_BASE_URL: mandrill.url,
      DELIVERABILITY_MANDRILL_TIMEOUT_SECONDS: '1',
    });
    const created = await server.request('POST', '/api/accounts', {
      name: 'Lakeside Cabins',
      sendingAddress: 'stay@lakeside.example',
      method: 'mandrill',
      settings: { apiKey: KEY },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    accountId = created.body.account.id;
  });

  after(async () => {
    await server?.close();
    await mandrill?.close();
  });

  it('stays unknown until a poll finds it', async () => {
    // Mandrill takes the message, but its response never arrives before the 1 s deadline.
    mandrill.faults.add('/messages/send', [1], { kind: 'lost-answer', ms: 8_000 });
    const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to: 'guest@guests.example',
      subject: 'Check-in details',
      text: 'Your code is 4711',
      kind: 'manual',
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const sendId = response.body.sends[0].id as number;
    const before = (await server.request('GET', `/api/sends/${sendId}`)).body.send;
    assert.equal(before.state, 'unknown');
    assert.match(before.detail, /timed out after 1 s, so whether Mandrill took the message/);
    assert.equal(mandrill.messages.size, 1, 'the stand-in did not take the message');

    await server.runJobsOnce();
    const after = (await server.request('GET', `/api/sends/${sendId}`)).body.send;
    assert.equal(after.state, 'delivered');
    assert.equal(after.providerId, [...mandrill.messages.keys()][0]);
  });

  it('fails when Mandrill cannot be reached', async () => {
    // Nothing listens on port 9 of loopback, so the connection is refused before any request.
    const api = createMandrillApi({ baseUrl: 'http://127.0.0.1:9/api/1.3', timeoutMs: 5_000 });
    const transport = createMandrillTransport(api, { apiKey: KEY });
    const [outcome] = await transport.send({
      messageId: 'refused@lakeside.example',
      from: { address: 'stay@lakeside.example', name: 'Lakeside Cabins' },
      to: ['guest@guests.example'],
      subject: 'Check-in details',
      text: 'Your code is 4711',
      envelopeFrom: 'stay@lakeside.example',
    });
    assert.equal(outcome?.state, 'failed');
    assert.match(outcome?.detail ?? '', /ECONNREFUSED/);
  });
});
