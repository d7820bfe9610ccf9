import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openStore, type AccountRecord, type Store } from '../../db/index.js';
import { createAccount } from '../../server/accounts/service.js';
import { classifySmtpReply } from '../../server/bounces/classify.js';
import { ingestMessages } from '../../server/mandrill/ingest.js';
import type { MandrillMessageInfo } from '../../server/mandrill/types.js';
import { parseKeyring } from '../../server/secrets/index.js';
import { KEYRING_SPEC } from '../support/mandrill-poll-fixture.js';
import { makeTempDir } from '../support/server.js';

const NOW = Date.parse('2026-11-20T06:00:00Z');
const TS = NOW / 1000 - 3600;

describe('Mandrill state mapping', () => {
  let store: Store;
  let account: AccountRecord;
  let next = 0;

  before(async () => {
    store = openStore(path.join(makeTempDir('deliverability-map-'), 'map.sqlite'));
    account = await createAccount(
      store,
      parseKeyring(KEYRING_SPEC),
      {
        name: 'Lakeside Cabins',
        sendingAddress: 'stay@lakeside.example',
        method: 'mandrill',
        settings: { apiKey: 'md-map-key-0123456789' },
      },
      NOW,
    );
  });

  after(() => store?.close());

  function ingestOne(fields: Partial<MandrillMessageInfo> & { state: string }) {
    next += 1;
    const info: MandrillMessageInfo = {
      _id: `map${next.toString().padStart(29, '0')}`,
      ts: TS,
      email: `guest${next}@guests.example`,
      sender: 'stay@lakeside.example',
      subject: 'Your booking',
      opens: 0,
      clicks: 0,
      ...fields,
    };
    store.transaction(() =>
      ingestMessages(store, account, [info], {
        source: 'mandrill-poll',
        now: NOW,
        classify: classifySmtpReply,
      }),
    );
    return store.sends.findByProviderId(account.id, info._id)!;
  }

  const states: [string, string][] = [
    ['sent', 'delivered'],
    ['bounced', 'bounced'],
    ['soft-bounced', 'soft_bounced'],
    ['deferred', 'deferred'],
    ['rejected', 'rejected'],
    ['spam', 'delivered'],
    ['unsub', 'delivered'],
    ['queued', 'accepted'],
    ['scheduled', 'accepted'],
    ['canceled', 'rejected'],
  ];
  for (const [mandrillState, sendState] of states) {
    it(`${mandrillState} becomes ${sendState}`, () => {
      const send = ingestOne({ state: mandrillState });
      assert.equal(send.state, sendState);
      assert.equal(send.providerStatus, mandrillState);
      assert.equal(send.kind, 'external');
    });
  }

  it('spam and unsub count as engagement', () => {
    assert.equal(ingestOne({ state: 'spam' }).complaints, 1);
    assert.equal(ingestOne({ state: 'unsub' }).unsubscribes, 1);
  });

  it('bounce reason comes from diag', () => {
    const send = ingestOne({
      state: 'bounced',
      diag: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
      bounce_description: 'mailbox_full',
    });
    assert.equal(send.reason, 'userunknown');
  });

  it('bounce description fills an empty diag', () => {
    assert.equal(
      ingestOne({ state: 'bounced', bounce_description: 'mailbox_full' }).reason,
      'mailboxfull',
    );
    assert.equal(
      ingestOne({ state: 'soft-bounced', bounce_description: 'invalid_domain' }).reason,
      'hostunknown',
    );
  });

  it('unknown bounce description keeps the classification', () => {
    const send = ingestOne({ state: 'bounced', bounce_description: 'something_new' });
    assert.equal(send.reason, 'onhold');
  });
});
