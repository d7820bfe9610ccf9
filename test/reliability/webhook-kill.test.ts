import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import {
  buildWebhookBatch,
  EVENTS_PER_BATCH,
  MESSAGES_PER_BATCH,
  postSignedBody,
  signedWebhookBody,
  type WebhookBatch,
} from '../support/mandrill-webhooks-batches.js';
import { makeTempDir } from '../support/server.js';
import { exited, loginCookie, serveChild, setupAdmin, type ChildServer } from './child-server.js';

const ADMIN = { email: 'admin@webhook-kill.example', password: 'webhook-kill-password-1' };
const WEBHOOK_KEY = 'whk-kill-test-key';
// Signed URLs use this, so they stay the same when the restarted server gets another port.
const PUBLIC_URL = 'https://desk.example';
const BATCHES = 40;
const SENDERS = 4;

/**
 * In CI every run uses one seed, and elsewhere each run draws a new kill point.
 * The seed is printed, and WEBHOOK_KILL_SEED=<seed> replays it.
 */
const SEED = Number(
  process.env.WEBHOOK_KILL_SEED ?? (process.env.CI ? 20261204 : Date.now() % 2 ** 31),
);

/** mulberry32: a small seeded generator of numbers in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Stored {
  /** Stored events per batch index, by dedup key. */
  events: Map<number, number>;
  /** Rows whose dedup key no batch contains. */
  strangers: string[];
  duplicateKeys: number;
  /** Stored sends per batch index, keyed by provider id. */
  sends: Map<number, Map<string, { state: string; opens: number; clicks: number }>>;
  integrity: string;
}

/** Reads which events and sends of each batch the database file contains, read-only. */
function inspect(database: string, batches: WebhookBatch[]): Stored {
  const batchOfKey = new Map<string, number>();
  for (const batch of batches) for (const key of batch.dedupKeys) batchOfKey.set(key, batch.index);
  const db = new Database(database, { readonly: true });
  try {
    const stored: Stored = {
      events: new Map(),
      strangers: [],
      duplicateKeys: 0,
      sends: new Map(),
      integrity: String(db.pragma('integrity_check', { simple: true })),
    };
    const rows = db
      .prepare("SELECT dedup_key AS key FROM events WHERE source = 'mandrill-webhook'")
      .all() as { key: string }[];
    for (const { key } of rows) {
      const index = batchOfKey.get(key);
      if (index === undefined) stored.strangers.push(key);
      else stored.events.set(index, (stored.events.get(index) ?? 0) + 1);
    }
    stored.duplicateKeys = (
      db.prepare('SELECT COUNT(*) - COUNT(DISTINCT dedup_key) AS n FROM events').get() as {
        n: number;
      }
    ).n;
    const sends = db
      .prepare(
        "SELECT provider_id AS id, state, opens, clicks FROM sends WHERE method = 'mandrill'",
      )
      .all() as { id: string; state: string; opens: number; clicks: number }[];
    for (const send of sends) {
      const index = Number(/^b(\d{4})m/.exec(send.id)?.[1] ?? -1);
      const forBatch = stored.sends.get(index) ?? new Map();
      forBatch.set(send.id, send);
      stored.sends.set(index, forBatch);
    }
    return stored;
  } finally {
    db.close();
  }
}

/** Asserts that the batch is stored whole: every event once, every send with its counters. */
function assertWhole(stored: Stored, batch: WebhookBatch, label: string): void {
  assert.equal(stored.events.get(batch.index), EVENTS_PER_BATCH, `events of ${label}`);
  const sends = stored.sends.get(batch.index);
  assert.equal(sends?.size, MESSAGES_PER_BATCH, `sends of ${label}`);
  for (const message of batch.messages) {
    const send = sends?.get(message.id);
    assert.equal(send?.state, message.state, `state of ${message.id} in ${label}`);
    assert.equal(send?.opens, message.opens, `opens of ${message.id} in ${label}`);
    assert.equal(send?.clicks, message.clicks, `clicks of ${message.id} in ${label}`);
  }
}

function assertAbsent(stored: Stored, batch: WebhookBatch, label: string): void {
  assert.equal(stored.events.get(batch.index), undefined, `events of ${label}`);
  assert.equal(stored.sends.get(batch.index), undefined, `sends of ${label}`);
}

interface Answer {
  status: number;
  body: { received?: number; recorded?: number; ignored?: number };
}

/**
 * Posts the batches from several senders at once, each taking the next
 * batch. A sender stops at its first failed request or once `stop` returns
 * true. `onAnswer` is called with each response as it arrives.
 */
async function stream(
  url: string,
  bodies: { body: string; signature: string }[],
  options: { stop?: () => boolean; onAnswer?: (index: number, answer: Answer) => void } = {},
): Promise<Map<number, Answer>> {
  const answers = new Map<number, Answer>();
  let next = 0;
  const sender = async () => {
    while (next < bodies.length && !options.stop?.()) {
      const index = next;
      next += 1;
      let answer: Answer;
      try {
        answer = await postSignedBody(url, bodies[index]!);
      } catch {
        return; // The server died under this request.
      }
      answers.set(index, answer);
      options.onAnswer?.(index, answer);
    }
  };
  await Promise.all(Array.from({ length: SENDERS }, sender));
  return answers;
}

