import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { openStore, type SendState, type Store } from '../../db/index.js';
import { recordEvent, recordEvents, type EventInput } from '../../server/events/record.js';
import { fc } from '../support/fast-check.js';
import { makeTempDir } from '../support/server.js';

const STATES: SendState[] = [
  'accepted',
  'delivered',
  'deferred',
  'soft_bounced',
  'bounced',
  'rejected',
];
const REASONS = ['userunknown', 'mailboxfull', 'blocked', null];

/** Opens a store with an account and three sends, the same in every run. */
function storeWithSends(): { store: Store; sendIds: number[]; accountId: number } {
  const store = openStore(path.join(makeTempDir('batch-'), 'events.sqlite'));
  const account = store.accounts.create(
    { name: 'A', sendingAddress: 'a@a.example', replyTo: null, method: 'mandrill', settings: {} },
    1,
  );
  const sendIds = ['x@guests.example', 'y@guests.example', 'z@guests.example'].map(
    (recipient, i) =>
      store.sends.create({
        accountId: account.id,
        messageId: `m${i}@a.example`,
        method: 'mandrill',
        kind: 'external',
        headerFrom: 'a@a.example',
        replyTo: null,
        envelopeFrom: null,
        recipient,
        subject: null,
        state: 'accepted',
        providerId: `p${i}`,
        providerStatus: null,
        createdAt: 1,
      }).id,
  );
  return { store, sendIds, accountId: account.id };
}

const eventArbitrary = fc.record({
  send: fc.integer({ min: 0, max: 2 }),
  kind: fc.constantFrom('state', 'open', 'click', 'complaint', 'unsubscribe'),
  state: fc.constantFrom(...STATES),
  reason: fc.constantFrom(...REASONS),
  // A small key space, so that repeated events (dedup) occur.
  key: fc.integer({ min: 0, max: 12 }),
});

type GeneratedEvent = {
  send: number;
  kind: string;
  state: SendState;
  reason: string | null;
  key: number;
};

function toInput(
  event: GeneratedEvent,
  sendIds: number[],
  accountId: number,
  index: number,
): EventInput {
  const sendId = sendIds[event.send] as number;
  const base = {
    sendId,
    accountId,
    source: 'mandrill-webhook' as const,
    occurredAt: 1000 + index,
    dedupKey: `k:${event.send}:${event.kind}:${event.key}`,
  };
  if (event.kind === 'state') {
    return {
      ...base,
      type: event.state,
      state: event.state,
      patch: {
        reason: event.reason ?? undefined,
        detail: `detail ${index}`,
        addOpens: event.key % 2,
      },
    };
  }
  const counters = {
    open: { addOpens: 1 },
    click: { addClicks: 1 },
    complaint: { addComplaints: 1 },
    unsubscribe: { addUnsubscribes: 1 },
  };
  const kind = event.kind as keyof typeof counters;
  return { ...base, type: kind, patch: counters[kind] };
}

test('batch equals one-by-one recording', () => {
  fc.assert(
    fc.property(fc.array(eventArbitrary, { maxLength: 40 }), (events) => {
      const one = storeWithSends();
      const batch = storeWithSends();
      try {
        const inputs = events.map((e, i) => toInput(e, one.sendIds, one.accountId, i));
        let recordedOne = 0;
        for (const input of inputs) if (recordEvent(one.store, input, 5000).event) recordedOne += 1;
        const recordedBatch = batch.store.transaction(() =>
          recordEvents(batch.store, inputs, 5000),
        );
        assert.equal(recordedBatch, recordedOne);
        for (const id of one.sendIds) {
          assert.deepEqual(batch.store.sends.get(id), one.store.sends.get(id));
          assert.deepEqual(batch.store.events.listForSend(id), one.store.events.listForSend(id));
        }
        assert.deepEqual(
          batch.store.suppressions.list(batch.accountId),
          one.store.suppressions.list(one.accountId),
        );
      } finally {
        one.store.close();
        batch.store.close();
      }
    }),
    { numRuns: 60 },
  );
});
