import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openStore } from '../../db/index.js';
import { migrate, schemaVersion } from '../../db/migrate.js';
import { migrations } from '../../db/migrations/index.js';
import { recordEvent } from '../../server/events/record.js';
import { canMove } from '../../server/events/states.js';
import { markInterruptedSends } from '../../server/sending/interrupted.js';
import { makeTempDir } from '../support/server.js';

function freshStore() {
  return openStore(path.join(makeTempDir(), 'store.sqlite'));
}

function seed(store: ReturnType<typeof openStore>) {
  const account = store.accounts.create(
    {
      name: 'Pine Lodge',
      sendingAddress: 'desk@pine.example',
      replyTo: null,
      method: 'smtp',
      settings: { host: 'smtp.pine.example' },
    },
    1_000,
  );
  const send = store.sends.create({
    accountId: account.id,
    messageId: 'abc@pine.example',
    method: 'smtp',
    kind: 'manual',
    headerFrom: 'desk@pine.example',
    replyTo: null,
    envelopeFrom: 'desk@pine.example',
    recipient: 'guest@guests.example',
    subject: 'Hello',
    state: 'queued',
    createdAt: 2_000,
  });
  return { account, send };
}

describe('migrations', () => {
  it('apply in order to a fresh database', () => {
    const file = path.join(makeTempDir(), 'fresh.sqlite');
    const db = new Database(file);
    const applied = migrate(db);
    assert.deepEqual(
      applied,
      migrations.map((m) => m.version),
    );
    assert.equal(schemaVersion(db), migrations.at(-1)?.version);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all();
    assert.deepEqual(
      tables.map((t: any) => t.name),
      [
        'accounts',
        'api_token_accounts',
        'api_tokens',
        'bounces',
        'domain_checks',
        'events',
        'mailbox_cursors',
        'mandrill_cursors',
        'mandrill_follow_ups',
        'mandrill_sync_status',
        'report_account_days',
        'report_account_domain_days',
        'report_account_hours',
        'report_account_reason_days',
        'report_account_weeks',
        'report_domain_days',
        'report_domain_hours',
        'report_domain_weeks',
        'report_hours',
        'report_platform_hours',
        'report_reason_days',
        'schema_migrations',
        'sends',
        'sessions',
        'suppressions',
        'user_accounts',
        'users',
      ],
    );
    assert.deepEqual(migrate(db), [], 'a second run applies nothing');
    db.close();
  });

  it('roll back a failing step', () => {
    const db = new Database(':memory:');
    migrate(db);
    const broken = [
      ...migrations,
      { version: 999, name: 'broken', sql: 'CREATE TABLE x (a); SELECT * FROM missing_table;' },
    ];
    assert.throws(() => migrate(db, broken), /no such table/);
    assert.equal(schemaVersion(db), migrations.at(-1)?.version);
    const row = db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'x'").get() as {
      n: number;
    };
    assert.equal(row.n, 0);
    db.close();
  });
});

describe('events', () => {
  it('append once per dedup key', () => {
    const store = freshStore();
    const { account, send } = seed(store);
    const input = {
      sendId: send.id,
      accountId: account.id,
      type: 'open' as const,
      source: 'mandrill-poll' as const,
      occurredAt: 3_000,
      dedupKey: 'k1',
      patch: { addOpens: 1 },
    };
    assert.ok(recordEvent(store, input, 4_000).event);
    assert.equal(recordEvent(store, input, 5_000).event, null);
    assert.equal(store.sends.get(send.id)?.opens, 1);
    assert.equal(store.events.listForSend(send.id).length, 1);
    store.close();
  });

  it('list a whole-second Mandrill time after its second', () => {
    const store = freshStore();
    const { account, send } = seed(store);
    const event = (
      type: 'accepted' | 'delivered',
      source: 'api' | 'mandrill-webhook',
      at: number,
    ) =>
      recordEvent(
        store,
        {
          sendId: send.id,
          accountId: account.id,
          type,
          state: type,
          source,
          occurredAt: at,
          dedupKey: type,
        },
        at,
      );
    event('accepted', 'api', 14_056);
    // Mandrill's "send" event of the same second, dated by its whole-second ts.
    event('delivered', 'mandrill-webhook', 14_000);
    const types = store.events.listForSend(send.id).map((e) => e.type);
    assert.deepEqual(types, ['accepted', 'delivered']);
    store.close();
  });

  it('keep a late state change without moving the send back', () => {
    const store = freshStore();
    const { account, send } = seed(store);
    const base = {
      sendId: send.id,
      accountId: account.id,
      source: 'mandrill-poll' as const,
      occurredAt: 3_000,
    };
    recordEvent(
      store,
      {
        ...base,
        type: 'bounced',
        state: 'bounced',
        dedupKey: 'b',
        patch: { reason: 'userunknown' },
      },
      4_000,
    );
    const late = recordEvent(
      store,
      { ...base, type: 'delivered', state: 'delivered', dedupKey: 'd' },
      5_000,
    );
    assert.equal(late.stateChanged, false);
    assert.equal(late.event?.stateBefore, 'bounced');
    assert.equal(late.event?.stateAfter, 'bounced');
    const current = store.sends.get(send.id);
    assert.equal(current?.state, 'bounced');
    assert.equal(current?.reason, 'userunknown');
    store.close();
  });

  it('state machine moves forward only', () => {
    assert.equal(canMove('queued', 'accepted'), true);
    assert.equal(canMove('accepted', 'delivered'), true);
    assert.equal(canMove('delivered', 'bounced'), true);
    assert.equal(canMove('bounced', 'delivered'), false);
    assert.equal(canMove('failed', 'accepted'), false);
    assert.equal(canMove('accepted', 'queued'), false);
  });

  it('interrupted hand-offs become unknown at start-up', () => {
    const store = freshStore();
    const { send } = seed(store);
    assert.equal(markInterruptedSends(store, 9_000), 1);
    assert.equal(store.sends.get(send.id)?.state, 'unknown');
    assert.equal(markInterruptedSends(store, 9_500), 0);
    assert.equal(store.integrityCheck(), 'ok');
    store.close();
  });
});

describe('mailbox cursors', () => {
  it('save and read back per account', () => {
    const store = freshStore();
    const { account } = seed(store);
    assert.equal(store.mailboxCursors.get(account.id), null);
    const cursor = {
      accountId: account.id,
      server: 'office@imap.pine.example:993',
      folder: 'Bounces',
      uidValidity: 1796410601,
      lastUid: 42,
      lastRunAt: 1000,
      lastSuccessAt: 1000,
      lastError: null,
      lastErrorAt: null,
      messagesRead: 42,
    };
    store.mailboxCursors.save(cursor);
    assert.deepEqual(store.mailboxCursors.get(account.id), cursor);

    const failed = { ...cursor, lastRunAt: 2000, lastError: 'login rejected', lastErrorAt: 2000 };
    store.mailboxCursors.save(failed);
    assert.deepEqual(store.mailboxCursors.get(account.id), failed);
    store.close();
  });
});
