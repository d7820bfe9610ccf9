import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import selfsigned from 'selfsigned';
import { checkRelated, fetchMtaStsPolicyOverHttps } from '../../server/checks/related/index.js';
import type { RelatedReport } from '../../server/checks/related/index.js';
import type { Finding } from '../../server/checks/types.js';
import { withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';

const ENFORCE_WILDCARD = 'version: STSv1\nmode: enforce\nmx: *.example.com\nmax_age: 604800\n';

function zone(stsRecords: string[], mx = 'mx1.example.com'): ZoneRecord[] {
  return [
    { name: 'example.com', type: 'MX', data: { priority: 10, exchange: mx } },
    { name: mx, type: 'A', data: '192.0.2.25' },
    ...stsRecords.map((text): ZoneRecord => ({
      name: '_mta-sts.example.com',
      type: 'TXT',
      data: [text],
    })),
  ];
}

/** A fetcher that returns `text` and records the domains it was asked for. */
function fixedFetcher(text: string | null | Error): {
  fetch: (domain: string) => Promise<string | null>;
  calls: string[];
} {
  const calls: string[] = [];
  const fetch = async (domain: string): Promise<string | null> => {
    calls.push(domain);
    if (text instanceof Error) {
      throw text;
    }
    return text;
  };
  return { fetch, calls };
}

async function mtaSts(
  records: ZoneRecord[],
  fetch: (domain: string) => Promise<string | null>,
): Promise<RelatedReport> {
  return withZone(records, (resolver) =>
    checkRelated({
      domain: 'example.com',
      sendingIps: [],
      resolver,
      options: { fetchMtaStsPolicy: fetch },
    }),
  );
}

function stsCodes(report: RelatedReport): string[] {
  return report.findings
    .filter((item) => item.code.startsWith('mta_sts.'))
    .map((item) => item.code);
}

/** Returns the first finding whose code starts with `prefix`. */
function firstFinding(report: RelatedReport, prefix: string): Finding | undefined {
  return report.findings.find((item) => item.code.startsWith(prefix));
}

describe('related checks: MTA-STS', () => {
  it('enforce policy covers MX', async () => {
    const fetcher = fixedFetcher(ENFORCE_WILDCARD);
    const report = await mtaSts(zone(['v=STSv1; id=20260101T000000;']), fetcher.fetch);
    assert.deepEqual(report.mtaSts, {
      status: 'valid',
      records: ['v=STSv1; id=20260101T000000;'],
      id: '20260101T000000',
      policy: { version: 'STSv1', mode: 'enforce', mx: ['*.example.com'], maxAge: 604800 },
      coverage: [{ host: 'mx1.example.com', pattern: '*.example.com' }],
    });
    assert.deepEqual(stsCodes(report), []);
    assert.deepEqual(fetcher.calls, ['example.com']);
  });

  it('enforce policy missing MX is error', async () => {
    const policy = 'version: STSv1\nmode: enforce\nmx: mail.example.net\nmax_age: 604800\n';
    const report = await mtaSts(zone(['v=STSv1; id=abc123']), fixedFetcher(policy).fetch);
    assert.equal(report.mtaSts.status, 'valid');
    assert.deepEqual(report.mtaSts.coverage, [{ host: 'mx1.example.com', pattern: null }]);
    assert.deepEqual(stsCodes(report), ['mta_sts.mx_not_covered']);
    assert.equal(
      report.findings.find((item) => item.code === 'mta_sts.mx_not_covered')?.severity,
      'error',
    );
  });

  it('wildcard covers one label only', async () => {
    const report = await mtaSts(
      zone(['v=STSv1; id=abc123'], 'a.mx.example.com'),
      fixedFetcher(ENFORCE_WILDCARD).fetch,
    );
    assert.deepEqual(report.mtaSts.coverage, [{ host: 'a.mx.example.com', pattern: null }]);
    assert.deepEqual(stsCodes(report), ['mta_sts.mx_not_covered']);
  });

  it('testing policy missing MX is warning', async () => {
    const policy = 'version: STSv1\r\nmode: testing\r\nmx: mail.example.net\r\nmax_age: 604800\r\n';
    const report = await mtaSts(zone(['v=STSv1; id=abc123']), fixedFetcher(policy).fetch);
    assert.equal(report.mtaSts.policy?.mode, 'testing');
    assert.deepEqual(stsCodes(report), ['mta_sts.mx_not_covered']);
    assert.equal(
      report.findings.find((item) => item.code === 'mta_sts.mx_not_covered')?.severity,
      'warning',
    );
  });

  it('bad id is an invalid record', async () => {
    const fetcher = fixedFetcher(ENFORCE_WILDCARD);
    const report = await mtaSts(zone(['v=STSv1; id=2026-01-01']), fetcher.fetch);
    assert.deepEqual(report.mtaSts, {
      status: 'invalid',
      records: ['v=STSv1; id=2026-01-01'],
      id: null,
      policy: null,
      coverage: [],
    });
    assert.deepEqual(stsCodes(report), ['mta_sts.invalid_record']);
    assert.match(
      firstFinding(report, 'mta_sts.')?.message ?? '',
      /id "2026-01-01" is not 1 to 32 letters and digits/,
    );
    assert.deepEqual(fetcher.calls, []);
  });

  it('id over 32 characters is invalid', async () => {
    const report = await mtaSts(
      zone([`v=STSv1; id=${'a'.repeat(33)}`]),
      fixedFetcher(ENFORCE_WILDCARD).fetch,
    );
    assert.equal(report.mtaSts.status, 'invalid');
  });

  it('two records are invalid', async () => {
    const fetcher = fixedFetcher(ENFORCE_WILDCARD);
    const report = await mtaSts(
      zone(['v=STSv1; id=one', 'v=STSv1; id=two', 'unrelated=1']),
      fetcher.fetch,
    );
    assert.equal(report.mtaSts.status, 'invalid');
    assert.deepEqual([...report.mtaSts.records].sort(), ['v=STSv1; id=one', 'v=STSv1; id=two']);
    assert.deepEqual(stsCodes(report), ['mta_sts.invalid_record']);
    assert.match(firstFinding(report, 'mta_sts.')?.message ?? '', /2 v=STSv1 records/);
    assert.deepEqual(fetcher.calls, []);
  });

  it('no record, no fetch', async () => {
    const fetcher = fixedFetcher(ENFORCE_WILDCARD);
    const report = await mtaSts(zone([]), fetcher.fetch);
    assert.deepEqual(report.mtaSts, {
      status: 'none',
      records: [],
      id: null,
      policy: null,
      coverage: [],
    });
    assert.deepEqual(stsCodes(report), []);
    assert.deepEqual(fetcher.calls, []);
  });

  it('policy 404 is policy_missing', async () => {
    const report = await mtaSts(zone(['v=STSv1; id=abc123']), fixedFetcher(null).fetch);
    assert.equal(report.mtaSts.status, 'policy_missing');
    assert.deepEqual(stsCodes(report), ['mta_sts.policy_missing']);
  });

  it('policy without mode is invalid', async () => {
    const policy = 'version: STSv1\nmx: mx1.example.com\nmax_age: 604800\n';
    const report = await mtaSts(zone(['v=STSv1; id=abc123']), fixedFetcher(policy).fetch);
    assert.equal(report.mtaSts.status, 'policy_invalid');
    assert.deepEqual(stsCodes(report), ['mta_sts.policy_invalid']);
  });

  it('policy with exponent max_age is invalid', async () => {
    const policy = 'version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 1e5\n';
    const report = await mtaSts(zone(['v=STSv1; id=abc123']), fixedFetcher(policy).fetch);
    assert.equal(report.mtaSts.status, 'policy_invalid');
  });

  it('short max_age is info', async () => {
    const policy = 'version: STSv1\nmode: enforce\nmx: mx1.example.com\nmax_age: 3600\n';
    const report = await mtaSts(zone(['v=STSv1; id=abc123']), fixedFetcher(policy).fetch);
    assert.equal(report.mtaSts.status, 'valid');
    assert.deepEqual(stsCodes(report), ['mta_sts.short_max_age']);
  });

  it('fetch failure is fetch_failed', async () => {
    const report = await mtaSts(
      zone(['v=STSv1; id=abc123']),
      fixedFetcher(new Error('connection reset')).fetch,
    );
    assert.equal(report.mtaSts.status, 'fetch_failed');
    assert.deepEqual(stsCodes(report), ['mta_sts.fetch_failed']);
    assert.match(firstFinding(report, 'mta_sts.')?.message ?? '', /connection reset/);
  });
});

interface PolicyServer {
  port: number;
  ca: string;
  requests: string[];
  close(): Promise<void>;
}

// A loopback HTTPS server with a self-signed certificate for mta-sts.example.com.
async function startPolicyServer(): Promise<PolicyServer> {
  const pems = selfsigned.generate([{ name: 'commonName', value: 'mta-sts.example.com' }], {
    days: 7,
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'mta-sts.example.com' },
          { type: 2, value: 'mta-sts.missing.example' },
          { type: 2, value: 'mta-sts.moved.example' },
        ],
      },
    ],
  });
  const requests: string[] = [];
  const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    requests.push(`${req.headers.host ?? ''}${req.url ?? ''}`);
    if (req.headers.host === 'mta-sts.example.com' && req.url === '/.well-known/mta-sts.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(ENFORCE_WILDCARD);
    } else if (req.headers.host === 'mta-sts.moved.example') {
      res.writeHead(301, { location: 'https://elsewhere.example/' }).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const close = (): Promise<void> => new Promise((resolve) => server.close(() => resolve()));
  return { port, ca: pems.cert, requests, close };
}

