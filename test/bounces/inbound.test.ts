import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { dsnMessage } from '../support/bounce-messages.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';

describe('bounce SMTP listener', () => {
  let relay: SmtpPeer;
  let server: TestServer;
  let accountId: number;

  before(async () => {
    relay = await startSmtpPeer();
    server = await startTestServer({
      DELIVERABILITY_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
      DELIVERABILITY_BOUNCE_SMTP_PORT: '0',
      DELIVERABILITY_BOUNCE_MAX_MB: '1',
    });
    const created = await server.request('POST', '/api/accounts', {
      name: 'Harbor',
      sendingAddress: 'office@harbor.example',
      method: 'default',
    });
    accountId = created.body.account.id;
  });

  after(async () => {
    await server?.close();
    await relay?.close();
  });

  /** Delivers a message to the listener as a receiving server returns a bounce: MAIL FROM:<>. */
  async function deliver(to: string, raw: string) {
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: server.bounceSmtpPort ?? 0,
      secure: false,
      ignoreTLS: true,
    });
    try {
      return await transport.sendMail({ envelope: { from: '', to: [to] }, raw });
    } finally {
      transport.close();
    }
  }

  it('stores a bounce sent to the VERP return path and bounces the send', async () => {
    const sent = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to: 'gone@guests.example',
      subject: 'Hello',
      text: 'Hi',
      kind: 'manual',
    });
    const returnPath = relay.messages.at(-1)?.from ?? '';
    const info = await deliver(
      returnPath,
      dsnMessage({ to: returnPath, recipient: 'gone@guests.example' }),
    );
    assert.match(info.response, /^250 .*stored as bounce \d+/);
    const send = (await server.request('GET', `/api/sends/${sent.body.sends[0].id}`)).body.send;
    assert.equal(send.state, 'bounced');
    const [bounce] = (await server.request('GET', '/api/bounces')).body.bounces;
    assert.equal(bounce.source, 'inbound-smtp');
    assert.equal(bounce.envelopeTo, returnPath);
    assert.equal(bounce.recipients[0].matchedBy, 'verp');
  });

  it('refuses a VERP address whose tag this server did not make', async () => {
    const forged = `bounces+${'0'.repeat(32)}.0123456789@mail.platform.example`;
    await assert.rejects(
      deliver(forged, 'Subject: x\r\n\r\nx'),
      (error: { responseCode?: number }) => error.responseCode === 550,
    );
  });

  it('refuses other recipients, so it never relays', async () => {
    await assert.rejects(
      deliver('someone@guests.example', 'Subject: x\r\n\r\nx'),
      (error: { responseCode?: number }) => error.responseCode === 550,
    );
    await assert.rejects(
      deliver('bounces@other-domain.example', 'Subject: x\r\n\r\nx'),
      (error: { responseCode?: number }) => error.responseCode === 550,
    );
  });

  it('refuses a message over the size limit and keeps serving', async () => {
    const big = `Subject: big\r\n\r\n${'x'.repeat(2 * 1024 * 1024)}`;
    await assert.rejects(
      deliver('bounces@mail.platform.example', big),
      (error: { responseCode?: number }) => error.responseCode === 552,
    );
    const info = await deliver('bounces@mail.platform.example', 'Subject: small\r\n\r\nsmall');
    assert.match(info.response, /^250 /);
  });
});
