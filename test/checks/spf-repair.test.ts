import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkDomain } from '../../server/checks/index.js';
import type { RecordToPublish } from '../../server/checks/types.js';
import { withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';
import { platformZone, TEST_PLATFORM } from '../support/zones.js';

const MANDRILL: ZoneRecord = {
  name: 'spf.mandrillapp.com',
  type: 'TXT',
  data: ['v=spf1 ip4:198.2.128.0/24 ~all'],
};

/** The SPF record the mandrill verdict says to publish for example.com. */
async function mandrillSpfFix(spf: string, extra: ZoneRecord[] = []): Promise<RecordToPublish> {
  const zone: ZoneRecord[] = [
    { name: 'example.com', type: 'TXT', data: [spf] },
    { name: '_dmarc.example.com', type: 'TXT', data: ['v=DMARC1; p=none'] },
    MANDRILL,
    ...extra,
    ...platformZone(),
  ];
  const check = await withZone(zone, (resolver) =>
    checkDomain('example.com', { resolver, platform: TEST_PLATFORM }),
  );
  const record = check.methods.mandrill.records?.find((r) => r.name === 'example.com');
  assert.ok(record, JSON.stringify(check.methods.mandrill.records));
  return record;
}

function includeTree(prefix: string, count: number): ZoneRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}${i}.example.net`,
    type: 'TXT',
    data: [`v=spf1 ip4:198.51.100.${i} -all`],
  }));
}

describe('SPF record to publish: repairs', () => {
  it('removes a near name that lacks its value', async () => {
    const record = await mandrillSpfFix('v=spf1 ip -all');
    assert.equal(record.value, 'v=spf1 include:spf.mandrillapp.com -all');
    assert.match(record.note, /Removed "ip", which is not an SPF mechanism/);
  });

  it('corrects a misspelt mechanism', async () => {
    const record = await mandrillSpfFix('v=spf1 ipv4:192.0.2.1 -all');
    assert.equal(record.value, 'v=spf1 ip4:192.0.2.1 include:spf.mandrillapp.com -all');
    assert.match(record.note, /Corrected "ipv4:192\.0\.2\.1" to "ip4:192\.0\.2\.1"/);
  });

  it('drops ptr, a /0 network and a repeated term', async () => {
    const record = await mandrillSpfFix(
      'v=spf1 ptr ip4:0.0.0.0/0 ip4:192.0.2.1 ip4:192.0.2.1 -all',
    );
    assert.equal(record.value, 'v=spf1 ip4:192.0.2.1 include:spf.mandrillapp.com -all');
    assert.match(record.note, /Removed "ptr"/);
    assert.match(record.note, /Removed "ip4:0\.0\.0\.0\/0"/);
    assert.match(record.note, /Removed the repeated "ip4:192\.0\.2\.1"/);
  });

  it('turns +all into ~all and moves terms after all', async () => {
    const record = await mandrillSpfFix('v=spf1 +all ip4:192.0.2.1');
    assert.equal(record.value, 'v=spf1 ip4:192.0.2.1 include:spf.mandrillapp.com ~all');
    assert.match(record.note, /Moved "ip4:192\.0\.2\.1" before "\+all"/);
    assert.match(record.note, /Changed "\+all" to "~all"/);
  });

  it('drops an include of a name without SPF and a dead redirect', async () => {
    const record = await mandrillSpfFix(
      'v=spf1 include:gone.example.net redirect=_spf.example.net -all',
    );
    assert.equal(record.value, 'v=spf1 include:spf.mandrillapp.com -all');
    assert.match(record.note, /Removed "include:gone\.example\.net"/);
    assert.match(record.note, /Removed "redirect=_spf\.example\.net"/);
    assert.doesNotMatch(record.note, /still has errors/);
  });

  it('adds ~all when the record has neither all nor redirect', async () => {
    const record = await mandrillSpfFix('v=spf1 ip4:192.0.2.1');
    assert.equal(record.value, 'v=spf1 ip4:192.0.2.1 include:spf.mandrillapp.com ~all');
  });

  it('publishes the repaired record when the method needs no new term', async () => {
    const record = await mandrillSpfFix('v=spf1 include:spf.mandrillapp.com ipv4:192.0.2.1 -all');
    assert.equal(record.value, 'v=spf1 include:spf.mandrillapp.com ip4:192.0.2.1 -all');
    assert.match(record.note, /^Repairs the published record/);
    assert.equal(record.replaces, true);
  });
});

describe('SPF record to publish: the lookup limit', () => {
  it("inlines the domain's own a and mx terms to stay within 10", async () => {
    const includes = Array.from({ length: 8 }, (_, i) => `include:s${i}.example.net`).join(' ');
    const record = await mandrillSpfFix(`v=spf1 a mx ${includes} -all`, [
      ...includeTree('s', 8),
      { name: 'example.com', type: 'A', data: '192.0.2.10' },
      { name: 'example.com', type: 'MX', data: { priority: 10, exchange: 'mail.example.com' } },
      { name: 'mail.example.com', type: 'A', data: '192.0.2.20' },
    ]);
    assert.equal(
      record.value,
      `v=spf1 ip4:192.0.2.10 ip4:192.0.2.20 ${includes} include:spf.mandrillapp.com -all`,
    );
    assert.match(record.note, /needs 9 of the 10 DNS lookups/);
    assert.match(record.note, /Replaced "a" with ip4:192\.0\.2\.10/);
  });

  it("names the costliest includes and never copies a provider's addresses", async () => {
    const nested: ZoneRecord[] = [
      {
        name: 'big.example.net',
        type: 'TXT',
        data: ['v=spf1 include:b0.example.net include:b1.example.net include:b2.example.net -all'],
      },
      ...includeTree('b', 3),
      ...includeTree('s', 7),
    ];
    const includes = Array.from({ length: 7 }, (_, i) => `include:s${i}.example.net`).join(' ');
    const record = await mandrillSpfFix(`v=spf1 include:big.example.net ${includes} -all`, nested);
    assert.match(record.value, /include:big\.example\.net/);
    assert.match(record.note, /needs 12 of the 10/);
    assert.match(record.note, /the costliest are include:big\.example\.net \(4 lookups\)/);
    assert.match(record.note, /providers change them without notice/);
  });
});