const FETCH_ZONE: ZoneRecord[] = [
  ...zone(['v=STSv1; id=abc123']),
  { name: 'mta-sts.example.com', type: 'A', data: '127.0.0.1' },
  { name: 'mta-sts.missing.example', type: 'A', data: '127.0.0.1' },
  { name: 'mta-sts.moved.example', type: 'A', data: '127.0.0.1' },
];

describe('related checks: MTA-STS over HTTPS', () => {
  let server: PolicyServer;
  before(async () => {
    server = await startPolicyServer();
  });
  after(async () => {
    await server.close();
  });

  const loopbackOnly = (address: string): boolean => address === '127.0.0.1';

  it('fetches and checks the policy', async () => {
    const report = await withZone(FETCH_ZONE, (resolver) =>
      checkRelated({
        domain: 'example.com',
        sendingIps: [],
        resolver,
        options: {
          fetchMtaStsPolicy: (domain) =>
            fetchMtaStsPolicyOverHttps(domain, {
              resolver,
              port: server.port,
              ca: server.ca,
              allowAddress: loopbackOnly,
            }),
        },
      }),
    );
    assert.equal(report.mtaSts.status, 'valid');
    assert.deepEqual(report.mtaSts.coverage, [
      { host: 'mx1.example.com', pattern: '*.example.com' },
    ]);
    assert.ok(server.requests.includes('mta-sts.example.com/.well-known/mta-sts.txt'));
  });

  it('404 returns null', async () => {
    const text = await withZone(FETCH_ZONE, (resolver) =>
      fetchMtaStsPolicyOverHttps('missing.example', {
        resolver,
        port: server.port,
        ca: server.ca,
        allowAddress: loopbackOnly,
      }),
    );
    assert.equal(text, null);
  });

  it('redirect is not followed', async () => {
    await withZone(FETCH_ZONE, (resolver) =>
      assert.rejects(
        fetchMtaStsPolicyOverHttps('moved.example', {
          resolver,
          port: server.port,
          ca: server.ca,
          allowAddress: loopbackOnly,
        }),
        /answered HTTP 301 \(redirects are not followed/,
      ),
    );
  });

  it('untrusted certificate fails', async () => {
    await withZone(FETCH_ZONE, (resolver) =>
      assert.rejects(
        fetchMtaStsPolicyOverHttps('example.com', {
          resolver,
          port: server.port,
          allowAddress: loopbackOnly,
        }),
        /self-signed certificate/,
      ),
    );
  });

  it('certificate for another host fails', async () => {
    const records: ZoneRecord[] = [{ name: 'mta-sts.other.example', type: 'A', data: '127.0.0.1' }];
    await withZone(records, (resolver) =>
      assert.rejects(
        fetchMtaStsPolicyOverHttps('other.example', {
          resolver,
          port: server.port,
          ca: server.ca,
          allowAddress: loopbackOnly,
        }),
        /altnames/,
      ),
    );
  });

  it('non-public address is not contacted', async () => {
    const before = server.requests.length;
    await withZone(FETCH_ZONE, (resolver) =>
      assert.rejects(
        fetchMtaStsPolicyOverHttps('example.com', { resolver, port: server.port, ca: server.ca }),
        /resolves to 127\.0\.0\.1, which is not a public address/,
      ),
    );
    assert.equal(server.requests.length, before);
  });

  it('host without address fails', async () => {
    await withZone(FETCH_ZONE, (resolver) =>
      assert.rejects(
        fetchMtaStsPolicyOverHttps('nowhere.example', {
          resolver,
          port: server.port,
          ca: server.ca,
          allowAddress: loopbackOnly,
        }),
        /mta-sts\.nowhere\.example has no A or AAAA record/,
      ),
    );
  });
});
