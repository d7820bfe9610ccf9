import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';

const HUMAN =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120 Safari/537.36';

describe('open and click tracking of default and smtp mail', () => {
  let relay: SmtpPeer;
  let server: TestServer;
  let tracked: number;
  let plain: number;

  before(async () => {
    relay = await startSmtpPeer();
    server = await startTestServer({ DELIVERABILITY_RELAY_URL: `smtp://127.0.0.1:${relay.port}` });
    const account = async (name: string, settings: object) =>
      (
        await server.request('POST', '/api/accounts', {
          name,
          sendingAddress: `office@${name.toLowerCase()}.example`,
          method: 'default',
          settings,
        })
      ).body.account.id as number;
    tracked = await account('Tracked', { tracking: { opens: true, clicks: true } });
    plain = await account('Plain', {});
  });

  after(async () => {
    await server?.close();
    await relay?.close();
  });

  async function send(accountId: number, to: string[]) {
    const before = relay.messages.length;
    const response = await server.request('POST', `/api/accounts/${accountId}/sends`, {
      to,
      subject: 'Your booking',
      text: 'See you Friday.',
      html: '<p><a href="https://stay.example/book?x=1&amp;y=2">Book</a> <a href="mailto:desk@stay.example">Mail us</a></p>',
      kind: 'manual',
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    const messages = await Promise.all(
      relay.messages
        .slice(before)
        .map(async (m) => ({ to: m.to, html: String((await simpleParser(m.raw)).html) })),
    );
    return { sends: response.body.sends as { id: number; recipient: string }[], messages };
  }

  const pixelOf = (html: string) => /<img src="([^"]+\/t\/o\/[^"]+)"/.exec(html)?.[1] ?? '';
  const clickOf = (html: string) =>
    (/<a href="([^"]+\/t\/c\/[^"]+)"/.exec(html)?.[1] ?? '').replace(/&amp;/g, '&');
  const sendOf = async (id: number) => (await server.request('GET', `/api/sends/${id}`)).body;

  it('gives each recipient a message with their own pixel and links', async () => {
    const { messages } = await send(tracked, ['a@guests.example', 'b@guests.example']);
    assert.equal(messages.length, 2, 'one message per recipient');
    const [first, second] = messages;
    assert.ok(pixelOf(first?.html ?? ''));
    assert.ok(pixelOf(second?.html ?? ''));
    assert.notEqual(pixelOf(first?.html ?? ''), pixelOf(second?.html ?? ''));
    assert.match(first?.html ?? '', /href="mailto:desk@stay\.example"/, 'mailto links stay');
  });

  it('counts a reader opening once per second, and a scanner not at all', async () => {
    const { sends, messages } = await send(tracked, ['open@guests.example']);
    const pixel = pixelOf(messages[0]?.html ?? '');
    const image = await fetch(pixel, { headers: { 'user-agent': HUMAN } });
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/gif');
    await fetch(pixel, {
      headers: { 'user-agent': 'Mozilla/5.0 (compatible; Barracuda Sentinel)' },
    });
    const detail = await sendOf(sends[0]?.id ?? 0);
    assert.equal(detail.send.opensTracked, true);
    assert.equal(detail.send.opens, 1);
    const opens = detail.events.filter((e: { type: string }) => e.type === 'open');
    assert.equal(opens.length, 2);
    assert.deepEqual(opens.map((e: { data: { machine: boolean } }) => e.data.machine).sort(), [
      false,
      true,
    ]);
  });

  it('redirects a click to the original link and counts it', async () => {
    const { sends, messages } = await send(tracked, ['click@guests.example']);
    const link = clickOf(messages[0]?.html ?? '');
    const response = await fetch(link, { redirect: 'manual', headers: { 'user-agent': HUMAN } });
    assert.equal(response.status, 302);
    assert.equal(response.headers.get('location'), 'https://stay.example/book?x=1&y=2');
    const detail = await sendOf(sends[0]?.id ?? 0);
    assert.equal(detail.send.clicks, 1);
    assert.equal(
      detail.events.find((e: { type: string }) => e.type === 'click')?.data.url,
      'https://stay.example/book?x=1&y=2',
    );
  });

  it('is no open redirect: a changed link or token is refused', async () => {
    const { messages } = await send(tracked, ['forge@guests.example']);
    const link = new URL(clickOf(messages[0]?.html ?? ''));
    link.searchParams.set('u', 'https://evil.example/');
    assert.equal((await fetch(link, { redirect: 'manual' })).status, 404);
    const forged = link.href.replace(/\/t\/c\/(\d+)\.[^?]+/, '/t/c/$1.AAAAAAAAAAAAAAAA');
    assert.equal((await fetch(forged, { redirect: 'manual' })).status, 404);
  });

  it('leaves the mail of an account without tracking as it is', async () => {
    const { sends, messages } = await send(plain, ['x@guests.example', 'y@guests.example']);
    assert.equal(messages.length, 1, 'one message for both recipients');
    assert.doesNotMatch(messages[0]?.html ?? '', /\/t\/[oc]\//);
    assert.equal((await sendOf(sends[0]?.id ?? 0)).send.opensTracked, false);
  });

  it('rates default opens over tracked sends only', async () => {
    // The tests above sent five tracked messages, one opened by a reader, and two untracked.
    const summary = (await server.request('GET', '/api/reports/summary?days=1')).body;
    const row = summary.methods.find((m: { method: string }) => m.method === 'default');
    assert.equal(row.delivered, 7);
    assert.equal(row.openRateBase, 5);
    assert.equal(row.openRateOpened, 1);
    assert.equal(row.openRate, 0.2);
    assert.ok(row.intervals.openRate.low < 0.2 && row.intervals.openRate.high > 0.2);
  });
});
