import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createResolver } from '../../server/dns/resolver.js';
import type { Resolver } from '../../server/dns/types.js';
import { AppError } from '../../server/errors.js';
import {
  classifyAddress,
  parseAllowList,
  resolveSmtpDestination,
  type AllowList,
} from '../../server/sending/destination.js';
import { startDnsServer, type DnsServer, type ZoneRecord } from '../support/dns-server.js';

// Public unicast addresses outside every special range. The guard only classifies them, and no
// test connects to them.
const PUBLIC_V4 = '142.250.27.108';
const PUBLIC_V6 = '2607:f8b0:4004:c1b::6c';
const NO_ALLOW = parseAllowList('');

/** A resolver that fails the test if the guard sends a DNS query. */
const noDns: Resolver = (name, rrtype) => {
  throw new Error(`unexpected DNS query ${rrtype} ${name}`);
};

/** A resolver that returns answers from a table and rejects missing entries with ENOTFOUND. */
function tableResolver(table: Record<string, string[] | NodeJS.ErrnoException>): Resolver {
  return async (name, rrtype) => {
    const answer = table[`${rrtype} ${name}`];
    if (answer === undefined) {
      throw Object.assign(new Error(`queryA ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    }
    if (answer instanceof Error) {
      throw answer;
    }
    return answer;
  };
}

function resolveLiteral(host: string, port = 587, allow: AllowList = NO_ALLOW) {
  return resolveSmtpDestination(host, port, { resolver: noDns, allow });
}

/** Asserts that `promise` rejects with an AppError of `status` and `code`, and returns it. */
async function rejection(
  promise: Promise<unknown>,
  status: number,
  code: string,
): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AppError, `expected an AppError, got ${String(error)}`);
    assert.equal(error.status, status);
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected a rejection with ${code}`);
}

describe('classifyAddress', () => {
  const cases: [string, string][] = [
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['fe80::1', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['fd00::1', 'uniqueLocal'],
    ['192.0.2.1', 'reserved'],
    ['203.0.113.7', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.5', 'private'],
    ['::ffff:142.250.27.108', 'unicast'],
    // IPv4-compatible (RFC 4291 2.5.5.1): ::7f00:1, not the IPv4-mapped ::ffff:7f00:1.
    ['::127.0.0.1', 'reserved'],
    ['4000::1', 'reserved'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b::8efa:1b6c', 'unicast'],
    ['64:ff9b:1::1', 'rfc6052'],
    ['2002:a00:5::1', 'private'],
    ['2002:8efa:1b6c::1', 'unicast'],
    // Server 65.54.227.120 (4136:e378), client 192.0.2.45 with its bits inverted (3fff:fdd2).
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'reserved'],
    // Client 127.0.0.1 inverted is 80ff:fffe.
    ['2001:0:4136:e378:8000:63bf:80ff:fffe', 'loopback'],
    [PUBLIC_V4, 'unicast'],
    [PUBLIC_V6, 'unicast'],
  ];
  for (const [address, range] of cases) {
    it(`classifies ${address} as ${range}`, () => {
      assert.equal(classifyAddress(address), range);
    });
  }

  it('rejects a non-standard IPv4 form', () => {
    assert.throws(() => classifyAddress('127.1'), /Invalid IP address "127.1"/);
  });
});

describe('resolveSmtpDestination with IP literals', () => {
  const refusedLiterals: [string, RegExp][] = [
    ['127.0.0.1', /a loopback address/],
    ['::1', /a loopback address/],
    ['10.1.2.3', /a private address/],
    ['172.16.0.1', /a private address/],
    ['192.168.1.1', /a private address/],
    ['169.254.169.254', /a link-local address/],
    ['fe80::1', /a link-local address/],
    ['100.64.0.1', /a shared address/],
    ['224.0.0.1', /a multicast address/],
    ['0.0.0.0', /an unspecified address/],
    ['255.255.255.255', /the broadcast address/],
    ['::ffff:127.0.0.1', /an IPv4-mapped address for 127\.0\.0\.1, a loopback address/],
    ['fd00::1', /a unique local address/],
    ['192.0.2.1', /a reserved or documentation address/],
    ['203.0.113.10', /a reserved or documentation address/],
    ['2002:a00:5::1', /a 6to4 address for 10\.0\.0\.5, a private address/],
    ['[::1]', /a loopback address/],
  ];
  for (const [host, pattern] of refusedLiterals) {
    it(`refuses ${host}`, async () => {
      const error = await rejection(resolveLiteral(host), 422, 'smtp_destination_refused');
      assert.match(error.message, pattern);
      assert.match(
        error.message,
        new RegExp(`The SMTP host ${host.replace(/[.[\]]/g, '\\$&')} is`),
      );
      assert.match(error.message, /DELIVERABILITY_SMTP_ALLOW/);
    });
  }

  it('names the host, address and class', async () => {
    const error = await rejection(resolveLiteral('10.0.0.5'), 422, 'smtp_destination_refused');
    assert.equal(
      error.message,
      'The SMTP host 10.0.0.5 is a private address; sending there is refused. ' +
        'An operator can allow it with DELIVERABILITY_SMTP_ALLOW.',
    );
    assert.deepEqual(error.details, {
      host: '10.0.0.5',
      port: 587,
      address: '10.0.0.5',
      range: 'private',
    });
  });

  it('accepts a public IPv4 address', async () => {
    const destination = await resolveLiteral(PUBLIC_V4);
    assert.deepEqual(destination, { host: PUBLIC_V4, address: PUBLIC_V4, port: 587 });
  });

  it('accepts a public IPv6 address', async () => {
    const destination = await resolveLiteral(PUBLIC_V6, 465);
    assert.deepEqual(destination, { host: PUBLIC_V6, address: PUBLIC_V6, port: 465 });
  });

  it('connects to the IPv4 address of a mapped one', async () => {
    const destination = await resolveLiteral(`::ffff:${PUBLIC_V4}`);
    assert.equal(destination.address, PUBLIC_V4);
  });

  it('refuses an IPv6 zone index', async () => {
    const error = await rejection(resolveLiteral('fe80::1%eth0'), 422, 'smtp_destination_refused');
    assert.match(error.message, /zone index/);
  });

  for (const host of ['127.1', '2130706433', '0x7f000001', '017700000001', 'smtp..example', '']) {
    it(`refuses the host ${JSON.stringify(host)} as invalid`, async () => {
      const error = await rejection(resolveLiteral(host), 422, 'smtp_destination_refused');
      assert.match(error.message, /is not a valid host name or IP address/);
    });
  }
});

describe('resolveSmtpDestination ports', () => {
  for (const port of [25, 465, 587, 2525]) {
    it(`accepts port ${port}`, async () => {
      const destination = await resolveLiteral(PUBLIC_V4, port);
      assert.equal(destination.port, port);
    });
  }

  for (const port of [22, 80, 8080, 6379]) {
    it(`refuses port ${port}`, async () => {
      const error = await rejection(
        resolveLiteral(PUBLIC_V4, port),
        422,
        'smtp_destination_refused',
      );
      assert.match(
        error.message,
        new RegExp(`^Port ${port} is not an SMTP submission port: use 25, 465, 587 or 2525\\.`),
      );
    });
  }

  for (const port of [0, 65536, 587.5, Number.NaN]) {
    it(`refuses the invalid port ${port} even when allowed`, async () => {
      const allow = parseAllowList(PUBLIC_V4);
      const error = await rejection(
        resolveLiteral(PUBLIC_V4, port, allow),
        422,
        'smtp_destination_refused',
      );
      assert.match(error.message, /is not a valid port number/);
    });
  }
});

describe('resolveSmtpDestination allow-list', () => {
  it('exempts a host listed by name', async () => {
    const resolver = tableResolver({ 'A relay.internal.example': ['10.0.0.5'] });
    const allow = parseAllowList('Relay.Internal.Example.');
    const destination = await resolveSmtpDestination('relay.internal.example', 8025, {
      resolver,
      allow,
    });
    assert.deepEqual(destination, {
      host: 'relay.internal.example',
      address: '10.0.0.5',
      port: 8025,
    });
  });

  it('matches a listed name case-insensitively', async () => {
    const resolver = tableResolver({ 'A relay.internal.example': ['10.0.0.5'] });
    const allow = parseAllowList('relay.internal.example');
    const destination = await resolveSmtpDestination('RELAY.internal.example.', 587, {
      resolver,
      allow,
    });
    assert.equal(destination.address, '10.0.0.5');
  });

  it('does not exempt another name', async () => {
    const resolver = tableResolver({ 'A other.internal.example': ['10.0.0.5'] });
    const allow = parseAllowList('relay.internal.example');
    await rejection(
      resolveSmtpDestination('other.internal.example', 587, { resolver, allow }),
      422,
      'smtp_destination_refused',
    );
  });

  it('exempts a listed IP address', async () => {
    const destination = await resolveLiteral('127.0.0.1', 2526, parseAllowList('127.0.0.1'));
    assert.deepEqual(destination, { host: '127.0.0.1', address: '127.0.0.1', port: 2526 });
  });

  it('exempts a listed IPv6 address', async () => {
    const destination = await resolveLiteral('::1', 587, parseAllowList('::1'));
    assert.equal(destination.address, '::1');
  });

  it('exempts addresses in an IPv4 CIDR range', async () => {
    const resolver = tableResolver({ 'A relay.internal.example': ['10.20.30.40'] });
    const allow = parseAllowList('192.168.0.0/16, 10.0.0.0/8');
    const destination = await resolveSmtpDestination('relay.internal.example', 10025, {
      resolver,
      allow,
    });
    assert.equal(destination.address, '10.20.30.40');
    assert.equal(destination.port, 10025);
  });

  it('exempts addresses in an IPv6 CIDR range', async () => {
    const destination = await resolveLiteral('fd12:3456::25', 587, parseAllowList('fd00::/8'));
    assert.equal(destination.address, 'fd12:3456::25');
  });

  it('matches a mapped address against IPv4 entries', async () => {
    const destination = await resolveLiteral('::ffff:10.1.2.3', 587, parseAllowList('10.0.0.0/8'));
    assert.equal(destination.address, '10.1.2.3');
  });

  it('matches a mapped address against mapped entries', async () => {
    const allow = parseAllowList('::ffff:10.0.0.0/104');
    const destination = await resolveLiteral('::ffff:10.1.2.3', 587, allow);
    assert.equal(destination.address, '10.1.2.3');
  });

  it('refuses an address outside the ranges', async () => {
    const error = await rejection(
      resolveLiteral('172.16.0.1', 587, parseAllowList('10.0.0.0/8,fd00::/8')),
      422,
      'smtp_destination_refused',
    );
    assert.match(error.message, /172\.16\.0\.1 is a private address/);
  });

  it('refuses when only one bad address is listed', async () => {
    const resolver = tableResolver({
      'A relay.internal.example': ['10.0.0.5'],
      'AAAA relay.internal.example': ['fd00::5'],
    });
    const allow = parseAllowList('10.0.0.5');
    const error = await rejection(
      resolveSmtpDestination('relay.internal.example', 587, { resolver, allow }),
      422,
      'smtp_destination_refused',
    );
    assert.match(error.message, /resolves to fd00::5, a unique local address/);
  });

  it('keeps the port rule for an address not listed', async () => {
    const allow = parseAllowList('10.0.0.0/8');
    await rejection(resolveLiteral(PUBLIC_V4, 8080, allow), 422, 'smtp_destination_refused');
  });
});

describe('parseAllowList', () => {
  it('returns an empty list for a blank spec', () => {
    const allow = parseAllowList('  ');
    assert.deepEqual(allow.entries, []);
    assert.equal(allow.allowsHost('smtp.example.com'), false);
    assert.equal(allow.allowsAddress('10.0.0.5'), false);
  });

  it('parses names, addresses and ranges', () => {
    const allow = parseAllowList(' relay.example.com. ,10.0.0.5, 172.16.0.0/12,fd00::/8 ,::1');
    assert.deepEqual(allow.entries, [
      'relay.example.com.',
      '10.0.0.5',
      '172.16.0.0/12',
      'fd00::/8',
      '::1',
    ]);
    assert.equal(allow.allowsHost('RELAY.example.com'), true);
    assert.equal(allow.allowsHost('relay.example.com.'), true);
    assert.equal(allow.allowsHost('other.example.com'), false);
    assert.equal(allow.allowsAddress('10.0.0.5'), true);
    assert.equal(allow.allowsAddress('10.0.0.6'), false);
    assert.equal(allow.allowsAddress('172.31.255.255'), true);
    assert.equal(allow.allowsAddress('172.32.0.0'), false);
    assert.equal(allow.allowsAddress('fdff::1'), true);
    assert.equal(allow.allowsAddress('fc00::1'), false);
    assert.equal(allow.allowsAddress('::1'), true);
    assert.equal(allow.allowsAddress('::ffff:10.0.0.5'), true);
  });

  it('does not match a name against address entries', () => {
    const allow = parseAllowList('10.0.0.5');
    assert.equal(allow.allowsHost('10.0.0.5'), false);
    assert.equal(allow.allowsAddress('10.0.0.5'), true);
  });

  const invalid = [
    'smtp_relay.example',
    '10.0.0.0/33',
    'fd00::/129',
    '10.0.0.5/8',
    '10.0.0.0/',
    '10.0.0.0/x',
    'relay.example/24',
    '127.1',
    '2130706433',
    'fe80::1%eth0',
    'relay.example,,10.0.0.5',
    'relay.example,',
  ];
  for (const spec of invalid) {
    it(`rejects ${JSON.stringify(spec)}`, () => {
      assert.throws(
        () => parseAllowList(spec),
        (error: Error) => {
          assert.match(error.message, /^Invalid SMTP allow-list entry "/);
          assert.match(error.message, /expected a host name \(smtp\.example\.com\), an IP address/);
          assert.match(error.message, /CIDR range \(10\.0\.0\.0\/8, fd00::\/8\)/);
          return true;
        },
      );
    });
  }

  it('names the network address for a range with host bits set', () => {
    assert.throws(
      () => parseAllowList('10.0.0.5/8'),
      /host bits are set; the range is 10\.0\.0\.0\/8/,
    );
  });

  it('names the invalid entry', () => {
    assert.throws(
      () => parseAllowList('10.0.0.0/8, smtp_relay'),
      /entry "smtp_relay" in "10\.0\.0\.0\/8, smtp_relay"/,
    );
  });
});

describe('resolveSmtpDestination through DNS', () => {
  const zone: ZoneRecord[] = [
    { name: 'smtp.private.example', type: 'A', data: '10.0.0.5' },
    { name: 'smtp.mixed.example', type: 'A', data: PUBLIC_V4 },
    { name: 'smtp.mixed.example', type: 'AAAA', data: '::1' },
    { name: 'smtp.public.example', type: 'A', data: PUBLIC_V4 },
    { name: 'smtp.dual.example', type: 'AAAA', data: PUBLIC_V6 },
    { name: 'smtp.dual.example', type: 'A', data: PUBLIC_V4 },
    { name: 'smtp.v6.example', type: 'AAAA', data: PUBLIC_V6 },
    // ::ffff:169.254.169.254 in hex, because dns2 3.0.0 encodes a dotted tail wrongly.
    { name: 'smtp.mapped.example', type: 'AAAA', data: '::ffff:a9fe:a9fe' },
    { name: 'smtp.alias.example', type: 'CNAME', data: 'smtp.private.example' },
    { name: 'smtp.txt-only.example', type: 'TXT', data: ['v=spf1 -all'] },
    // The test server gives up on CNAME chains longer than 8 with SERVFAIL.
    { name: 'smtp.loop.example', type: 'CNAME', data: 'smtp.loop.example' },
  ];
  let dns: DnsServer;

  before(async () => {
    dns = await startDnsServer(zone);
  });

  after(async () => {
    await dns.close();
  });

  function resolveName(host: string, port = 587, allow: AllowList = NO_ALLOW) {
    const resolver = createResolver({ servers: [dns.address], timeoutMs: 2000, tries: 2 });
    return resolveSmtpDestination(host, port, { resolver, allow });
  }

  it('refuses a name with a private address', async () => {
    const error = await rejection(
      resolveName('smtp.private.example'),
      422,
      'smtp_destination_refused',
    );
    assert.equal(
      error.message,
      'The SMTP host smtp.private.example resolves to 10.0.0.5, a private address; ' +
        'sending there is refused. An operator can allow it with DELIVERABILITY_SMTP_ALLOW.',
    );
  });

  it('refuses a name when one address is bad', async () => {
    const error = await rejection(
      resolveName('smtp.mixed.example'),
      422,
      'smtp_destination_refused',
    );
    assert.match(error.message, /smtp\.mixed\.example resolves to ::1, a loopback address/);
  });

  it('accepts a name with a public address', async () => {
    const destination = await resolveName('smtp.public.example');
    assert.deepEqual(destination, { host: 'smtp.public.example', address: PUBLIC_V4, port: 587 });
  });

  it('keeps the host as written', async () => {
    const destination = await resolveName('SMTP.Public.Example.', 465);
    assert.deepEqual(destination, { host: 'SMTP.Public.Example.', address: PUBLIC_V4, port: 465 });
  });

  it('picks IPv4 before IPv6', async () => {
    const destination = await resolveName('smtp.dual.example');
    assert.equal(destination.address, PUBLIC_V4);
  });

  it('picks IPv6 when there is no IPv4', async () => {
    const destination = await resolveName('smtp.v6.example');
    assert.equal(destination.address, PUBLIC_V6);
  });

  it('refuses a mapped metadata address', async () => {
    const error = await rejection(
      resolveName('smtp.mapped.example'),
      422,
      'smtp_destination_refused',
    );
    assert.match(
      error.message,
      /resolves to ::ffff:a9fe:a9fe \(an IPv4-mapped address for 169\.254\.169\.254\), a link-local address/,
    );
  });

  it('checks the target of a CNAME', async () => {
    const error = await rejection(
      resolveName('smtp.alias.example'),
      422,
      'smtp_destination_refused',
    );
    assert.match(error.message, /resolves to 10\.0\.0\.5/);
  });

  it('exempts a listed name', async () => {
    const destination = await resolveName(
      'smtp.private.example',
      2526,
      parseAllowList('smtp.private.example'),
    );
    assert.deepEqual(destination, {
      host: 'smtp.private.example',
      address: '10.0.0.5',
      port: 2526,
    });
  });

  it('reports a missing name as unresolved', async () => {
    const error = await rejection(resolveName('nowhere.example'), 422, 'smtp_host_unresolved');
    assert.match(error.message, /^The SMTP host nowhere\.example does not resolve/);
  });

  it('reports a name without addresses as unresolved', async () => {
    const error = await rejection(
      resolveName('smtp.txt-only.example'),
      422,
      'smtp_host_unresolved',
    );
    assert.match(error.message, /has no A or AAAA record/);
  });

  it('reports SERVFAIL as DNS unavailable', async () => {
    const error = await rejection(resolveName('smtp.loop.example'), 503, 'dns_unavailable');
    assert.match(error.message, /smtp\.loop\.example failed \(ESERVFAIL\)/);
  });

  it('resolves each family once', async () => {
    const resolver = createResolver({ servers: [dns.address], timeoutMs: 2000, tries: 2 });
    await resolveSmtpDestination('smtp.dual.example', 587, { resolver, allow: NO_ALLOW });
    assert.equal(resolver.queries, 2);
  });
});

describe('resolveSmtpDestination DNS errors', () => {
  it('fails when one family times out', async () => {
    const timeout = Object.assign(new Error('queryAaaa ETIMEOUT'), { code: 'ETIMEOUT' });
    const resolver = tableResolver({
      'A smtp.example.com': [PUBLIC_V4],
      'AAAA smtp.example.com': timeout,
    });
    const error = await rejection(
      resolveSmtpDestination('smtp.example.com', 587, { resolver, allow: NO_ALLOW }),
      503,
      'dns_unavailable',
    );
    assert.match(error.message, /ETIMEOUT/);
  });

  it('rejects an answer of the wrong family', async () => {
    const resolver = tableResolver({ 'A smtp.example.com': ['::1'] });
    await assert.rejects(
      resolveSmtpDestination('smtp.example.com', 587, { resolver, allow: NO_ALLOW }),
      /invalid A answer for smtp\.example\.com: ::1/,
    );
  });
});
