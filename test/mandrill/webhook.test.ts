import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';
import { postMandrillWebhook } from '../support/mandrill-webhooks.js';
import { startTestServer, type TestServer } from '../support/server.js';

const API_KEY = 'md-webhook-account-key-1';
const WEBHOOK_KEY = 'whk-secret-from-mandrill';

describe('Mandrill webhooks', () => {
  let mandrill: MandrillStandIn;
  let server: TestServer;
  let accountId: number;
  let hookUrl: string;

  before(async () => {
    mandrill = await startMandrillStandIn({ apiKeys: [API_KEY] });
    server = await startTestServer({ DELIVERABILITY_MANDRILL_BASE_URL: mandrill.url });
    const created = await server.request('POST', '/api/accounts', {
      name: 'Hooked',
      sendingAddress: 'desk@hooked.example',
      method: 'mandrill',
      settings: { apiKey: API_KEY, webhookKey: WEBHOOK_KEY },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    accountId = created.body.account.id;
    assert.equal(created.body.account.settings.webhookKey, '****');
    hookUrl = `${server.url}/webhooks/mandrill/${accountId}`;
  });

  after(async () => {
    await server?.close();
    await mandrill?.close();
  });

  async function sendOne(to: string) {
    const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to,
      subject: 'Hook test',
      text: 'x',
      kind: 'manual',
    });
    return response.body.sends[0] as { id: number; providerId: string; messageId: string };
  }

  function eventsFor(send: { providerId: string; messageId: string }, email: string, ts: number) {
    const msg = {
      _id: send.providerId,
      email,
      ts,
      state: 'sent',
      metadata: { message_id: send.messageId },
    };
    return [
      { event: 'send', ts, _id: send.providerId, msg },
      { event: 'open', ts: ts + 30, _id: send.providerId, msg },
    ];
  }

  async function detail(id: number) {
    return (await server.request('GET', `/api/sends/${id}`)).body;
  }

  it('HEAD check answers 200', async () => {
    const response = await fetch(hookUrl, { method: 'HEAD' });
    assert.equal(response.status, 200);
  });

  it('batch sent twice counts once', async () => {
    const send = await sendOne('a@guests.example');
    const ts = Math.ceil(Date.now() / 1000) + 1;
    const events = eventsFor(send, 'a@guests.example', ts);
    const first = await postMandrillWebhook(hookUrl, WEBHOOK_KEY, events);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body, { received: 2, recorded: 2, ignored: 0 });
    const again = await postMandrillWebhook(hookUrl, WEBHOOK_KEY, events);
    assert.deepEqual(again.body, { received: 2, recorded: 0, ignored: 0 });
    const stored = await detail(send.id);
    assert.equal(stored.send.state, 'delivered');
    assert.equal(stored.send.opens, 1);
  });

  it('webhook and poller report one event once', async () => {
    const send = await sendOne('b@guests.example');
    const ts = Math.ceil(Date.now() / 1000) + 2;
    await postMandrillWebhook(hookUrl, WEBHOOK_KEY, eventsFor(send, 'b@guests.example', ts));
    mandrill.update(send.providerId, {
      opens: 1,
      opens_detail: [{ ts: ts + 30, ip: '192.0.2.9' }],
    });
    await server.runJobsOnce();
    const stored = await detail(send.id);
    assert.equal(stored.send.opens, 1);
    assert.deepEqual(
      stored.events.map((e: { type: string; source: string }) => `${e.type}:${e.source}`),
      [
        'queued:api',
        'accepted:mandrill-send',
        'delivered:mandrill-webhook',
        'open:mandrill-webhook',
      ],
    );
  });

  it('bad signature is 401 and stores nothing', async () => {
    const send = await sendOne('c@guests.example');
    const events = eventsFor(send, 'c@guests.example', Math.ceil(Date.now() / 1000));
    const forged = await postMandrillWebhook(hookUrl, 'wrong-key', events);
    assert.equal(forged.status, 401);
    assert.equal(forged.body.error.code, 'invalid_signature');
    const proxied = await postMandrillWebhook(hookUrl, WEBHOOK_KEY, events, {
      signedUrl: 'https://proxy.example/webhooks/mandrill/1',
    });
    assert.equal(proxied.status, 401, 'only the configured URL is signed');
    assert.equal((await detail(send.id)).send.state, 'accepted');
  });

  it('malformed batch is 400', async () => {
    const response = await postMandrillWebhook(hookUrl, WEBHOOK_KEY, '[{"event": 5}]');
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /mandrill_events\[0\] needs a string "event"/);
  });

  it('inherited property names as event types are ignored', async () => {
    const send = await sendOne('d@guests.example');
    const ts = Math.ceil(Date.now() / 1000) + 3;
    const [delivered] = eventsFor(send, 'd@guests.example', ts);
    const inherited = ['constructor', 'toString', '__proto__', 'hasOwnProperty'].map((name) => ({
      ...delivered,
      event: name,
    }));
    const response = await postMandrillWebhook(hookUrl, WEBHOOK_KEY, [...inherited, delivered]);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.deepEqual(response.body, { received: 5, recorded: 1, ignored: 4 });
    assert.equal((await detail(send.id)).send.state, 'delivered');
  });

  it('events of unknown messages become external sends', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const msg = {
      _id: 'f'.repeat(32),
      email: 'walkin@guests.example',
      ts,
      sender: 'desk@hooked.example',
      subject: 'Direct',
    };
    const response = await postMandrillWebhook(hookUrl, WEBHOOK_KEY, [
      { event: 'hard_bounce', ts, msg: { ...msg, diag: 'smtp;550 5.1.1 user unknown' } },
    ]);
    assert.deepEqual(response.body, { received: 1, recorded: 1, ignored: 0 });
    const list = await server.request('GET', `/api/sends?accountId=${accountId}`);
    const external = list.body.sends.find((s: { providerId: string }) => s.providerId === msg._id);
    assert.equal(external.kind, 'external');
    assert.equal(external.state, 'bounced');
    assert.equal(external.reason, 'userunknown');
  });
});
