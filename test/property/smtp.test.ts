import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc } from '../support/fast-check.js';
import { enhancedStatus } from '../../server/sending/smtp-errors.js';
import { endpointFromUrl, queueIdOf } from '../../server/sending/smtp.js';

const reply = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc
    .tuple(
      fc.integer({ min: 100, max: 999 }),
      fc.constantFrom(' ', '-', ''),
      fc.tuple(fc.nat(9), fc.nat(1200), fc.nat(1200)).map((parts) => parts.join('.')),
      fc.string({ maxLength: 40 }),
    )
    .map(([code, separator, status, text]) => `${code}${separator}${status} ${text}`),
  fc
    .tuple(fc.constantFrom('queued as ', 'id=', 'QUEUED AS '), fc.string({ maxLength: 20 }))
    .map(([marker, id]) => `250 2.0.0 Ok: ${marker}${id}`),
);

test('queueIdOf never throws', () => {
  fc.assert(
    fc.property(fc.option(reply, { nil: undefined }), (response) => {
      const id = queueIdOf(response);
      if (id !== undefined) {
        assert.match(id, /^[\w.-]+$/);
        assert.ok(response?.includes(id), `${id} not in ${response}`);
      }
    }),
    { numRuns: 500 },
  );
});

test('queueIdOf reads postfix replies', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Za-z0-9]{1,20}$/), (id) => {
      assert.equal(queueIdOf(`250 2.0.0 Ok: queued as ${id}`), id);
    }),
    { numRuns: 200 },
  );
});

test('enhancedStatus never throws', () => {
  fc.assert(
    fc.property(fc.option(reply, { nil: undefined }), (response) => {
      const status = enhancedStatus(response);
      if (status !== undefined) {
        assert.match(status, /^[245]\.\d{1,3}\.\d{1,3}$/);
        assert.ok(response?.startsWith(`${response.slice(0, 4)}${status}`), response);
      }
    }),
    { numRuns: 500 },
  );
});

const userinfo = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom('%', '%4', '%zz', '%E0%A4%A', '%ff', '%C3%28', 'a%20b'),
);
const url = fc.oneof(
  fc.string(),
  fc.webUrl(),
  fc
    .tuple(
      fc.constantFrom('smtp', 'smtps', 'SMTP', 'http', ''),
      fc.option(fc.tuple(userinfo, fc.option(userinfo))),
      fc.oneof(
        fc.domain(),
        fc.ipV4(),
        fc.ipV6().map((ip) => `[${ip}]`),
        fc.string({ maxLength: 10 }),
      ),
      fc.option(fc.integer({ min: 0, max: 70000 })),
    )
    .map(([scheme, credentials, host, port]) => {
      const auth =
        credentials === null
          ? ''
          : `${credentials[0]}${credentials[1] === null ? '' : `:${credentials[1]}`}@`;
      return `${scheme}://${auth}${host}${port === null ? '' : `:${port}`}`;
    }),
);

// endpointFromUrl parses with the WHATWG URL class, so an invalid URL throws its TypeError
// (code ERR_INVALID_URL). Every other exception is a bug.
test('endpointFromUrl throws only TypeError', () => {
  fc.assert(
    fc.property(url, (value) => {
      let endpoint: ReturnType<typeof endpointFromUrl>;
      try {
        endpoint = endpointFromUrl(value);
      } catch (error) {
        assert.ok(error instanceof TypeError, `${String(error)} for ${value}`);
        assert.equal((error as NodeJS.ErrnoException).code, 'ERR_INVALID_URL');
        return;
      }
      assert.equal(typeof endpoint.host, 'string');
      assert.ok(Number.isInteger(endpoint.port), String(endpoint.port));
      // NOTE: URL accepts port 0 (`smtp://host:0`), and endpointFromUrl passes it on.
      assert.ok(endpoint.port >= 0, String(endpoint.port));
      assert.ok(endpoint.port <= 65535, String(endpoint.port));
      assert.ok(['tls', 'opportunistic'].includes(endpoint.security), endpoint.security);
      assert.ok(endpoint.user === undefined || typeof endpoint.user === 'string');
      assert.ok(endpoint.password === undefined || typeof endpoint.password === 'string');
    }),
    { numRuns: 500 },
  );
});

test('endpointFromUrl round-trips credentials', () => {
  const input = fc.tuple(
    fc.constantFrom('smtp', 'smtps'),
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.string({ minLength: 1, maxLength: 12 }),
    fc.domain(),
    fc.integer({ min: 1, max: 65535 }),
  );
  fc.assert(
    fc.property(input, ([scheme, user, password, host, port]) => {
      const value = `${scheme}://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${host}:${port}`;
      const endpoint = endpointFromUrl(value);
      assert.equal(endpoint.user, user);
      assert.equal(endpoint.password, password);
      assert.equal(endpoint.host, host);
      assert.equal(endpoint.port, port);
      assert.equal(endpoint.security, scheme === 'smtps' ? 'tls' : 'opportunistic');
    }),
    { numRuns: 300 },
  );
});
