import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { describe, it } from 'node:test';
import { createResolver } from '../../server/dns/resolver.js';
import { startDnsServer } from '../support/dns-server.js';
import type { ZoneRecord } from '../support/dns-server.js';

const NAMES = Array.from({ length: 40 }, (_, i) => `n${i}.example.com`);
const ZONE: ZoneRecord[] = NAMES.map((name) => ({ name, type: 'TXT', data: [name] }));

async function rejectionOf(
  promise: Promise<unknown>,
): Promise<NodeJS.ErrnoException & { hostname?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as NodeJS.ErrnoException & { hostname?: string };
  }
  assert.fail('expected a rejection');
}

/** Binds a UDP socket on 127.0.0.1 that reads every query and never replies. */
async function silentServer(): Promise<{ address: string; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { address: `127.0.0.1:${socket.address().port}`, close: () => socket.close() };
}

describe('resolver concurrency', () => {
  it('caps queries in flight', async () => {
    const server = await startDnsServer(ZONE);
    try {
      const resolver = createResolver({ servers: [server.address], concurrency: 4 });
      const answers = await Promise.all(NAMES.map((name) => resolver(name, 'TXT')));
      assert.deepEqual(
        answers,
        NAMES.map((name) => [[name]]),
      );
      assert.equal(resolver.maxInFlight, 4);
      assert.equal(resolver.queries, 40);
      assert.equal(resolver.distinctQuestions, 40);
    } finally {
      await server.close();
    }
  });

  it('defaults to 64 in flight', async () => {
    const names = Array.from({ length: 80 }, (_, i) => `m${i}.example.com`);
    const server = await startDnsServer(names.map((name) => ({ name, type: 'TXT', data: [name] })));
    try {
      const resolver = createResolver({ servers: [server.address] });
      await Promise.all(names.map((name) => resolver(name, 'TXT')));
      assert.equal(resolver.maxInFlight, 64);
      assert.equal(resolver.queries, 80);
    } finally {
      await server.close();
    }
  });

  it('counts distinct questions once', async () => {
    const server = await startDnsServer(ZONE);
    try {
      const resolver = createResolver({ servers: [server.address] });
      await Promise.all([
        resolver('n1.example.com', 'TXT'),
        resolver('N1.example.com.', 'txt'),
        resolver('n1.example.com', 'A').catch(() => undefined),
      ]);
      assert.equal(resolver.queries, 2);
      assert.equal(resolver.distinctQuestions, 2);
    } finally {
      await server.close();
    }
  });

  it('rejects a non-positive concurrency', () => {
    assert.throws(
      () => createResolver({ servers: ['127.0.0.1:53'], concurrency: 0 }),
      /Invalid resolver option concurrency: 0/,
    );
  });
});

describe('resolver deadline', () => {
  it('rejects a pending query with ETIMEOUT', async () => {
    const silent = await silentServer();
    try {
      const resolver = createResolver({
        servers: [silent.address],
        timeoutMs: 5000,
        tries: 1,
        deadlineMs: 200,
      });
      const error = await rejectionOf(resolver('_dmarc.example.com', 'TXT'));
      assert.equal(error.code, 'ETIMEOUT');
      assert.match(error.message, /TXT _dmarc\.example\.com/);
      assert.equal(error.hostname, '_dmarc.example.com');
    } finally {
      silent.close();
    }
  });

  it('rejects queued queries too', async () => {
    const silent = await silentServer();
    try {
      const resolver = createResolver({
        servers: [silent.address],
        timeoutMs: 5000,
        tries: 1,
        deadlineMs: 200,
        concurrency: 1,
      });
      const errors = await Promise.all([
        rejectionOf(resolver('first.example.com', 'TXT')),
        rejectionOf(resolver('second.example.com', 'MX')),
      ]);
      assert.deepEqual(
        errors.map((error) => error.code),
        ['ETIMEOUT', 'ETIMEOUT'],
      );
      assert.match(errors[1]?.message ?? '', /MX second\.example\.com/);
      // The second query waited for the first one's slot, so it was never sent.
      assert.equal(resolver.queries, 1);
      assert.equal(resolver.distinctQuestions, 2);
    } finally {
      silent.close();
    }
  });

  it('rejects new queries after it', async () => {
    const silent = await silentServer();
    try {
      const resolver = createResolver({
        servers: [silent.address],
        timeoutMs: 5000,
        tries: 1,
        deadlineMs: 100,
      });
      await rejectionOf(resolver('first.example.com', 'TXT'));
      const later = await rejectionOf(resolver('later.example.com', 'A'));
      assert.equal(later.code, 'ETIMEOUT');
      assert.match(later.message, /A later\.example\.com/);
      assert.equal(resolver.queries, 1);
    } finally {
      silent.close();
    }
  });

  it('keeps answers received before it', async () => {
    const server = await startDnsServer(ZONE);
    try {
      const resolver = createResolver({ servers: [server.address], deadlineMs: 5000 });
      assert.deepEqual(await resolver('n2.example.com', 'TXT'), [['n2.example.com']]);
    } finally {
      await server.close();
    }
  });
});
