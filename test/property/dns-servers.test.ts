import assert from 'node:assert/strict';
import { promises as dns } from 'node:dns';
import { test } from 'node:test';
import { fc } from '../support/fast-check.js';
import { parseDnsServers } from '../../server/dns/resolver.js';

/** Runs parseDnsServers and returns its list or the Error it throws. Any other thrown value fails. */
function outcome(value: string): string[] | Error {
  try {
    return parseDnsServers(value);
  } catch (error) {
    assert.ok(error instanceof Error, `threw ${String(error)}`);
    assert.equal(error.constructor, Error, error.constructor.name);
    return error;
  }
}

// Entries near the accepted forms: bare IPs, IPv4:PORT, [IPv6]:PORT, and broken variants.
const port = fc.oneof(
  fc.integer({ min: 0, max: 70000 }).map(String),
  fc.constantFrom('', '053', '1e3'),
);
const entry = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.tuple(fc.ipV4(), port).map(([ip, p]) => `${ip}:${p}`),
  fc.tuple(fc.ipV6(), port).map(([ip, p]) => `[${ip}]:${p}`),
  fc.tuple(fc.ipV6(), port).map(([ip, p]) => `${ip}:${p}`),
  fc.tuple(fc.ipV4(), port).map(([ip, p]) => `[${ip}]:${p}`),
  fc.ipV4Extended(),
  fc.constantFrom('fe80::1%eth0', '[fe80::1%eth0]:53', '[::1]', '[::1]:', '127.0.0.1:53:53'),
  fc.domain(),
  fc.tuple(fc.domain(), port).map(([host, p]) => `${host}:${p}`),
  fc.string({ maxLength: 20 }),
);
const list = fc
  .tuple(fc.array(entry, { minLength: 1, maxLength: 4 }), fc.constantFrom(',', ', ', ' ,'))
  .map(([entries, separator]) => entries.join(separator));

test('parseDnsServers never throws other errors', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), list), (value) => {
      const result = outcome(value);
      if (result instanceof Error) {
        assert.ok(result.message.includes(value), result.message);
      } else {
        assert.ok(Array.isArray(result));
      }
    }),
    { numRuns: 500 },
  );
});

test('parseDnsServers output suits setServers', () => {
  // The list is documented as entries for Resolver.setServers, each with an explicit port.
  fc.assert(
    fc.property(list, (value) => {
      const result = outcome(value);
      if (result instanceof Error) return;
      for (const server of result) {
        assert.match(server, /^(\d+\.\d+\.\d+\.\d+|\[[^\]]+\]):\d+$/);
        const serverPort = Number(server.slice(server.lastIndexOf(':') + 1));
        assert.ok(serverPort >= 1, server);
        assert.ok(serverPort <= 65535, server);
      }
      new dns.Resolver().setServers(result);
    }),
    { numRuns: 500 },
  );
});

test('parseDnsServers keeps valid entries', () => {
  const valid = fc.oneof(
    fc.ipV4().map((ip) => ({ entry: ip, expected: `${ip}:53` })),
    fc
      .tuple(fc.ipV4(), fc.integer({ min: 1, max: 65535 }))
      .map(([ip, p]) => ({ entry: `${ip}:${p}`, expected: `${ip}:${p}` })),
    fc
      .tuple(fc.ipV6(), fc.integer({ min: 1, max: 65535 }))
      .map(([ip, p]) => ({ entry: `[${ip}]:${p}`, expected: `[${ip}]:${p}` })),
  );
  fc.assert(
    fc.property(fc.array(valid, { minLength: 1, maxLength: 4 }), (servers) => {
      const value = servers.map((server) => server.entry).join(', ');
      assert.deepEqual(
        parseDnsServers(value),
        servers.map((server) => server.expected),
      );
    }),
    { numRuns: 300 },
  );
});

test('parseDnsServers blank means system', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[ \t\r\n]*$/), (value) => {
      assert.deepEqual(parseDnsServers(value), []);
    }),
    { numRuns: 50 },
  );
});
