import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/server.js';

const KEY = 'md-poll-key-0123456789';

describe('Mandrill poller', () => {
  let mandrill: MandrillStandIn;
  let server: TestServer;
  let databasePath: string;
  let accountId: number;

  const env = () => ({
    DELIVERABILITY_MANDRILL_BASE_URL: mandrill.url,
    DELIVERABILITY_DATABASE: databasePath,
  });

  before(async () => {
    mandrill = await startMandrillStandIn({ apiKeys: [KEY] });
    databasePath = path.join(makeTempDir(), 'poll.sqlite');
    server = await startTestServer(env());
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

  async function sendTo(recipient: string) {
    const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to: recipient,
      subject: 'Check-in details',
      html: '<p>Your code is 4711</p>',
      kind: 'automated',
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.sends[0] as { id: number; providerId: string };
  }

  async function sendDetail(id: number) {
    const response = await server.request('GET', `/api/sends/${id}`);
    assert.equal(response.status, 200);
    return response.body as { send: Record<string, any>; events: Record<string, any>[] };
  }

  it('records delivery, bounces and opens once across polls and restarts', async () => {
    const delivered = await sendTo('guest@guests.example');
    const bounced = await sendTo('gone@guests.example');
    const openTs = Math.ceil(Date.now() / 1000) + 1;
    mandrill.update(delivered.providerId, {
      opens: 2,
      opens_detail: [
        { ts: openTs, ip: '192.0.2.7', ua: 'Mozilla/5.0' },
        { ts: openTs + 60, ip: '192.0.2.7', ua: 'Mozilla/5.0' },
      ],
    });
    mandrill.update(bounced.providerId, {
      state: 'bounced',
      diag: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
      bounce_description: 'bad_mailbox',
    });

    await server.runJobsOnce();
    const first = await sendDetail(delivered.id);
    assert.equal(first.send.state, 'delivered');
    assert.equal(first.send.opens, 2);
    const bounce = await sendDetail(bounced.id);
    assert.equal(bounce.send.state, 'bounced');
    assert.equal(bounce.send.reason, 'userunknown');
    assert.match(bounce.send.detail, /bad_mailbox/);

    await server.runJobsOnce();
    await server.close();
    server = await startTestServer(env());
    await server.runJobsOnce();

    const again = await sendDetail(delivered.id);
    assert.equal(again.send.opens, 2);
    assert.equal(again.events.length, first.events.length);
    assert.deepEqual(
      again.events.map((e) => e.type),
      ['queued', 'accepted', 'delivered', 'open', 'open'],
    );
    const bounceAgain = await sendDetail(bounced.id);
    assert.equal(bounceAgain.events.length, bounce.events.length);
  });

  it('records messages sent outside the product as external', async () => {
    const outside = mandrill.addMessage({
      email: 'walkin@guests.example',
      sender: 'stay@lakeside.example',
      subject: 'Sent from Mandrill directly',
    });
    await server.runJobsOnce();
    const list = await server.request('GET', `/api/sends?accountId=${accountId}&limit=100`);
    const external = list.body.sends.find(
      (s: { providerId: string }) => s.providerId === outside._id,
    );
    assert.ok(external, 'the external message was not recorded');
    assert.equal(external.kind, 'external');
    assert.equal(external.state, 'delivered');
  });

  it('keeps the cursor and an error on an invalid key', async () => {
    const created = await server.request('POST', '/api/accounts', {
      name: 'Revoked',
      sendingAddress: 'old@revoked.example',
      method: 'mandrill',
      settings: { apiKey: 'md-no-longer-valid' },
    });
    await server.runJobsOnce();
    const cursor = server.services.store.cursors.get(created.body.account.id);
    assert.ok(cursor);
    assert.match(cursor.lastError ?? '', /^Invalid_Key/);
    assert.doesNotMatch(cursor.lastError ?? '', /md-no-longer-valid/);
  });
});
