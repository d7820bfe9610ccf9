import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDkim } from '../../server/checks/dkim.js';
import { checkDmarc } from '../../server/checks/dmarc.js';
import type { DkimSelectorReport, DmarcReport } from '../../server/checks/types.js';
import { withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';
import { rsaPublicKeyBase64 } from '../support/zones.js';

const KEY_2048 = rsaPublicKeyBase64(2048);
const KEY_1024 = rsaPublicKeyBase64(1024);
const KEY_512 = rsaPublicKeyBase64(512);

async function probe(selector: string, strings: string[][]): Promise<DkimSelectorReport> {
  const name = `${selector}._domainkey.example.com`;
  const records: ZoneRecord[] = strings.map((data) => ({ name, type: 'TXT', data }));
  const report = await withZone(records, (resolver) =>
    checkDkim([{ selector, domain: 'example.com', usedBy: ['configured'] }], resolver),
  );
  const selectorReport = report.selectors[0];
  assert.ok(selectorReport);
  return selectorReport;
}

async function dmarcFor(domain: string, records: ZoneRecord[]): Promise<DmarcReport> {
  return withZone(records, (resolver) => checkDmarc(domain, resolver));
}

function dmarcAt(name: string, text: string): ZoneRecord {
  return { name, type: 'TXT', data: [text] };
}

describe('DMARC hard cases', () => {
  it('spaces around = and upper-case value', async () => {
    const report = await dmarcFor('example.com', [
      dmarcAt('_dmarc.example.com', 'v = DMARC1;p=ReJEct'),
    ]);
    assert.equal(report.status, 'valid');
    assert.equal(report.policy, 'reject');
    assert.deepEqual(report.findings, []);
  });

  it('upper-case tag names read with a warning', async () => {
    const report = await dmarcFor('example.com', [
      dmarcAt('_dmarc.example.com', 'V=DMARC1; P=reject'),
    ]);
    assert.equal(report.policy, 'reject');
    const warning = report.findings.find((item) => item.code === 'dmarc.uppercase_tag');
    assert.ok(warning);
    assert.equal(warning.severity, 'warning');
    assert.match(warning.message, /RFC 7489 6\.4/);
    assert.match(warning.message, /RFC 6376 3\.2/);
  });

  it('lower-case version value: ignored', async () => {
    const report = await dmarcFor('example.com', [
      dmarcAt('_dmarc.example.com', 'v=dmarc1; p=reject'),
    ]);
    assert.equal(report.status, 'none');
    assert.equal(report.policy, null);
    assert.ok(report.findings.some((item) => item.code === 'dmarc.invalid_version'));
  });

  it('subdomain inherits org reject', async () => {
    const report = await dmarcFor('mail.example.com', [
      dmarcAt('_dmarc.example.com', 'v=DMARC1; p=reject'),
    ]);
    assert.equal(report.inherited, true);
    assert.equal(report.recordDomain, 'example.com');
    assert.equal(report.organizationalDomain, 'example.com');
    assert.equal(report.policy, 'reject');
  });

  it('sp=none does not apply to the org domain', async () => {
    const report = await dmarcFor('example.com', [
      dmarcAt('_dmarc.example.com', 'v=DMARC1; p=reject; sp=none'),
    ]);
    assert.equal(report.inherited, false);
    assert.equal(report.policy, 'reject');
    assert.equal(report.subdomainPolicy, 'none');
  });

  it('p=none; sp=reject is none for the org domain', async () => {
    const report = await dmarcFor('example.com', [
      dmarcAt('_dmarc.example.com', 'v=DMARC1; p=none; sp=reject'),
    ]);
    assert.equal(report.policy, 'none');
    assert.equal(report.subdomainPolicy, 'reject');
  });

  it('p=none; sp=reject rejects for a subdomain', async () => {
    const report = await dmarcFor('news.example.com', [
      dmarcAt('_dmarc.example.com', 'v=DMARC1; p=none; sp=reject'),
    ]);
    assert.equal(report.policy, 'reject');
  });

  it('two records: no policy', async () => {
    const report = await dmarcFor('example.com', [
      dmarcAt('_dmarc.example.com', 'v=DMARC1; p=reject'),
      dmarcAt('_dmarc.example.com', 'v=DMARC1; p=none'),
    ]);
    assert.equal(report.status, 'permerror');
    assert.equal(report.policy, null);
    assert.ok(report.findings.some((item) => item.code === 'dmarc.multiple_records'));
  });

  it('parses pct, alignment and rua', async () => {
    const report = await dmarcFor('example.com', [
      dmarcAt(
        '_dmarc.example.com',
        'v=DMARC1; p=quarantine; pct=25; adkim=S; aspf=s; rua=mailto:a@example.com, mailto:b@example.net',
      ),
    ]);
    assert.equal(report.pct, 25);
    assert.equal(report.adkim, 's');
    assert.equal(report.aspf, 's');
    assert.deepEqual(report.rua, ['mailto:a@example.com', 'mailto:b@example.net']);
  });
});

describe('DKIM hard cases', () => {
  it('space inside p=: valid', async () => {
    const spaced = `${KEY_2048.slice(0, 100)} ${KEY_2048.slice(100)}`;
    const report = await probe('s1', [[`v=DKIM1; k=rsa; p=${spaced}`]]);
    assert.equal(report.status, 'valid');
    assert.equal(report.keyBits, 2048);
  });

  it('key split mid-string: valid', async () => {
    const record = `v=DKIM1; k=rsa; p=${KEY_2048}`;
    const report = await probe('s1', [[record.slice(0, 200), record.slice(200)]]);
    assert.equal(report.status, 'valid');
    assert.equal(report.keyBits, 2048);
    assert.equal(report.record, record);
  });

  it('no v= or k=: defaults', async () => {
    const report = await probe('s1', [[`p=${KEY_2048}`]]);
    assert.equal(report.status, 'valid');
    assert.equal(report.keyType, 'rsa');
  });

  it('empty p=: revoked', async () => {
    const report = await probe('s1', [['v=DKIM1; k=rsa; p=']]);
    assert.equal(report.status, 'revoked');
  });

  it('h=rsa-sha256: invalid hash list', async () => {
    const report = await probe('s1', [[`v=DKIM1; h=rsa-sha256; p=${KEY_2048}`]]);
    assert.equal(report.status, 'invalid');
    const problem = report.findings.find((item) => item.code === 'dkim.invalid_hash_list');
    assert.ok(problem);
    assert.match(problem.fix ?? '', /h=sha256/);
  });

  it('two p= tags: invalid', async () => {
    const report = await probe('s1', [[`v=DKIM1; p=${KEY_2048}; p=${KEY_1024}`]]);
    assert.equal(report.status, 'invalid');
    assert.ok(report.findings.some((item) => item.code === 'dkim.duplicate_tag'));
  });

  it('two TXT records: invalid', async () => {
    const report = await probe('s1', [[`v=DKIM1; p=${KEY_2048}`], [`v=DKIM1; p=${KEY_1024}`]]);
    assert.equal(report.status, 'invalid');
    assert.ok(report.findings.some((item) => item.code === 'dkim.multiple_records'));
  });

  it('512-bit key: invalid', async () => {
    const report = await probe('s1', [[`v=DKIM1; p=${KEY_512}`]]);
    assert.equal(report.status, 'invalid');
    assert.equal(report.keyBits, 512);
    assert.ok(report.findings.some((item) => item.code === 'dkim.key_too_short'));
  });

  it('1024-bit key: weak', async () => {
    const report = await probe('s1', [[`v=DKIM1; p=${KEY_1024}`]]);
    assert.equal(report.status, 'valid');
    assert.equal(report.keyBits, 1024);
    const weak = report.findings.find((item) => item.code === 'dkim.key_weak');
    assert.equal(weak?.severity, 'warning');
  });

  it('2048-bit key: good', async () => {
    const report = await probe('s1', [[`v=DKIM1; p=${KEY_2048}`]]);
    assert.equal(report.status, 'valid');
    assert.equal(report.keyBits, 2048);
    assert.deepEqual(report.findings, []);
  });

  it('missing selector', async () => {
    const report = await probe('s1', []);
    assert.equal(report.status, 'missing');
  });
});
