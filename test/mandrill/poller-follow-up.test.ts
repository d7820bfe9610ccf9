import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createVirtualClock, openPollFixture } from '../support/mandrill-poll-fixture.js';
import { startMandrillStandIn } from '../support/mandrill-standin.js';

const KEY = 'md-follow-key-0123456789';
const NOW = Date.parse('2026-11-20T06:00:00Z');
const SENT_TS = NOW / 1000 - 3 * 86_400;
const MINUTES_20 = 20 * 60_000;

describe('Mandrill follow-up with messages/info', () => {
  it('settles open sends and records detail once', async () => {
    const clock = createVirtualClock(NOW);
    const standIn = await startMandrillStandIn({ apiKeys: [KEY], now: clock.now });
    const deferred = standIn.addMessage({
      _id: 'deferred0000000000000000000000001',
      ts: SENT_TS,
      email: 'slow@guests.example',
      sender: 'stay@lakeside.example',
      subject: 'Your booking',
      state: 'deferred',
      smtp_events: [{ ts: SENT_TS + 5, type: 'deferred', diag: '451 4.7.1 Try again later' }],
    });
    const softBounced = standIn.addMessage({
      _id: 'softbounce00000000000000000000002',
      ts: SENT_TS,
      email: 'gone@guests.example',
      sender: 'stay@lakeside.example',
      subject: 'Your booking',
      state: 'soft-bounced',
      diag: 'smtp;452 4.2.2 Mailbox full',
      bounce_description: 'mailbox_full',
      smtp_events: [{ ts: SENT_TS + 5, type: 'soft-bounced', diag: '452 4.2.2 Mailbox full' }],
    });
    const fixture = await openPollFixture({ standIn, apiKey: KEY, clock });
    const { store, accountId } = fixture;
    const account = () => store.accounts.get(accountId)!;
    const sendOf = (providerId: string) => store.sends.findByProviderId(accountId, providerId)!;
    // A send whose message Mandrill has deleted, so info returns Unknown_Message.
    const forgotten = store.sends.create({
      accountId,
      messageId: '<old@lakeside.example>',
      method: 'mandrill',
      kind: 'manual',
      headerFrom: 'stay@lakeside.example',
      replyTo: null,
      envelopeFrom: null,
      recipient: 'old@guests.example',
      subject: 'Old',
      state: 'accepted',
      providerId: 'forgotten000000000000000000000003',
      createdAt: NOW - 5 * 86_400_000,
    });
    try {
      const poller = fixture.poller();
      const first = await poller.pollAccount(account());
      assert.equal(first.error, undefined);
      assert.equal(sendOf(deferred._id).state, 'deferred');
      assert.equal(sendOf(softBounced._id).state, 'soft_bounced');
      // The search returned both open messages already; only the forgotten one was asked about.
      assert.equal(first.infoCalls, 1);

      clock.advance(MINUTES_20);
      standIn.update(deferred._id, {
        state: 'sent',
        smtp_events: [
          { ts: SENT_TS + 5, type: 'deferred', diag: '451 4.7.1 Try again later' },
          { ts: SENT_TS + 900, type: 'sent', diag: '250 2.0.0 OK' },
        ],
        opens: 1,
        opens_detail: [{ ts: SENT_TS + 1800, ip: '192.0.2.9', ua: 'Mozilla/5.0' }],
      });
      standIn.update(softBounced._id, {
        state: 'bounced',
        diag: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
        bounce_description: 'bad_mailbox',
      });
      // The first info call fails once and is retried.
      standIn.faults.add('/messages/info', [2], { kind: 'unavailable' });

      const second = await poller.pollAccount(account());
      assert.equal(second.error, undefined);
      assert.equal(second.infoCalls, 3);
      const delivered = sendOf(deferred._id);
      assert.equal(delivered.state, 'delivered');
      assert.equal(delivered.opens, 1);
      const bounced = sendOf(softBounced._id);
      assert.equal(bounced.state, 'bounced');
      assert.equal(bounced.reason, 'userunknown');
      assert.match(bounced.detail ?? '', /bad_mailbox/);

      const events = store.events.listForSend(delivered.id);
      assert.deepEqual(events.map((e) => e.type).sort(), ['delivered', 'deferred', 'open'].sort());
      const ofType = (type: string) => events.find((e) => e.type === type)?.data;
      const deferral = ofType('deferred') as { smtp_events: { diag: string }[] };
      assert.equal(deferral.smtp_events[0]?.diag, '451 4.7.1 Try again later');
      const delivery = ofType('delivered') as { smtp_events: { diag: string }[] };
      assert.equal(delivery.smtp_events.at(-1)?.diag, '250 2.0.0 OK');
      const open = ofType('open') as { ip: string };
      assert.equal(open.ip, '192.0.2.9');
      assert.deepEqual(
        store.events.listForSend(bounced.id).map((e) => e.type),
        ['soft_bounced', 'bounced'],
      );

      clock.advance(MINUTES_20);
      const third = await poller.pollAccount(account());
      assert.equal(third.error, undefined);
      assert.equal(third.infoCalls, 0);
      assert.equal(third.newEvents, 0);
      assert.equal(store.events.listForSend(delivered.id).length, 3);
      assert.equal(store.sends.get(forgotten.id)?.state, 'accepted');
    } finally {
      fixture.close();
      await standIn.close();
    }
  });
});
