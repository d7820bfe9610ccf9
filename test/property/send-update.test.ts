import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { openStore } from '../../db/index.js';
import { patchedSendRecord } from '../../db/send-record.js';
import type { SendPatch, SendState } from '../../db/types.js';
import { fc } from '../support/fast-check.js';
import { makeTempDir } from '../support/server.js';

const STATES: SendState[] = ['accepted', 'delivered', 'deferred', 'bounced', 'soft_bounced'];

/** A field left out, or given as null, or given a value. */
const maybe = <T>(value: fc.Arbitrary<T>) =>
  fc.option(fc.option(value, { nil: null }), { nil: undefined });
const counter = fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined });

const patch: fc.Arbitrary<Omit<SendPatch, 'updatedAt'>> = fc.record(
  {
    state: fc.option(fc.constantFrom(...STATES), { nil: undefined }),
    providerId: fc.option(fc.constantFrom('md-1', 'md-2'), { nil: undefined }),
    providerStatus: fc.option(fc.constantFrom('sent', 'bounced'), { nil: undefined }),
    replyCode: maybe(fc.constantFrom(250, 550)),
    statusCode: maybe(fc.constantFrom('2.0.0', '5.1.1')),
    reason: maybe(fc.constantFrom('userunknown', 'mailboxfull')),
    detail: maybe(fc.constantFrom('550 5.1.1 no such user', 'ok')),
    addOpens: counter,
    addClicks: counter,
    addComplaints: counter,
    addUnsubscribes: counter,
  },
  { requiredKeys: [] },
);

// `sends.update` prepares an UPDATE for the columns each patch sets. Whatever the mix, the row
// must end as `patchedSendRecord` describes it, because the batched writes rely on that.
test('sends.update matches patchedSendRecord', () => {
  const store = openStore(path.join(makeTempDir(), 'send-update.sqlite'));
  const account = store.accounts.create(
    {
      name: 'Pine Lodge',
      sendingAddress: 'desk@pine.example',
      replyTo: null,
      method: 'mandrill',
      settings: {},
    },
    1_000,
  );
  try {
    fc.assert(
      fc.property(fc.array(patch, { minLength: 1, maxLength: 8 }), (patches) => {
        let expected = store.sends.create({
          accountId: account.id,
          messageId: `m${Math.random()}@pine.example`,
          method: 'mandrill',
          kind: 'manual',
          headerFrom: 'desk@pine.example',
          replyTo: null,
          envelopeFrom: null,
          recipient: 'guest@guests.example',
          subject: 'Hello',
          state: 'accepted',
          createdAt: 2_000,
        });
        patches.forEach((fields, i) => {
          const full: SendPatch = { ...fields, updatedAt: 3_000 + i };
          store.sends.update(expected.id, full);
          expected = patchedSendRecord(expected, full);
          assert.deepEqual(store.sends.get(expected.id), expected);
        });
        // Frees the provider id for the next send, because the unique index allows one per account.
        store.sends.update(expected.id, { providerId: `done-${expected.id}`, updatedAt: 9_000 });
      }),
    );
  } finally {
    store.close();
  }
});
