import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkDomain } from '../../server/checks/index.js';
import type { DomainCheck } from '../../server/checks/types.js';
import { createResolver } from '../../server/dns/resolver.js';
import type { Resolver } from '../../server/dns/types.js';
import { startDnsServer } from '../support/dns-server.js';
import type { DnsServer, ZoneRecord } from '../support/dns-server.js';
import { platformZone, rsaPublicKeyBase64, TEST_PLATFORM } from '../support/zones.js';

type Outcome = { ok: true; value: unknown } | { ok: false; reason: unknown };

interface HeldAnswer {
  outcome: Promise<Outcome>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/**
 * Wraps `inner` so that every answer is held until `release()`, which hands out all the answers
 * requested so far, as one round trip would. A check that needs N releases waits for N round
 * trips one after another. Type 99 (SPF) passes straight through, because node:dns rejects it
 * before sending anything.
 */
function roundGate(inner: Resolver): {
  resolver: Resolver;
  release: () => Promise<void>;
  held: () => number;
} {
  const held: HeldAnswer[] = [];
  const requested = new Map<string, Promise<unknown>>();
  const resolver: Resolver = (name, rrtype) => {
    if (rrtype.toUpperCase() === 'SPF') {
      return inner(name, rrtype);
    }
    const key = `${rrtype.toUpperCase()} ${name.trim().toLowerCase().replace(/\.$/, '')}`;
    const known = requested.get(key);
    if (known) {
      return known;
    }
    // The outcome is read at once, so a failed query is never an unhandled rejection.
    const outcome = inner(name, rrtype).then(
      (value): Outcome => ({ ok: true, value }),
      (reason: unknown): Outcome => ({ ok: false, reason }),
    );
    const gated = new Promise<unknown>((resolve, reject) => {
      held.push({ outcome, resolve, reject });
    });
    requested.set(key, gated);
    return gated;
  };
  const release = async (): Promise<void> => {
    const batch = held.splice(0);
    const outcomes = await Promise.all(batch.map((item) => item.outcome));
    outcomes.forEach((outcome, index) => {
      const item = batch[index] as HeldAnswer;
      if (outcome.ok) {
        item.resolve(outcome.value);
      } else {
        item.reject(outcome.reason);
      }
    });
  };
  return { resolver, release, held: () => held.length };
}

/** Lets the check run until it waits for answers again. */
async function idle(): Promise<void> {
  for (let turn = 0; turn < 10; turn += 1) {
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const now = (): Date => new Date('2026-12-04T00:00:00Z');

describe('round trips of a domain check', () => {
  let server: DnsServer;

  before(async () => {
    const key = rsaPublicKeyBase64(1024);
    const zone: ZoneRecord[] = [
      ...platformZone(),
      { name: 'shop.example', type: 'TXT', data: ['v=spf1 include:_spf.mailer.example -all'] },
      {
        name: '_spf.mailer.example',
        type: 'TXT',
        data: ['v=spf1 include:deep.mailer.example -all'],
      },
      { name: 'deep.mailer.example', type: 'TXT', data: ['v=spf1 ip4:192.0.2.0/24 -all'] },
      {
        name: '_dmarc.shop.example',
        type: 'TXT',
        data: ['v=DMARC1; p=reject; rua=mailto:d@reports.example'],
      },
      { name: 'shop.example', type: 'MX', data: { priority: 10, exchange: 'mx.shop.example' } },
      { name: 'mx.shop.example', type: 'A', data: '192.0.2.25' },
      { name: 'google._domainkey.shop.example', type: 'TXT', data: [`v=DKIM1; k=rsa; p=${key}`] },
      { name: 'mail.shop.example', type: 'TXT', data: ['v=spf1 -all'] },
    ];
    server = await startDnsServer(zone);
  });
  after(async () => {
    await server?.close();
  });

  async function roundsOf(domain: string): Promise<{ rounds: number; check: DomainCheck }> {
    const gate = roundGate(createResolver({ servers: [server.address] }));
    let done = false;
    const checking = checkDomain(domain, { resolver: gate.resolver, platform: TEST_PLATFORM, now });
    void checking.finally(() => {
      done = true;
    });
    let rounds = 0;
    for (;;) {
      await idle();
      if (done) {
        break;
      }
      assert.ok(gate.held() > 0, `the check of ${domain} waits for something other than DNS`);
      await gate.release();
      rounds += 1;
    }
    return { rounds, check: await checking };
  }

  async function ungated(domain: string): Promise<DomainCheck> {
    const resolver = createResolver({ servers: [server.address] });
    return checkDomain(domain, { resolver, platform: TEST_PLATFORM, now });
  }

  it('follows the SPF include depth', async () => {
    // The deepest chain is SPF: shop.example, then _spf.mailer.example, then deep.mailer.example.
    // DMARC with its report authorization, the MX with its host and the platform's DMARC
    // fallback take 2 each.
    const { rounds, check } = await roundsOf('shop.example');
    assert.equal(rounds, 3);
    assert.deepEqual(check, await ungated('shop.example'));
  });

  it('follows the DMARC fallback', async () => {
    // _dmarc.mail.shop.example is empty, so _dmarc.shop.example follows, then the
    // authorization record of its external rua destination.
    const { rounds, check } = await roundsOf('mail.shop.example');
    assert.equal(rounds, 3);
    assert.equal(check.dmarc.recordDomain, 'shop.example');
    assert.deepEqual(check, await ungated('mail.shop.example'));
  });
});
