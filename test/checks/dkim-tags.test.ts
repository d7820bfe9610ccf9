import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { checkDkim, selectorProbes } from '../../server/checks/dkim.js';
import type { DkimSelectorReport } from '../../server/checks/types.js';
import type { Resolver } from '../../server/dns/types.js';
import { withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';
import { rsaPublicKeyBase64, TEST_PLATFORM } from '../support/zones.js';

const KEY_2048 = rsaPublicKeyBase64(2048);
const NAME = 'sel._domainkey.example.com';

function ed25519Key(): string {
  const { publicKey } = generateKeyPairSync('ed25519');
  // RFC 8463 4.2: p= contains the raw 32-byte key, the last 32 bytes of the SPKI encoding.
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
}

async function probe(records: ZoneRecord[]): Promise<DkimSelectorReport> {
  const report = await withZone(records, (resolver) =>
    checkDkim([{ selector: 'sel', domain: 'example.com', usedBy: ['configured'] }], resolver),
  );
  const selector = report.selectors[0];
  assert.ok(selector);
  return selector;
}

async function probeRecord(text: string): Promise<DkimSelectorReport> {
  return probe([{ name: NAME, type: 'TXT', data: [text] }]);
}

function codes(report: DkimSelectorReport): string[] {
  return report.findings.map((item) => item.code);
}

interface TagCase {
  name: string;
  record: string;
  status: DkimSelectorReport['status'];
  codes: string[];
}

const TAG_CASES: TagCase[] = [
  {
    name: 'v=DKIM1 first: valid',
    record: `v=DKIM1; k=rsa; p=${KEY_2048}`,
    status: 'valid',
    codes: [],
  },
  {
    name: 'v not first: invalid',
    record: `k=rsa; v=DKIM1; p=${KEY_2048}`,
    status: 'invalid',
    codes: ['dkim.invalid_version'],
  },
  {
    name: 'v=DKIM2: invalid',
    record: `v=DKIM2; p=${KEY_2048}`,
    status: 'invalid',
    codes: ['dkim.invalid_version'],
  },
  {
    name: 'unknown k=dsa: invalid',
    record: `v=DKIM1; k=dsa; p=${KEY_2048}`,
    status: 'invalid',
    codes: ['dkim.unknown_key_type'],
  },
  {
    name: 'empty p=: revoked',
    record: 'v=DKIM1; k=rsa; p=',
    status: 'revoked',
    codes: ['dkim.revoked'],
  },
  {
    name: 'spaces inside p=: valid',
    record: `v=DKIM1; p=${KEY_2048.slice(0, 40)} ${KEY_2048.slice(40)}`,
    status: 'valid',
    codes: [],
  },
  {
    name: 'h=sha256: valid',
    record: `v=DKIM1; h=sha256; p=${KEY_2048}`,
    status: 'valid',
    codes: [],
  },
  {
    name: 'h=sha1: deprecated',
    record: `v=DKIM1; h=sha1; p=${KEY_2048}`,
    status: 'valid',
    codes: ['dkim.sha1_hash'],
  },
  {
    name: 'h=sha1:sha256: deprecated',
    record: `v=DKIM1; h=sha1:sha256; p=${KEY_2048}`,
    status: 'valid',
    codes: ['dkim.sha1_hash'],
  },
  {
    name: 'h=md5: invalid',
    record: `v=DKIM1; h=md5; p=${KEY_2048}`,
    status: 'invalid',
    codes: ['dkim.invalid_hash_list'],
  },
  {
    name: 't=y: testing',
    record: `v=DKIM1; t=y; p=${KEY_2048}`,
    status: 'valid',
    codes: ['dkim.testing'],
  },
  {
    name: 't=s: strict',
    record: `v=DKIM1; t=s; p=${KEY_2048}`,
    status: 'valid',
    codes: ['dkim.strict_subdomains'],
  },
  {
    name: 't=y:s: both',
    record: `v=DKIM1; t=y:s; p=${KEY_2048}`,
    status: 'valid',
    codes: ['dkim.testing', 'dkim.strict_subdomains'],
  },
  { name: 's=email: valid', record: `v=DKIM1; s=email; p=${KEY_2048}`, status: 'valid', codes: [] },
  { name: 's=*: valid', record: `v=DKIM1; s=*; p=${KEY_2048}`, status: 'valid', codes: [] },
  {
    name: 's=other: invalid',
    record: `v=DKIM1; s=other; p=${KEY_2048}`,
    status: 'invalid',
    codes: ['dkim.invalid_service'],
  },
  {
    name: 'n= notes ignored',
    record: `v=DKIM1; n=rotated in May; p=${KEY_2048}`,
    status: 'valid',
    codes: [],
  },
  {
    name: 'two p= tags: invalid',
    record: `v=DKIM1; p=${KEY_2048}; p=${KEY_2048}`,
    status: 'invalid',
    codes: ['dkim.duplicate_tag'],
  },
];

describe('DKIM key record tags', () => {
  for (const testCase of TAG_CASES) {
    it(testCase.name, async () => {
      const report = await probeRecord(testCase.record);
      assert.equal(report.status, testCase.status);
      assert.deepEqual(codes(report), testCase.codes);
    });
  }

  it('t=y is a warning, t=s info', async () => {
    const report = await probeRecord(`v=DKIM1; t=y:s; p=${KEY_2048}`);
    assert.deepEqual(
      report.findings.map((item) => item.severity),
      ['warning', 'info'],
    );
  });

  it('ed25519 key of 32 bytes', async () => {
    const report = await probeRecord(`v=DKIM1; k=ed25519; p=${ed25519Key()}`);
    assert.equal(report.status, 'valid');
    assert.equal(report.keyType, 'ed25519');
    assert.equal(report.keyBits, 256);
    assert.deepEqual(codes(report), []);
  });

  it('ed25519 key of 31 bytes', async () => {
    const short = Buffer.alloc(31, 7).toString('base64');
    const report = await probeRecord(`v=DKIM1; k=ed25519; p=${short}`);
    assert.equal(report.status, 'invalid');
    assert.deepEqual(codes(report), ['dkim.invalid_key']);
  });

  it('ed25519 SPKI instead of raw key', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const spki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const report = await probeRecord(`v=DKIM1; k=ed25519; p=${spki}`);
    assert.equal(report.status, 'invalid');
    assert.deepEqual(codes(report), ['dkim.invalid_key']);
  });

  it('two TXT records at a selector', async () => {
    const report = await probe([
      { name: NAME, type: 'TXT', data: [`v=DKIM1; p=${KEY_2048}`] },
      { name: NAME, type: 'TXT', data: [`v=DKIM1; p=${KEY_2048}`] },
    ]);
    assert.equal(report.status, 'invalid');
    assert.deepEqual(codes(report), ['dkim.multiple_records']);
  });
});

