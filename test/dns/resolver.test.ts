import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { Packet } from 'dns2';
import { createResolver, parseDnsServers } from '../../server/dns/resolver.js';
import { startDnsServer, withZone } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';

const LARGE_TEXT = 'k'.repeat(1200);

const ZONE: ZoneRecord[] = [
  { name: 'example.com', type: 'TXT', data: ['v=spf1 -all'] },
  { name: 'example.com', type: 'MX', data: { priority: 10, exchange: 'mx.example.com' } },
  { name: 'mx.example.com', type: 'A', data: '192.0.2.25' },
  { name: 'v6.example.com', type: 'AAAA', data: '2001:db8::25' },
  { name: 'large.example.com', type: 'TXT', data: [LARGE_TEXT] },
  { name: 'key._domainkey.example.com', type: 'CNAME', data: 'key.example.net.' },
  { name: 'key.example.net', type: 'TXT', data: ['v=DKIM1; p='] },
  { name: 'dangling.example.com', type: 'CNAME', data: 'gone.example.org' },
];

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

describe('parseDnsServers', () => {
  it('accepts IPv4 with port', () => {
    assert.deepEqual(parseDnsServers('127.0.0.1:5353'), ['127.0.0.1:5353']);
  });
  it('accepts a list with IPv6 and bare IPs', () => {
    assert.deepEqual(parseDnsServers('127.0.0.1:5353, [::1]:53,127.0.0.2,::1'), [
      '127.0.0.1:5353',
      '[::1]:53',
      '127.0.0.2:53',
      '[::1]:53',
    ]);
  });
  it('returns no servers for a blank value', () => {
    assert.deepEqual(parseDnsServers('  '), []);
  });
  for (const bad of [
    'localhost:53',
    '127.0.0.1:0',
    '127.0.0.1:70000',
    '127.0.0.1:dns',
    '[127.0.0.1]:53',
    '127.0.0.1:53,',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(
        () => parseDnsServers(bad),
        (error: Error) => {
          assert.match(error.message, /Invalid DNS server/);
          assert.match(error.message, /HOST:PORT/);
          return true;
        },
      );
    });
  }
  it('names the invalid entry', () => {
    assert.throws(() => parseDnsServers('127.0.0.1:53,nameserver'), /"nameserver"/);
  });
});

describe('createResolver', () => {
  it('returns TXT character-strings', async () => {
    await withZone(ZONE, async (resolver) => {
      assert.deepEqual(await resolver('example.com', 'TXT'), [['v=spf1 -all']]);
    });
  });
  it('returns MX, A and AAAA answers', async () => {
    await withZone(ZONE, async (resolver) => {
      assert.deepEqual(await resolver('example.com', 'MX'), [
        { exchange: 'mx.example.com', priority: 10 },
      ]);
      assert.deepEqual(await resolver('mx.example.com', 'A'), ['192.0.2.25']);
      assert.deepEqual(await resolver('v6.example.com', 'AAAA'), ['2001:db8::25']);
    });
  });
  it('rejects unknown names with ENOTFOUND', async () => {
    await withZone(ZONE, async (resolver) => {
      assert.equal(await codeOf(resolver('missing.example.com', 'TXT')), 'ENOTFOUND');
    });
  });
  it('rejects a missing type with ENODATA', async () => {
    await withZone(ZONE, async (resolver) => {
      assert.equal(await codeOf(resolver('example.com', 'A')), 'ENODATA');
    });
  });
  it('caches answers and errors', async () => {
    await withZone(ZONE, async (resolver) => {
      await resolver('example.com', 'TXT');
      await resolver('EXAMPLE.com.', 'txt');
      await codeOf(resolver('missing.example.com', 'TXT'));
      await codeOf(resolver('missing.example.com', 'TXT'));
      assert.equal(resolver.queries, 2);
    });
  });
  it('sends one query for concurrent requests', async () => {
    await withZone(ZONE, async (resolver) => {
      const answers = await Promise.all([
        resolver('example.com', 'MX'),
        resolver('example.com', 'MX'),
      ]);
      assert.deepEqual(answers[0], answers[1]);
      assert.equal(resolver.queries, 1);
    });
  });
  it('times out against a silent server', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', () => resolve()));
    try {
      const resolver = createResolver({
        servers: [`127.0.0.1:${silent.address().port}`],
        timeoutMs: 200,
        tries: 1,
      });
      const code = await codeOf(resolver('example.com', 'TXT'));
      assert.ok(code === 'ETIMEOUT' || code === 'ECONNREFUSED', `unexpected code ${code}`);
    } finally {
      silent.close();
    }
  });
});

describe('test DNS server', () => {
  it('follows in-zone CNAMEs', async () => {
    await withZone(ZONE, async (resolver) => {
      assert.deepEqual(await resolver('key._domainkey.example.com', 'TXT'), [['v=DKIM1; p=']]);
      assert.deepEqual(await resolver('key._domainkey.example.com', 'CNAME'), ['key.example.net']);
    });
  });
  it('answers NXDOMAIN for a dangling CNAME', async () => {
    await withZone(ZONE, async (resolver) => {
      assert.equal(await codeOf(resolver('dangling.example.com', 'TXT')), 'ENOTFOUND');
    });
  });
  it('answers NODATA for an empty non-terminal', async () => {
    await withZone(ZONE, async (resolver) => {
      assert.equal(await codeOf(resolver('_domainkey.example.com', 'TXT')), 'ENODATA');
    });
  });
  it('sets TC on large UDP answers', async () => {
    const server = await startDnsServer(ZONE);
    const socket = dgram.createSocket('udp4');
    try {
      const query = new Packet();
      query.header.id = 4242;
      query.header.rd = 1;
      query.questions.push(
        new Packet.Question('large.example.com', Packet.TYPE.TXT, Packet.CLASS.IN),
      );
      const reply = await new Promise<Buffer>((resolve, reject) => {
        socket.once('message', resolve);
        socket.once('error', reject);
        socket.send(query.toBuffer(), server.port, '127.0.0.1');
      });
      const parsed = Packet.parse(reply);
      assert.ok(reply.length <= 512, `UDP reply has ${reply.length} bytes`);
      assert.equal(parsed.header.tc, 1);
      assert.equal(parsed.answers.length, 0);
    } finally {
      socket.close();
      await server.close();
    }
  });
  it('serves large TXT answers over TCP', async () => {
    await withZone(ZONE, async (resolver) => {
      const answer = (await resolver('large.example.com', 'TXT')) as string[][];
      assert.equal(answer.length, 1);
      assert.deepEqual(
        answer[0]?.map((chunk) => chunk.length),
        [255, 255, 255, 255, 180],
      );
      assert.equal(answer[0]?.join(''), LARGE_TEXT);
    });
  });
});
