import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventRecord, Store } from '../../db/types.js';
import { ingestMessages } from '../../server/mandrill/ingest.js';
import { ingestWebhookEvents } from '../../server/mandrill/webhook.js';
import {
  createVirtualClock,
  openPollFixture,
  type PollFixture,
} from '../support/mandrill-poll-fixture.js';
import { startMandrillStandIn, type MandrillStandIn } from '../support/mandrill-standin.js';

const KEY = 'md-times-key-0123456789';
const NOW = Date.parse('2026-11-20T06:00:00Z');
/** Mandrill's send time of the messages below, in Unix seconds: an hour before the first poll. */
const SENT_TS = NOW / 1000 - 3600;
const MINUTES_20 = 20 * 60_000;

/** Starts a stand-in and a poll fixture on one virtual clock, runs `body`, then closes both. */
async function withPoller(
  body: (context: {
    standIn: MandrillStandIn;
    fixture: PollFixture;
    clock: ReturnType<typeof createVirtualClock>;
    poll: () => Promise<void>;
  }) => Promise<void>,
): Promise<void> {
  const clock = createVirtualClock(NOW);
  const standIn = await startMandrillStandIn({ apiKeys: [KEY], now: clock.now });
  const fixture = await openPollFixture({ standIn, apiKey: KEY, clock });
  const poller = fixture.poller();
  const poll = async () => {
    const result = await poller.pollAccount(fixture.store.accounts.get(fixture.accountId)!);
    assert.equal(result.error, undefined);
  };
  try {
    await body({ standIn, fixture, clock, poll });
  } finally {
    fixture.close();
    await standIn.close();
  }
}

function eventOf(store: Store, sendId: number, type: string): EventRecord {
  const event = store.events.listForSend(sendId).find((e) => e.type === type);
  assert.ok(event, `send ${sendId} has no ${type} event`);
  return event;
}

