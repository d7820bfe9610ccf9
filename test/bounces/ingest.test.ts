import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { autoReplyMessage, complaintMessage, dsnMessage } from '../support/bounce-messages.js';
import { corpusDir } from '../support/corpus.js';
import { makeTempDir, startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';
import { createTestCertificate } from '../support/tls.js';

const RAW = { 'content-type': 'message/rfc822' };

describe('bounce ingestion', () => {
  let relay: SmtpPeer;
  let managerSmtp: SmtpPeer;
  let server: TestServer;
  let defaultAccount: number;
  let smtpAccount: number;

  before(async () => {
    relay = await startSmtpPeer();
    const cert = createTestCertificate(makeTempDir());
    managerSmtp = await startSmtpPeer({ tls: cert });
    server = await startTestServer({
      DELIVERABILITY_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
      DELIVERABILITY_SMTP_CA_FILE: cert.certFile,
    });
    const created = await server.request('POST', '/api/accounts', {
      name: 'Harbor',
      sendingAddress: 'office@harbor.example',
      method: 'default',
    });
    defaultAccount = created.body.account.id;
    const smtp = await server.request('POST', '/api/accounts', {
      name: 'Lakeside',
      sendingAddress: 'desk@lakeside.example',
      method: 'smtp',
      settings: { host: '127.0.0.1', port: managerSmtp.port, security: 'starttls' },
    });
    assert.equal(smtp.status, 201, JSON.stringify(smtp.body));
    smtpAccount = smtp.body.account.id;
  });

  after(async () => {
    await server?.close();
    await relay?.close();
    await managerSmtp?.close();
  });

  async function send(accountId: number, to: string[]) {
    const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to,
      subject: 'Booking confirmation',
      text: 'Hello',
      kind: 'manual',
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body as { messageId: string; sends: { id: number; recipient: string }[] };
  }

  async function post(raw: string, query = '') {
    return server.request('POST', `/api/bounces${query}`, raw, RAW);
  }

  async function sendState(id: number) {
    return (await server.request('GET', `/api/sends/${id}`)).body.send;
  }

  it('matches a bounce to its send by the VERP return path, once', async () => {
    const sent = await send(defaultAccount, ['gone@guests.example', 'here@guests.example']);
    const returnPath = relay.messages.at(-1)?.from ?? '';
    assert.match(returnPath, /^bounces\+/);
    const bounce = dsnMessage({ to: returnPath, recipient: 'gone@guests.example' });

    const first = await post(bounce);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.events, 1);
    const [recipient] = first.body.bounce.recipients;
    assert.equal(recipient.matchedBy, 'verp');
    assert.equal(recipient.reason, 'userunknown');
    const gone = sent.sends.find((s) => s.recipient === 'gone@guests.example');
    assert.equal(recipient.sendId, gone?.id);
    const state = await sendState(gone?.id ?? 0);
    assert.equal(state.state, 'bounced');
    assert.equal(state.statusCode, '5.1.1');
    assert.equal(state.reason, 'userunknown');
    const other = sent.sends.find((s) => s.recipient === 'here@guests.example');
    assert.equal((await sendState(other?.id ?? 0)).state, 'accepted');

    const again = await post(bounce);
    assert.equal(again.status, 200);
    assert.equal(again.body.created, false);
    assert.equal(again.body.events, 0);
    assert.equal(again.body.bounce.id, first.body.bounce.id);
  });

  it('does not trust a VERP address with a wrong tag', async () => {
    const sent = await send(defaultAccount, ['tagged@guests.example']);
    const returnPath = relay.messages.at(-1)?.from ?? '';
    const forged = returnPath.replace(/\.([0-9a-f]{10})@/, (_m, tag: string) => {
      const flipped = tag.startsWith('0') ? `1${tag.slice(1)}` : `0${tag.slice(1)}`;
      return `.${flipped}@`;
    });
    // The recipient differs from the send's, so only the VERP address could match it.
    const response = await post(dsnMessage({ to: forged, recipient: 'someone@else.example' }));
    assert.equal(response.status, 201);
    assert.equal(response.body.bounce.matched, 0);
    assert.equal((await sendState(sent.sends[0]?.id ?? 0)).state, 'accepted');
  });

  it("matches by the quoted Message-ID when the manager's server kept its return path", async () => {
    const sent = await send(smtpAccount, ['full@guests.example']);
    const response = await post(
      dsnMessage({
        to: 'desk@lakeside.example',
        recipient: 'full@guests.example',
        status: '4.2.2',
        diagnostic: '452 4.2.2 Mailbox full',
        originalMessageId: sent.messageId,
      }),
    );
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const [recipient] = response.body.bounce.recipients;
    assert.equal(recipient.matchedBy, 'message-id');
    assert.equal(recipient.reason, 'mailboxfull');
    assert.equal((await sendState(sent.sends[0]?.id ?? 0)).state, 'soft_bounced');
  });

  it('matches by recipient and time when nothing else names the send', async () => {
    const sent = await send(smtpAccount, ['late@guests.example']);
    const response = await post(
      dsnMessage({ to: 'desk@lakeside.example', recipient: 'late@guests.example' }),
    );
    assert.equal(response.body.bounce.recipients[0].matchedBy, 'recipient-time');
    assert.equal((await sendState(sent.sends[0]?.id ?? 0)).state, 'bounced');
  });

  it('keeps an unmatched bounce and lists it for support only', async () => {
    const response = await post(
      dsnMessage({ to: 'nobody@unknown.example', recipient: 'never-sent@guests.example' }),
    );
    assert.equal(response.status, 201);
    assert.equal(response.body.bounce.matched, 0);
    assert.equal(response.body.bounce.accountId, null);
    const listed = await server.request('GET', '/api/bounces?unmatched=true');
    assert.ok(listed.body.bounces.some((b: { id: number }) => b.id === response.body.bounce.id));
    const detail = await server.request('GET', `/api/bounces/${response.body.bounce.id}`);
    assert.match(detail.body.raw, /never-sent@guests\.example/);
    const csv = await server.request('GET', '/api/bounces.csv?unmatched=true');
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = String(csv.body).trim().split('\r\n');
    assert.match(lines[0] ?? '', /^bounceId,receivedAt,kind,source,accountId,recipient,reason,/);
    const row = lines.find((line) => line.startsWith(`${response.body.bounce.id},`));
    assert.match(row ?? '', /,bounce,api,,never-sent@guests\.example,userunknown,true,5\.1\.1,/);

    await server.request('POST', '/api/users', {
      email: 'manager@desk.example',
      name: 'Manager',
      role: 'manager',
      accountIds: [smtpAccount],
      password: 'long-password-42',
    });
    const manager = await server.login('manager@desk.example', 'long-password-42');
    const theirs = await manager('GET', '/api/bounces?unmatched=true');
    assert.deepEqual(theirs.body.bounces, []);
    const theirCsv = await manager('GET', '/api/bounces.csv?unmatched=true');
    assert.equal(String(theirCsv.body).trim().split('\r\n').length, 1, 'the header line only');
    const hidden = await manager('GET', `/api/bounces/${response.body.bounce.id}`);
    assert.equal(hidden.status, 404);
  });

  it("never matches outside the submitter's accounts", async () => {
    const sent = await send(defaultAccount, ['scoped@guests.example']);
    await server.request('POST', '/api/users', {
      email: 'lakeside@desk.example',
      name: 'Lakeside manager',
      role: 'manager',
      accountIds: [smtpAccount],
      password: 'long-password-42',
    });
    const manager = await server.login('lakeside@desk.example', 'long-password-42');
    const returnPath = relay.messages.at(-1)?.from ?? '';
    const response = await manager(
      'POST',
      '/api/bounces',
      dsnMessage({ to: returnPath, recipient: 'scoped@guests.example' }),
      RAW,
    );
    assert.equal(response.status, 201, JSON.stringify(response.body));
    assert.equal(response.body.bounce.matched, 0);
    assert.equal((await sendState(sent.sends[0]?.id ?? 0)).state, 'accepted');
  });

  it('counts a complaint and suppresses the address', async () => {
    const sent = await send(defaultAccount, ['annoyed@guests.example']);
    const response = await post(complaintMessage('annoyed@guests.example', sent.messageId));
    assert.equal(response.body.bounce.kind, 'feedback');
    assert.equal(response.body.bounce.recipients[0].matchedBy, 'message-id');
    assert.equal(response.body.events, 1);
    const state = await sendState(sent.sends[0]?.id ?? 0);
    assert.equal(state.complaints, 1);
    const suppressed = await server.request('GET', `/api/accounts/${defaultAccount}/suppressions`);
    assert.ok(
      suppressed.body.suppressions.some(
        (s: { address: string; reason: string }) =>
          s.address === 'annoyed@guests.example' && s.reason === 'complaint',
      ),
    );
  });

  it('stores an auto-reply without counting it as a bounce', async () => {
    const sent = await send(defaultAccount, ['away@guests.example']);
    const returnPath = relay.messages.at(-1)?.from ?? '';
    const response = await post(autoReplyMessage('away@guests.example', returnPath));
    assert.equal(response.body.bounce.kind, 'auto-reply');
    assert.equal(response.body.events, 0);
    assert.equal((await sendState(sent.sends[0]?.id ?? 0)).state, 'accepted');
  });

  it('refuses support staff, who change nothing, and hides a duplicate of another account', async () => {
    await server.request('POST', '/api/users', {
      email: 'support@desk.example',
      name: 'Support',
      role: 'support',
      accountIds: [],
      password: 'long-password-42',
    });
    const support = await server.login('support@desk.example', 'long-password-42');
    const raw = dsnMessage({ to: 'x@y.example', recipient: 'support-test@guests.example' });
    const refused = await support('POST', '/api/bounces', raw, RAW);
    assert.equal(refused.status, 403);
    const stored = await post(raw);
    assert.equal(stored.status, 201);
    await server.request('POST', '/api/users', {
      email: 'other@desk.example',
      name: 'Other manager',
      role: 'manager',
      accountIds: [smtpAccount],
      password: 'long-password-42',
    });
    const manager = await server.login('other@desk.example', 'long-password-42');
    const again = await manager('POST', '/api/bounces', raw, RAW);
    assert.equal(again.status, 200);
    assert.equal(again.body.created, false);
    assert.equal(again.body.bounce, null);
  });

  it('takes every corpus message without an error', async () => {
    const files = fs.readdirSync(path.join(corpusDir, 'bounces')).filter((f) => f.endsWith('.eml'));
    assert.ok(files.length >= 40, `found ${files.length} corpus files`);
    for (const file of files) {
      const raw = fs.readFileSync(path.join(corpusDir, 'bounces', file));
      const response = await server.request('POST', '/api/bounces', raw.toString('latin1'), RAW);
      assert.ok([200, 201].includes(response.status), `${file}: ${JSON.stringify(response.body)}`);
    }
  });

  it('takes a bounce with 1,000 recipients and matches each', async () => {
    const recipients = Array.from({ length: 1000 }, (_, i) => `guest${i}@crowd.example`);
    const sent = await send(smtpAccount, recipients.slice(0, 50));
    const blocks = recipients.map(
      (r) =>
        `Final-Recipient: rfc822; ${r}\r\nAction: failed\r\nStatus: 5.1.1\r\n` +
        `Diagnostic-Code: smtp; 550 5.1.1 <${r}>: user unknown\r\n`,
    );
    const raw = [
      'From: MAILER-DAEMON@mx.crowd.example',
      'To: desk@lakeside.example',
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'Delivery failed for 1000 recipients.',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.crowd.example',
      '',
      blocks.join('\r\n'),
      '--b1',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${sent.messageId}>`,
      '',
      '--b1--',
      '',
    ].join('\r\n');
    const response = await post(raw);
    assert.equal(response.status, 201, JSON.stringify(response.body).slice(0, 300));
    assert.equal(response.body.bounce.recipients.length, 1000);
    // The 50 sent recipients match by the quoted Message-ID; the other 950 match nothing.
    assert.equal(response.body.bounce.matched, 50);
    assert.equal(response.body.events, 50);
    assert.ok(
      response.body.bounce.recipients.every((r: { reason: string }) => r.reason === 'userunknown'),
    );
  });

  it('rejects empty, JSON and oversized bodies', async () => {
    const empty = await server.request('POST', '/api/bounces', '', RAW);
    assert.equal(empty.status, 400);
    assert.match(empty.body.error.message, /The message is empty/);
    const text = await server.request('POST', '/api/bounces', 'hello world', RAW);
    assert.equal(text.status, 400);
    assert.match(text.body.error.message, /no header fields, so it is not an email message/);
    const json = await server.request('POST', '/api/bounces', { message: 'x' });
    assert.equal(json.status, 415);
    assert.match(json.body.error.message, /Content-Type message\/rfc822 \(got application\/json\)/);
    const big = await post('x'.repeat(10 * 1024 * 1024 + 1));
    assert.equal(big.status, 413);
    assert.match(big.body.error.message, /limit of 10 MB/);
    const query = await post(
      dsnMessage({ to: 'a@b.example', recipient: 'c@d.example' }),
      '?accountId=x',
    );
    assert.equal(query.status, 400);
    assert.equal(query.body.error.code, 'invalid_input');
  });
});