describe('crash during a stream of webhook batches', () => {
  const children: ChildProcess[] = [];

  after(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  it('SIGKILL keeps batches whole and once', async (t) => {
    const random = seededRandom(SEED);
    // At least two acknowledged batches before the kill, and enough left to be in flight.
    const killAfter = 2 + Math.floor(random() * (BATCHES - 12));
    const killDelayMs = Math.floor(random() * 40);
    t.diagnostic(`seed ${SEED}: kill after ${killAfter} answers plus ${killDelayMs} ms`);

    const database = path.join(makeTempDir(), 'webhook-kill.sqlite');
    const env = {
      ...process.env,
      DELIVERABILITY_DATABASE: database,
      DELIVERABILITY_LOG_LEVEL: 'silent',
      DELIVERABILITY_PUBLIC_URL: PUBLIC_URL,
      DELIVERABILITY_DNS: '127.0.0.1:9',
      DELIVERABILITY_MANDRILL_BASE_URL: 'http://127.0.0.1:9/api/1.3',
      DELIVERABILITY_RELAY_URL: 'smtp://127.0.0.1:9',
    };
    await setupAdmin(env, ADMIN.email, ADMIN.password);
    const first: ChildServer = await serveChild(env);
    children.push(first.child);
    const cookie = await loginCookie(first.url, ADMIN.email, ADMIN.password);
    const created = await fetch(`${first.url}/api/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie },
      body: JSON.stringify({
        name: 'Hooked',
        sendingAddress: 'desk@hooked.example',
        method: 'mandrill',
        settings: { apiKey: 'md-kill-test-key', webhookKey: WEBHOOK_KEY },
      }),
    });
    assert.equal(created.status, 201);
    const accountId = ((await created.json()) as { account: { id: number } }).account.id;
    const hookPath = `/webhooks/mandrill/${accountId}`;

    const baseTs = Math.floor(Date.now() / 1000) - 86_400;
    const batches = Array.from({ length: BATCHES }, (_, i) =>
      buildWebhookBatch(i, accountId, baseTs),
    );
    const bodies = batches.map((b) =>
      signedWebhookBody(PUBLIC_URL + hookPath, WEBHOOK_KEY, b.events),
    );

    // Phase 1: stream, and kill the server mid-stream.
    let answered = 0;
    let killed = false;
    const kill = () => {
      if (killed) return;
      killed = true;
      first.child.kill('SIGKILL');
    };
    const answers = await stream(first.url + hookPath, bodies, {
      stop: () => killed,
      onAnswer: () => {
        answered += 1;
        if (answered === killAfter) setTimeout(kill, killDelayMs);
      },
    });
    kill();
    await exited(first.child);
    assert.equal(first.child.signalCode, 'SIGKILL');

    const acknowledged = [...answers].filter(([, a]) => a.status >= 200 && a.status < 300);
    t.diagnostic(`acknowledged ${acknowledged.length} of ${BATCHES} batches before the kill`);
    assert.ok(acknowledged.length >= killAfter, 'the kill came after the seeded answer count');
    assert.ok(acknowledged.length < BATCHES, 'the kill came before the stream ended');
    for (const [index, answer] of acknowledged) {
      assert.deepEqual(
        answer.body,
        { received: EVENTS_PER_BATCH, recorded: EVENTS_PER_BATCH, ignored: 0 },
        `answer to batch ${index}`,
      );
    }

    const afterKill = inspect(database, batches);
    assert.equal(afterKill.integrity, 'ok');
    assert.deepEqual(afterKill.strangers, []);
    assert.equal(afterKill.duplicateKeys, 0);
    assert.deepEqual(
      [...afterKill.sends.keys()].filter((i) => i < 0 || i >= BATCHES),
      [],
    );
    const acknowledgedIndexes = new Set(acknowledged.map(([index]) => index));
    const present = new Set<number>();
    for (const batch of batches) {
      const label = `batch ${batch.index}`;
      if (acknowledgedIndexes.has(batch.index)) {
        assertWhole(afterKill, batch, `acknowledged ${label}`);
        present.add(batch.index);
      } else if (afterKill.events.has(batch.index) || afterKill.sends.has(batch.index)) {
        // Committed, but the response was lost with the process, so it must still be whole.
        assertWhole(afterKill, batch, `unacknowledged but stored ${label}`);
        present.add(batch.index);
      } else {
        assertAbsent(afterKill, batch, `unacknowledged ${label}`);
      }
    }
    t.diagnostic(`stored ${present.size} whole batches after the kill, none partial`);

    // Phase 2: restart on the same file and resend every batch.
    const second = await serveChild(env);
    children.push(second.child);
    const resent = await stream(second.url + hookPath, bodies);
    for (const batch of batches) {
      const answer = resent.get(batch.index);
      const expected = present.has(batch.index) ? 0 : EVENTS_PER_BATCH;
      assert.equal(answer?.status, 200, `resent batch ${batch.index}`);
      assert.equal(answer?.body.recorded, expected, `events recorded on resending ${batch.index}`);
    }
    second.child.kill('SIGTERM');
    await exited(second.child);

    const afterResend = inspect(database, batches);
    assert.equal(afterResend.integrity, 'ok');
    assert.deepEqual(afterResend.strangers, []);
    assert.equal(afterResend.duplicateKeys, 0);
    for (const batch of batches) assertWhole(afterResend, batch, `resent batch ${batch.index}`);
  });
});
