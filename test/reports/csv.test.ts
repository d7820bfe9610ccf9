import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { neutralizeCell, toCsv } from '../../server/reports/csv.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peers.js';

describe('CSV export', () => {
  it('neutralizes cells a spreadsheet would run as formulas', () => {
    for (const cell of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) {
      assert.equal(neutralizeCell(cell), `'${cell}`);
    }
    assert.equal(neutralizeCell('guest@guests.example'), 'guest@guests.example');
    assert.equal(neutralizeCell(-3), -3, 'a number is not text and stays a number');
  });

  it('quotes commas, quotes and line breaks, with CRLF line ends', () => {
    const csv = toCsv(
      [
        { key: 'a', header: 'a' },
        { key: 'b', header: 'b' },
      ],
      [
        { a: 'one, two', b: 'say "hi"' },
        { a: 'line\nbreak', b: null },
      ],
    );
    assert.equal(csv, 'a,b\r\n"one, two","say ""hi"""\r\n"line\nbreak",\r\n');
  });

  describe('over HTTP', () => {
    let relay: SmtpPeer;
    let server: TestServer;

    before(async () => {
      relay = await startSmtpPeer();
      server = await startTestServer({
        DELIVERABILITY_RELAY_URL: `smtp://127.0.0.1:${relay.port}`,
      });
      const account = await server.request('POST', '/api/accounts', {
        name: 'Harbor, "North"',
        sendingAddress: 'office@harbor.example',
        method: 'default',
      });
      await server.request('POST', `/api/accounts/${account.body.account.id}/sends`, {
        to: ['guest@guests.example'],
        subject: '=HYPERLINK("http://evil.example","Your booking")',
        text: 'x',
        kind: 'manual',
      });
    });

    after(async () => {
      await server?.close();
      await relay?.close();
    });

    it('exports the sends as an attachment with the subject neutralized', async () => {
      const response = await fetch(`${server.url}/api/sends.csv`, {
        headers: { cookie: await cookieOf(server) },
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
      assert.match(
        response.headers.get('content-disposition') ?? '',
        /attachment; filename="?sends\.csv"?/,
      );
      const text = await response.text();
      const [header, row] = text.split('\r\n');
      assert.match(header ?? '', /^id,created_at,account,method,recipient,subject,state/);
      assert.match(
        row ?? '',
        /,"Harbor, ""North""",default,guest@guests\.example,"'=HYPERLINK\(""http:\/\/evil\.example"",""Your booking""\)",accepted,/,
      );
    });

    it('exports the summary per method', async () => {
      const response = await fetch(`${server.url}/api/reports/summary.csv?days=7`, {
        headers: { cookie: await cookieOf(server) },
      });
      const lines = (await response.text()).trim().split('\r\n');
      assert.equal(
        lines[0],
        'method,sent,delivered,bounced,softBounced,rejected,failed,opened,clicked,complained,' +
          'unsubscribed,openRateBase,clickRateBase,deliveryRate,bounceRate,openRate,clickRate,' +
          'complaintRate,unsubscribeRate',
      );
      assert.equal(lines.length, 4);
      // Untracked default mail: no open or click rate, and no unsubscribe rate at all.
      assert.match(lines[1] ?? '', /^default,1,1,0,0,0,0,0,0,0,0,0,0,1,0,,,0,$/);
    });
  });
});

/** Logs in as the admin and returns the session cookie, for requests that read raw text. */
async function cookieOf(server: TestServer): Promise<string> {
  const response = await fetch(`${server.url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@desk.example', password: 'admin-password-123' }),
  });
  return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}
