import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openStore, type AccountRecord, type Store } from '../../db/index.js';
import { classifySmtpReply } from '../../server/bounces/index.js';
import { ingestWebhookEvents, type WebhookEvent } from '../../server/mandrill/webhook.js';
import { fc } from '../support/fast-check.js';
import { makeTempDir } from '../support/server.js';

const NOW = Date.UTC(2026, 11, 1, 12);
const TS = Math.floor(NOW / 1000) - 7200;
const KINDS = [
  'send',
  'deferral',
  'hard_bounce',
  'soft_bounce',
  'reject',
  'open',
  'click',
  'spam',
  'unsub',
];
const DIAGS = [
  'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
  'smtp;552 5.2.2 Mailbox full',
  '421 4.7.0 Try again later',
];

interface Fixture {
  file: string;
  store: Store;
  account: AccountRecord;
}

/**
 * A store with a Mandrill account whose messages m0 and m1 the product sent already, and
 * with `unlinked`, an event of message m4 stored before its send.
 */
function fixture(unlinked: boolean): Fixture {
  const file = path.join(makeTempDir('webhook-batch-'), 'events.sqlite');
  const store = openStore(file);
  const account = store.accounts.create(
    { name: 'A', sendingAddress: 'a@a.example', replyTo: null, method: 'mandrill', settings: {} },
    1,
  );
  for (const i of [0, 1]) {
    store.sends.create({
      accountId: account.id,
      messageId: `<m${i}@a.example>`,
      method: 'mandrill',
      kind: 'manual',
      headerFrom: 'a@a.example',
      replyTo: null,
      envelopeFrom: null,
      recipient: `guest${i}@guests.example`,
      subject: null,
      state: 'accepted',
      providerId: `m${i}`,
      providerStatus: 'queued',
      createdAt: TS * 1000,
    });
  }
  if (unlinked) {
    store.events.append({
      sendId: null,
      accountId: account.id,
      providerId: 'm4',
      type: 'delivered',
      source: 'mandrill-poll',
      occurredAt: TS * 1000,
      recordedAt: TS * 1000,
      stateBefore: null,
      stateAfter: null,
      data: null,
      dedupKey: `mandrill:${account.id}:m4:delivered`,
    });
  }
  return { file, store, account };
}

const eventArbitrary = fc.record({
  message: fc.integer({ min: 0, max: 5 }),
  kind: fc.constantFrom(...KINDS),
  // A small range of times, so that repeated opens and clicks (dedup) occur.
  offset: fc.integer({ min: 0, max: 3 }),
  diag: fc.constantFrom(...DIAGS),
});

function toWebhookEvent(generated: {
  message: number;
  kind: string;
  offset: number;
  diag: string;
}): WebhookEvent {
  const id = `m${generated.message}`;
  const bounce = generated.kind.endsWith('bounce');
  return {
    event: generated.kind,
    ts: TS + generated.offset,
    _id: id,
    ...(generated.kind === 'click' ? { url: `https://stay.example/${generated.offset}` } : {}),
    msg: {
      _id: id,
      ts: TS,
      email: `guest${generated.message}@guests.example`,
      sender: 'a@a.example',
      subject: `Message ${generated.message}`,
      state: bounce ? 'bounced' : 'sent',
      ...(bounce ? { diag: generated.diag } : {}),
    },
  };
}

/** Everything the ingestion wrote, without the row ids, which depend on the order of writes. */
function contents(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const sends = db
      .prepare('SELECT * FROM sends ORDER BY provider_id')
      .all()
      .map((row) => ({ ...(row as object), id: undefined }));
    const events = db
      .prepare(
        `SELECT sends.provider_id AS send, events.* FROM events
        LEFT JOIN sends ON sends.id = events.send_id ORDER BY dedup_key`,
      )
      .all()
      .map((row) => ({ ...(row as object), id: undefined, send_id: undefined }));
    const suppressions = db
      .prepare('SELECT address, reason FROM suppressions ORDER BY address')
      .all();
    const reports = ['report_hours', 'report_account_hours', 'report_platform_hours'].map((table) =>
      db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3`).all(),
    );
    return { sends, events, suppressions, reports };
  } finally {
    db.close();
  }
}

test('webhook batch equals its events one at a time', () => {
  fc.assert(
    fc.property(
      fc.array(eventArbitrary, { maxLength: 40 }),
      fc.boolean(),
      (generated, unlinked) => {
        const events = generated.map(toWebhookEvent);
        const batch = fixture(unlinked);
        const single = fixture(unlinked);
        const options = { now: NOW, classify: classifySmtpReply };
        try {
          const counted = batch.store.transaction(() =>
            ingestWebhookEvents(batch.store, batch.account, events, options),
          );
          let recorded = 0;
          for (const event of events) {
            recorded += single.store.transaction(
              () => ingestWebhookEvents(single.store, single.account, [event], options).recorded,
            );
          }
          assert.equal(counted.recorded, recorded);
          const expected = contents(single.file);
          const actual = contents(batch.file);
          assert.deepEqual(actual.sends, expected.sends);
          assert.deepEqual(actual.events, expected.events);
          assert.deepEqual(actual.suppressions, expected.suppressions);
          assert.deepEqual(actual.reports, expected.reports);
        } finally {
          batch.store.close();
          single.store.close();
        }
      },
    ),
    { numRuns: 80 },
  );
});
