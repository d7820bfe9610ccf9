import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDomain } from '../../server/checks/index.js';
import type { ZoneRecord } from '../support/dns-server.js';
import { withZone } from '../support/dns-server.js';
import { loadCorpusZone, platformZone, TEST_PLATFORM } from '../support/zones.js';

const MANDRILL_SPF = loadCorpusZone().filter((r) => r.name === 'spf.mandrillapp.com');

function check(records: ZoneRecord[], domain: string, smtpHost?: string) {
  return withZone([...platformZone(), ...MANDRILL_SPF, ...records], (resolver) =>
    checkDomain(domain, { resolver, platform: TEST_PLATFORM, smtpHost }),
  );
}

function spfRecordOf(result: Awaited<ReturnType<typeof check>>, method: 'smtp' | 'mandrill') {
  return result.methods[method].records?.find((r) => r.type === 'TXT' && r.name === result.domain);
}

describe('records to publish', () => {
  it('merge two SPF records into one', async () => {
    const result = await check(
      [
        { name: 'two.example', type: 'TXT', data: ['v=spf1 ip4:192.0.2.1 -all'] },
        { name: 'two.example', type: 'TXT', data: ['v=spf1 ip4:192.0.2.2 ~all'] },
      ],
      'two.example',
    );
    const record = spfRecordOf(result, 'mandrill');
    assert.equal(
      record?.value,
      'v=spf1 ip4:192.0.2.1 ip4:192.0.2.2 include:spf.mandrillapp.com -all',
    );
    assert.equal(record?.replaces, true);
    assert.match(record?.note ?? '', /needs 1 of the 10 DNS lookups/);
    assert.match(record?.note ?? '', /replaces all the SPF records published now/);
  });

  it('authorize every address of the SMTP host', async () => {
    const result = await check(
      [
        { name: 'host.example', type: 'TXT', data: ['v=spf1 -all'] },
        { name: 'smtp.host.example', type: 'A', data: '192.0.2.77' },
        { name: 'smtp.host.example', type: 'A', data: '192.0.2.78' },
      ],
      'host.example',
      'smtp.host.example',
    );
    assert.equal(spfRecordOf(result, 'smtp')?.value, 'v=spf1 ip4:192.0.2.77 ip4:192.0.2.78 -all');
  });

  it('offer no starter DMARC beside a misplaced record', async () => {
    const result = await check(
      [
        { name: 'apex.example', type: 'TXT', data: ['v=spf1 -all'] },
        { name: 'apex.example', type: 'TXT', data: ['v=DMARC1; p=reject'] },
      ],
      'apex.example',
    );
    const dmarc = result.methods.mandrill.records?.filter((r) => r.name.startsWith('_dmarc.'));
    assert.deepEqual(dmarc, []);
  });

  it('offer a starter DMARC where none exists', async () => {
    const result = await check(
      [{ name: 'bare.example', type: 'TXT', data: ['v=spf1 -all'] }],
      'bare.example',
    );
    const dmarc = result.methods.smtp.records?.find((r) => r.name === '_dmarc.bare.example');
    assert.equal(dmarc?.value, 'v=DMARC1; p=none; rua=mailto:dmarc-reports@bare.example');
  });

  it('propose nothing when a lookup failed', async () => {
    const result = await withZone([], (resolver) =>
      checkDomain('down.example', {
        resolver: (name, type) =>
          name === 'down.example' && type === 'TXT'
            ? Promise.reject(Object.assign(new Error('timeout'), { code: 'ETIMEOUT' }))
            : resolver(name, type),
        platform: TEST_PLATFORM,
      }),
    );
    for (const verdict of Object.values(result.methods)) {
      assert.deepEqual(verdict.records, []);
      assert.match(verdict.fixes.join(' '), /DNS lookups failed \(SPF\)/);
    }
  });
});

describe('verdict corrections', () => {
  it('unknown SMTP server gets the record all result', async () => {
    const result = await check(
      [{ name: 'strict.example', type: 'TXT', data: ['v=spf1 -all'] }],
      'strict.example',
    );
    assert.equal(result.methods.smtp.spf.result, 'fail');
    assert.equal(result.methods.smtp.spf.aligned, false, 'a failing identifier does not align');
  });

  it('pct=0 applies no policy', async () => {
    const result = await check(
      [
        { name: 'pct.example', type: 'TXT', data: ['v=spf1 -all'] },
        { name: '_dmarc.pct.example', type: 'TXT', data: ['v=DMARC1; p=quarantine; pct=0'] },
      ],
      'pct.example',
    );
    assert.equal(result.methods.smtp.dmarc.result, 'fail');
    assert.equal(result.methods.smtp.outcome, 'at_risk');
  });
});