describe('Mandrill state times', () => {
  it('later bounce keeps the smtp_event time', async () => {
    await withPoller(async ({ standIn, fixture, clock, poll }) => {
      const message = standIn.addMessage({
        _id: 'bounce0000000000000000000000000001',
        ts: SENT_TS,
        email: 'gone@guests.example',
        state: 'sent',
        smtp_events: [{ ts: SENT_TS + 2, type: 'sent', diag: '250 2.0.0 OK' }],
        opens: 1,
        opens_detail: [{ ts: SENT_TS + 60, ip: '192.0.2.7' }],
      });
      await poll();
      const send = fixture.store.sends.findByProviderId(fixture.accountId, message._id)!;
      assert.equal(send.updatedAt, NOW);

      clock.advance(MINUTES_20);
      standIn.update(message._id, {
        state: 'bounced',
        diag: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
        bounce_description: 'bad_mailbox',
        smtp_events: [
          { ts: SENT_TS + 2, type: 'sent', diag: '250 2.0.0 OK' },
          { ts: SENT_TS + 600, type: 'bounced', diag: '550 5.1.1 user unknown' },
        ],
      });
      await poll();

      const bounce = eventOf(fixture.store, send.id, 'bounced');
      assert.equal(bounce.occurredAt, (SENT_TS + 600) * 1000);
      assert.equal(bounce.recordedAt, NOW + MINUTES_20);
      assert.equal(eventOf(fixture.store, send.id, 'delivered').occurredAt, (SENT_TS + 2) * 1000);
      assert.equal(eventOf(fixture.store, send.id, 'open').occurredAt, (SENT_TS + 60) * 1000);
      assert.equal(fixture.store.sends.get(send.id)?.state, 'bounced');
    });
  });

  it('later bounce without smtp_events keeps Mandrill time', async () => {
    await withPoller(async ({ standIn, fixture, clock, poll }) => {
      const message = standIn.addMessage({
        _id: 'bounce0000000000000000000000000002',
        ts: SENT_TS,
        email: 'later@guests.example',
        state: 'sent',
        opens: 1,
        opens_detail: [{ ts: SENT_TS + 60, ip: '192.0.2.7' }],
      });
      await poll();
      const send = fixture.store.sends.findByProviderId(fixture.accountId, message._id)!;

      clock.advance(MINUTES_20);
      standIn.update(message._id, { state: 'bounced', bounce_description: 'bad_mailbox' });
      await poll();

      // The message's ts, which the delivery before it also carries, and not the first poll's time.
      const bounce = eventOf(fixture.store, send.id, 'bounced');
      assert.equal(bounce.occurredAt, SENT_TS * 1000);
      assert.notEqual(bounce.occurredAt, NOW);
    });
  });

  it('state before a recorded change is clamped', async () => {
    await withPoller(async ({ standIn, fixture, clock, poll }) => {
      const id = 'deferral00000000000000000000000003';
      const deferredAt = SENT_TS + 900;
      const msg = {
        _id: id,
        ts: SENT_TS,
        email: 'slow@guests.example',
        sender: 'stay@lakeside.example',
        subject: 'Your booking',
        state: 'deferred',
      };
      // The webhook is recorded well after the deferral it reports.
      const account = fixture.store.accounts.get(fixture.accountId)!;
      fixture.store.transaction(() =>
        ingestWebhookEvents(fixture.store, account, [{ event: 'deferral', ts: deferredAt, msg }], {
          now: NOW - 5 * 60_000,
        }),
      );
      const send = fixture.store.sends.findByProviderId(fixture.accountId, id)!;
      assert.equal(send.state, 'deferred');
      assert.equal(fixture.store.events.lastStateChangeAt(send.id), deferredAt * 1000);

      // The poll reports the delivery with no smtp_events, so Mandrill's best time is the send time.
      standIn.addMessage({ ...msg, state: 'sent' });
      clock.advance(MINUTES_20);
      await poll();

      const delivered = eventOf(fixture.store, send.id, 'delivered');
      assert.equal(delivered.occurredAt, deferredAt * 1000);
      assert.equal(delivered.stateBefore, 'deferred');
      assert.equal(fixture.store.sends.get(send.id)?.state, 'delivered');
    });
  });

  it('state before the send was queued is clamped', async () => {
    await withPoller(async ({ fixture }) => {
      const queuedAt = SENT_TS * 1000 + 700;
      const send = fixture.store.sends.create({
        accountId: fixture.accountId,
        messageId: '<booking-4@lakeside.example>',
        method: 'mandrill',
        kind: 'manual',
        headerFrom: 'stay@lakeside.example',
        replyTo: null,
        envelopeFrom: null,
        recipient: 'early@guests.example',
        subject: 'Your booking',
        state: 'queued',
        createdAt: queuedAt,
      });
      const account = fixture.store.accounts.get(fixture.accountId)!;
      // Mandrill's ts is in whole seconds, so it can fall before the product queued the send.
      const info = {
        _id: 'early00000000000000000000000000004',
        ts: SENT_TS,
        email: 'early@guests.example',
        sender: 'stay@lakeside.example',
        subject: 'Your booking',
        state: 'sent',
        opens: 0,
        clicks: 0,
        metadata: { message_id: '<booking-4@lakeside.example>' },
      };
      fixture.store.transaction(() =>
        ingestMessages(fixture.store, account, [info], { source: 'mandrill-poll', now: NOW }),
      );
      assert.equal(eventOf(fixture.store, send.id, 'delivered').occurredAt, queuedAt);
    });
  });
});

describe('last state change time', () => {
  it('counts only events that moved the state', async () => {
    await withPoller(async ({ fixture }) => {
      const { store, accountId } = fixture;
      const send = store.sends.create({
        accountId,
        messageId: '<booking-5@lakeside.example>',
        method: 'mandrill',
        kind: 'manual',
        headerFrom: 'stay@lakeside.example',
        replyTo: null,
        envelopeFrom: null,
        recipient: 'moves@guests.example',
        subject: 'Your booking',
        state: 'queued',
        createdAt: 1_000,
      });
      const append = (
        type: string,
        occurredAt: number,
        states: Pick<EventRecord, 'stateBefore' | 'stateAfter'>,
      ) =>
        store.events.append({
          sendId: send.id,
          accountId,
          providerId: null,
          type,
          source: 'mandrill-poll',
          occurredAt,
          recordedAt: NOW,
          data: null,
          dedupKey: `test:${send.id}:${type}`,
          ...states,
        });
      assert.equal(store.events.lastStateChangeAt(send.id), null);

      append('queued', 1_000, { stateBefore: 'queued', stateAfter: 'queued' });
      assert.equal(store.events.lastStateChangeAt(send.id), null);

      append('accepted', 2_000, { stateBefore: 'queued', stateAfter: 'accepted' });
      append('bounced', 5_000, { stateBefore: 'accepted', stateAfter: 'bounced' });
      assert.equal(store.events.lastStateChangeAt(send.id), 5_000);

      // A late delivery that may not undo the bounce, and an open: neither moved the state.
      append('delivered', 9_000, { stateBefore: 'bounced', stateAfter: 'bounced' });
      append('open', 9_500, { stateBefore: 'bounced', stateAfter: 'bounced' });
      assert.equal(store.events.lastStateChangeAt(send.id), 5_000);
    });
  });
});
