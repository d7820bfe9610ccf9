import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  ANALYSIS_KEYS,
  ANALYSIS_PLATFORM_ENV,
  MANAGER_IP,
  analysisZone,
} from '../support/analysis-zone.js';
import { composeMessage, prependHeaders, replaceText } from '../support/dkim-signing.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { sessionCookieOf, startTestServer, type TestServer } from '../support/server.js';

const MANAGER = 'office@harbor-rentals.example';
const RECEIVED = `Received: from mail.harbor-rentals.example (mail.harbor-rentals.example [${MANAGER_IP}]) by mx1.guests.example with ESMTPS; Fri, 4 Dec 2026 10:00:07 +0000`;

interface RawResponse {
  status: number;
  body: any;
}

/** Posts `body` as a raw message with the admin's session. */
async function postRaw(
  server: TestServer,
  cookie: string,
  body: Buffer,
  contentType = 'message/rfc822',
  query = '',
): Promise<RawResponse> {
  const response = await fetch(`${server.url}/api/analyze${query}`, {
    method: 'POST',
    headers: { 'content-type': contentType, cookie },
    body: new Uint8Array(body),
  });
  return { status: response.status, body: await response.json() };
}

/**
 * Streams `totalBytes` of message text in 1 MiB chunks without a Content-Length (chunked), so
 * the server learns the size only while reading, and resolves with the response.
 */
function streamLargeBody(server: TestServer, cookie: string, totalBytes: number) {
  return new Promise<RawResponse>((resolve, reject) => {
    const url = new URL(`${server.url}/api/analyze`);
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'message/rfc822', cookie },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          resolve({
            status: response.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          });
        });
      },
    );
    request.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let sent = 0;
    const writeMore = (): void => {
      while (sent < totalBytes) {
        sent += chunk.length;
        if (!request.write(chunk)) {
          request.once('drain', writeMore);
          return;
        }
      }
      request.end();
    };
    request.write('From: office@harbor-rentals.example\r\nSubject: large\r\n\r\n');
    writeMore();
  });
}

describe('POST /api/analyze', () => {
  let dns: DnsServer;
  let server: TestServer;
  let cookie: string;

  before(async () => {
    dns = await startDnsServer(analysisZone());
    server = await startTestServer({
      DELIVERABILITY_DNS: dns.address,
      DELIVERABILITY_DOMAIN_CHECKS_PER_MINUTE: '100',
      ...ANALYSIS_PLATFORM_ENV,
    });
    const login = await fetch(`${server.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@desk.example', password: 'admin-password-123' }),
    });
    cookie = sessionCookieOf({ status: login.status, headers: login.headers, body: null });
  });

  after(async () => {
    await server?.close();
    await dns?.close();
  });

  it('raw message with a Received chain', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const response = await postRaw(server, cookie, prependHeaders(signed, [RECEIVED]));
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.envelope.ip, MANAGER_IP);
    assert.equal(response.body.spf.result, 'pass');
    assert.equal(response.body.dkim[0].result, 'pass');
    assert.equal(response.body.dmarc.result, 'pass');
    assert.equal(response.body.method.method, 'smtp');
  });

  it('text/plain with ip in the query', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const response = await postRaw(server, cookie, signed, 'text/plain', `?ip=${MANAGER_IP}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.envelope.ipSource, 'given');
    assert.equal(response.body.spf.result, 'pass');
  });

  it('JSON body with message and ip', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.platform });
    const response = await server.request('POST', '/api/analyze', {
      message: signed.toString('utf8'),
      ip: '203.0.113.10',
      sender: 'bounces@bounce.platform.example',
    });
    assert.equal(response.status, 200, JSON.stringify(response.body));
    assert.equal(response.body.method.method, 'default');
    assert.equal(response.body.dmarc.disposition, 'reject');
    assert.equal(response.body.diagnosis.causes[0].code, 'dmarc.reject_unaligned');
  });

  it('altered body names the cause', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const altered = replaceText(signed, 'under the mat', 'under the pot');
    const response = await postRaw(server, cookie, altered);
    assert.equal(response.status, 200);
    const codes = response.body.diagnosis.causes.map((cause: { code: string }) => cause.code);
    assert.ok(codes.includes('dkim.body_hash_mismatch'), codes.join(', '));
  });

  it('invalid ip in the query', async () => {
    const signed = await composeMessage({ from: MANAGER });
    const response = await postRaw(server, cookie, signed, 'message/rfc822', '?ip=not-an-ip');
    assert.equal(response.status, 400);
    assert.equal(response.body.error.code, 'invalid_message');
    assert.match(response.body.error.message, /Invalid client IP "not-an-ip"/);
  });

  it('50 MB body gets 413', async () => {
    const response = await streamLargeBody(server, cookie, 50 * 1024 * 1024);
    assert.equal(response.status, 413);
    assert.equal(response.body.error.code, 'message_too_large');
    assert.equal(response.body.error.details.limit, 25 * 1024 * 1024);
    assert.match(response.body.error.message, /26214400 bytes \(25 MiB\)/);
    const session = await server.request('GET', '/api/session');
    assert.equal(session.status, 200);
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    assert.equal((await postRaw(server, cookie, signed)).status, 200);
  });

  it('binary junk is no server error', async () => {
    const junk = Buffer.alloc(256 * 1024);
    for (let i = 0; i < junk.length; i += 1) junk[i] = (i * 2654435761) >>> 24;
    const response = await postRaw(server, cookie, junk, 'message/rfc822');
    assert.ok(response.status === 200 || response.status === 400, String(response.status));
    if (response.status === 400) {
      assert.equal(response.body.error.code, 'invalid_message');
    }
  });

  it('message without header fields', async () => {
    const response = await postRaw(server, cookie, Buffer.from('just a note\r\n'), 'text/plain');
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /no header fields/);
  });

  it('missing body', async () => {
    const response = await fetch(`${server.url}/api/analyze`, {
      method: 'POST',
      headers: { cookie },
    });
    const body = await response.json();
    assert.equal(response.status, 400);
    assert.equal(body.error.code, 'invalid_input');
    assert.match(body.error.message, /message\/rfc822/);
  });

  it('JSON without message', async () => {
    const response = await server.request('POST', '/api/analyze', { ip: MANAGER_IP });
    assert.equal(response.status, 400);
    assert.match(response.body.error.message, /message/);
  });

  it('support user may analyze', async () => {
    const created = await server.request('POST', '/api/users', {
      email: 'support@desk.example',
      name: 'Support',
      role: 'support',
      accountIds: [],
      password: 'long-password-42',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const support = await server.login('support@desk.example', 'long-password-42');
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const response = await support('POST', '/api/analyze', { message: signed.toString('utf8') });
    assert.equal(response.status, 200, JSON.stringify(response.body));
  });
});

describe('POST /api/analyze rate limit', () => {
  let dns: DnsServer;
  let server: TestServer;

  before(async () => {
    dns = await startDnsServer(analysisZone());
    server = await startTestServer({
      DELIVERABILITY_DNS: dns.address,
      DELIVERABILITY_DOMAIN_CHECKS_PER_MINUTE: '2',
    });
  });

  after(async () => {
    await server?.close();
    await dns?.close();
  });

  it('third analysis in a minute gets 429', async () => {
    const message = (await composeMessage({ from: MANAGER })).toString('utf8');
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push((await server.request('POST', '/api/analyze', { message })).status);
    }
    assert.deepEqual(statuses, [200, 200, 429]);
    const limited = await server.request('POST', '/api/analyze', { message });
    assert.equal(limited.body.error.code, 'rate_limited');
  });
});
