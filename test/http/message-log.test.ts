import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dsnMessage } from '../support/bounce-messages.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';

const RAW = { 'content-type': 'message/rfc822' };

describe('message log', () => {
  let relay: SmtpPeer;
  let server: TestServer;
  let harbor: number;
  let lakeside: number;
  const ids: Record<string, number> = {};
  let messageId = '';

  before(async () => {
    relay = await startSmtpPeer();
    server = await startTestServer({ DELIVERABILITY_RELAY_URL: `smtp://127.0.0.1:${relay.port}` });
    const account = async (name: string, address: string) =>
      (
        await server.request('POST', '/api/accounts', {
          name,
          sendingAddress: address,
          method: 'default',
        })
      ).body.account.id as number;
    harbor = await account('Harbor', 'office@harbor.example');
    lakeside = await account('Lakeside', 'desk@lakeside.example');
    const send = async (accountId: number, to: string) => {
      const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
        to,
        subject: 'Booking',
        text: 'x',
        kind: 'manual',
      });
      ids[to] = response.body.sends[0].id;
      return { returnPath: relay.messages.at(-1)?.from ?? '', messageId: response.body.messageId };
    };
    const first = await send(harbor, 'full@gmail.example');
    messageId = first.messageId;
    await send(harbor, 'ok@gmail.example');
    await send(harbor, 'other@outlook.example');
    await send(lakeside, 'guest@gmail.example');
    // A soft bounce, then a hard one: the send ends bounced but was soft_bounced before.
    for (const [status, diagnostic] of [
      ['4.2.2', '452 4.2.2 Mailbox full'],
      ['5.1.1', '550 5.1.1 User unknown'],
    ]) {
      const raw = dsnMessage({
        to: first.returnPath,
        recipient: 'full@gmail.example',
        status,
        diagnostic,
      });
      assert.equal((await server.request('POST', '/api/bounces', raw, RAW)).status, 201);
    }
  });

  after(async () => {
    await server?.close();
    await relay?.close();
  });

  async function log(query: string) {
    const response = await server.request('GET', `/api/sends?${query}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body as { sends: { id: number; recipient: string }[]; next: string | null };
  }

  const recipients = (body: { sends: { recipient: string }[] }) =>
    body.sends.map((s) => s.recipient).sort();

  it('filters by recipient, recipient domain and account', async () => {
    assert.deepEqual(recipients(await log('recipient=OK@gmail.example')), ['ok@gmail.example']);
    assert.deepEqual(recipients(await log('recipientDomain=gmail.example')), [
      'full@gmail.example',
      'guest@gmail.example',
      'ok@gmail.example',
    ]);
    assert.deepEqual(recipients(await log(`accountId=${lakeside}`)), ['guest@gmail.example']);
  });

  it('tells the state now from a state ever held', async () => {
    assert.deepEqual(recipients(await log('state=bounced')), ['full@gmail.example']);
    assert.deepEqual(recipients(await log('state=soft_bounced')), []);
    assert.deepEqual(recipients(await log('everState=soft_bounced')), ['full@gmail.example']);
  });

  it('finds a message by its Message-ID, with or without brackets', async () => {
    assert.deepEqual(recipients(await log(`messageId=<${messageId}>`)), ['full@gmail.example']);
  });

  it('filters by date range', async () => {
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    assert.equal((await log(`from=${tomorrow}`)).sends.length, 0);
    assert.equal((await log(`to=${tomorrow}`)).sends.length, 4);
  });

  it('pages newest first with the next cursor, losing and repeating nothing', async () => {
    const seen: number[] = [];
    let query = 'limit=3';
    for (let page = 0; page < 3; page += 1) {
      const body = await log(query);
      seen.push(...body.sends.map((s) => s.id));
      if (!body.next) break;
      query = `limit=3&before=${body.next}`;
    }
    assert.deepEqual(
      seen,
      [...Object.values(ids)].sort((a, b) => b - a),
    );
  });

  it('shows a manager only their accounts', async () => {
    await server.request('POST', '/api/users', {
      email: 'lake@desk.example',
      name: 'Lake',
      role: 'manager',
      accountIds: [lakeside],
      password: 'long-password-42',
    });
    const manager = await server.login('lake@desk.example', 'long-password-42');
    const body = (await manager('GET', '/api/sends?recipientDomain=gmail.example')).body;
    assert.deepEqual(recipients(body), ['guest@gmail.example']);
    assert.equal((await manager('GET', `/api/sends?accountId=${harbor}`)).status, 404);
  });

  it('names a bad filter and its fix', async () => {
    for (const [query, pattern] of [
      ['state=lost', /state: must be one of queued, .*bounced.*\(got "lost"\)/],
      ['from=yesterday', /from: must be a date such as 2026-12-04/],
      ['from=2026-02-30', /from: must be a date such as 2026-12-04.*\(got "2026-02-30"\)/],
      ['to=2026-12-04T10:00:00', /to: must be a date such as 2026-12-04, or a time with its UTC/],
      ['limit=abc', /limit: must be a whole number from 1 to 500/],
      ['before=abc', /before: must be the `next` value/],
      ['colour=red', /\(query\): Unrecognized key: "colour"\. Use one of: limit, accountId, /],
      ['from=2026-12-04&to=2026-12-01', /from: must be before to, which is exclusive/],
    ] as const) {
      const response = await server.request('GET', `/api/sends?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(response.body.error.message, pattern);
    }
    const csv = await server.request('GET', '/api/sends.csv?from=2026-12-04&to=2026-12-04');
    assert.equal(csv.status, 400);
    assert.match(csv.body.error.message, /from: must be before to/);
  });
});