describe('DKIM selector CNAMEs', () => {
  it('CNAME target reported', async () => {
    const report = await probe([
      { name: NAME, type: 'CNAME', data: 'dkim1.mandrillapp.com' },
      { name: 'dkim1.mandrillapp.com', type: 'TXT', data: [`v=DKIM1; k=rsa; p=${KEY_2048}`] },
    ]);
    assert.equal(report.status, 'valid');
    assert.equal(report.cnameTarget, 'dkim1.mandrillapp.com');
    assert.equal(report.keyBits, 2048);
    assert.deepEqual(codes(report), []);
  });

  it('CNAME to a name without key', async () => {
    const report = await probe([
      { name: NAME, type: 'CNAME', data: 'gone.example.net' },
      { name: 'gone.example.net', type: 'A', data: '192.0.2.1' },
    ]);
    assert.equal(report.status, 'missing');
    assert.equal(report.cnameTarget, 'gone.example.net');
    assert.deepEqual(codes(report), ['dkim.cname_without_key']);
  });

  it('plain TXT has no CNAME target', async () => {
    const report = await probeRecord(`v=DKIM1; p=${KEY_2048}`);
    assert.equal(report.cnameTarget, undefined);
  });
});

describe('DKIM selector probes', () => {
  it('configured selectors are probed', async () => {
    const probes = selectorProbes('example.com', TEST_PLATFORM, ['Sel', 'other']);
    const configured = probes.filter((item) => item.usedBy.includes('configured'));
    assert.deepEqual(
      configured.map((item) => `${item.selector}._domainkey.${item.domain}`),
      ['sel._domainkey.example.com', 'other._domainkey.example.com'],
    );
    const report = await withZone(
      [{ name: NAME, type: 'TXT', data: [`v=DKIM1; p=${KEY_2048}`] }],
      (resolver) => checkDkim(configured, resolver),
    );
    assert.deepEqual(
      report.selectors.map((item) => item.status),
      ['valid', 'missing'],
    );
  });

  it('probes run in parallel', async () => {
    const probes = selectorProbes('example.com', TEST_PLATFORM, ['sel']);
    await withZone(
      [{ name: NAME, type: 'TXT', data: [`v=DKIM1; p=${KEY_2048}`] }],
      async (base) => {
        // Counts the TXT queries in flight at once; the queries still go to the loopback server.
        let inFlight = 0;
        let maxInFlight = 0;
        const resolver: Resolver = async (name, type) => {
          const counted = type === 'TXT';
          if (counted) {
            inFlight += 1;
            maxInFlight = Math.max(maxInFlight, inFlight);
          }
          try {
            return await base(name, type);
          } finally {
            if (counted) {
              inFlight -= 1;
            }
          }
        };
        const report = await checkDkim(probes, resolver);
        assert.equal(report.selectors.length, probes.length);
        assert.equal(maxInFlight, probes.length);
      },
    );
  });
});
