import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dsnMessage } from '../support/bounce-messages.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';

describe('report breakdowns', () => {
  let relay: SmtpPeer;
  let server: TestServer;
  let harbor: number;

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
    const lakeside = await account('Lakeside', 'desk@lakeside.example');
    const send = async (accountId: number, to: string) => {
      await server.request('POST', `/api/accounts/${accountId}/sends`, {
        to,
        subject: 'Booking',
        text: 'x',
        kind: 'manual',
      });
      return relay.messages.at(-1)?.from ?? '';
    };
    for (const to of ['a@gmail.example', 'b@gmail.example', 'c@gmail.example'])
      await send(harbor, to);
    await send(lakeside, 'd@outlook.example');
    const returnPath = await send(harbor, 'gone@Gmail.example');
    const bounce = dsnMessage({ to: returnPath, recipient: 'gone@Gmail.example' });
    const posted = await server.request('POST', '/api/bounces', bounce, {
      'content-type': 'message/rfc822',
    });
    assert.equal(posted.status, 201);
  });

  after(async () => {
    await server?.close();
    await relay?.close();
  });

  it('counts per recipient domain, case folded, with rates', async () => {
    const body = (await server.request('GET', '/api/reports/breakdowns?days=7')).body;
    const gmail = body.byRecipientDomain.find((d: { key: string }) => d.key === 'gmail.example');
    assert.equal(gmail.sent, 4);
    assert.equal(gmail.delivered, 3);
    assert.equal(gmail.bounced, 1);
    assert.equal(gmail.softBounced, 0);
    assert.equal(gmail.bounceRate, 0.25);
    assert.deepEqual(gmail.methods, { default: 4 });
    assert.equal(body.byRecipientDomain[0].key, 'gmail.example', 'the busiest domain first');
  });

  it('exports each breakdown table as CSV', async () => {
    const domains = await server.request(
      'GET',
      '/api/reports/breakdowns.csv?days=7&by=recipientDomain',
    );
    assert.equal(domains.status, 200);
    assert.match(domains.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = String(domains.body).trim().split('\r\n');
    assert.equal(
      lines[0],
      'recipientDomain,sent,delivered,bounced,softBounced,rejected,deliveryRate,bounceRate,default,smtp,mandrill',
    );
    assert.equal(lines[1], 'gmail.example,4,3,1,0,0,0.75,0.25,4,0,0');
    const reasons = await server.request('GET', '/api/reports/breakdowns.csv?days=7&by=reason');
    assert.match(
      String(reasons.body).split('\r\n')[1] ?? '',
      /^userunknown,1,1,0,gone@Gmail\.example,/,
    );
    const bad = await server.request('GET', '/api/reports/breakdowns.csv?days=7&by=colour');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /by: must be recipientDomain, account or reason/);
  });

  it('lists the top bounce reasons with recent examples', async () => {
    const body = (await server.request('GET', '/api/reports/breakdowns?days=7')).body;
    assert.equal(body.reasons.length, 1);
    const [reason] = body.reasons;
    assert.equal(reason.reason, 'userunknown');
    assert.equal(reason.count, 1);
    assert.equal(reason.hard, 1);
    assert.equal(reason.examples[0].recipient, 'gone@Gmail.example');
    assert.equal(reason.examples[0].status, '5.1.1');
  });

  it('breaks down by account for admins, and keeps a manager to their account', async () => {
    const admin = (await server.request('GET', '/api/reports/breakdowns')).body;
    assert.deepEqual(
      admin.byAccount.map((a: { name: string; sent: number }) => [a.name, a.sent]),
      [
        ['Harbor', 4],
        ['Lakeside', 1],
      ],
    );
    await server.request('POST', '/api/users', {
      email: 'harbor@desk.example',
      name: 'Harbor manager',
      role: 'manager',
      accountIds: [harbor],
      password: 'long-password-42',
    });
    const manager = await server.login('harbor@desk.example', 'long-password-42');
    const theirs = (await manager('GET', '/api/reports/breakdowns')).body;
    assert.deepEqual(theirs.byAccount, []);
    assert.deepEqual(
      theirs.byRecipientDomain.map((d: { key: string }) => d.key),
      ['gmail.example'],
    );
  });

  it('names a bad period', async () => {
    const response = await server.request('GET', '/api/reports/breakdowns?days=0');
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /days: must be a whole number from 1 to 366/);
  });
});
