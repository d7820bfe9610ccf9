/**
 * The webhook half of `npm run bench:ingest`: signed 1000-event batches posted over loopback
 * HTTP to the server running as its own process, as `deliverability serve` runs in use,
 * against plain inserts of the same event rows with the same durability, in this process.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openStore } from '../db/index.js';
import { exited, loginCookie, serveChild, setupAdmin } from '../test/reliability/child-server.js';
import {
  batchMessageId,
  buildWebhookBatch,
  EVENTS_PER_BATCH,
  postSignedBody,
  signedWebhookBody,
  type WebhookBatch,
} from '../test/support/mandrill-webhooks-batches.js';
import { makeTempDir } from '../test/support/server.js';

const WEBHOOK_KEY = 'bench-webhook-key';
const ADMIN = { email: 'admin@bench.example', password: 'bench-admin-password' };
const WARM_UP_BATCHES = 10;

/** One stored event row, in the column order of the events table. */
type EventRow = unknown[];

const EVENT_COLUMNS = [
  'send_id',
  'account_id',
  'provider_id',
  'type',
  'source',
  'occurred_at',
  'recorded_at',
  'state_before',
  'state_after',
  'data',
  'dedup_key',
];

/**
 * `ours`: the product sent every message of the batches, so each event finds its send by
 * Mandrill id and moves it. `external`: no message is known, so each is recorded as an
 * external send, created in the state its events leave it in.
 */
export type Workload = 'ours' | 'external';

export interface WebhookRun {
  ms: number;
  events: number;
  /** The event rows the run stored, for the raw-insert baseline. */
  rows: EventRow[];
}

/**
 * Records the sends the product would have made for the batches' messages, accepted by
 * Mandrill with their Mandrill ids, through a second connection to the server's database.
 */
function storeOurSends(database: string, accountId: number, batches: WebhookBatch[]): void {
  const store = openStore(database);
  try {
    store.transaction(() => {
      for (const batch of batches) {
        batch.messages.forEach((message, j) => {
          store.sends.create({
            accountId,
            messageId: batchMessageId(batch.index, j),
            method: 'mandrill',
            kind: 'manual',
            headerFrom: 'desk@hooked.example',
            replyTo: null,
            envelopeFrom: null,
            recipient: message.email,
            subject: `Batch ${batch.index} message ${j}`,
            state: 'accepted',
            providerId: message.id,
            providerStatus: 'sent',
            createdAt: Date.now() - 86_400_000,
          });
        });
      }
    });
  } finally {
    store.close();
  }
}

/**
 * Starts `deliverability serve` on a fresh database, creates a Mandrill account through the
 * API, then posts `batches` signed batches one after another and times them: the signature
 * check, form and JSON parsing, validation, dedup, projection onto the sends and the
 * synchronous=FULL commit of each batch. Bodies are built before timing.
 */
export async function timeWebhookIngest(batches: number, workload: Workload): Promise<WebhookRun> {
  const database = path.join(makeTempDir('bench-'), 'webhooks.sqlite');
  const env = {
    ...process.env,
    DELIVERABILITY_DATABASE: database,
    DELIVERABILITY_LOG_LEVEL: 'silent',
    DELIVERABILITY_DNS: '127.0.0.1:9',
    DELIVERABILITY_MANDRILL_BASE_URL: 'http://127.0.0.1:9/api/1.3',
    DELIVERABILITY_MANDRILL_POLL_SECONDS: '86400',
    DELIVERABILITY_RELAY_URL: 'smtp://127.0.0.1:9',
  };
  await setupAdmin(env, ADMIN.email, ADMIN.password);
  const server = await serveChild(env);
  try {
    const cookie = await loginCookie(server.url, ADMIN.email, ADMIN.password);
    // The first batches run while V8 compiles the server's code: an untimed warm-up account
    // takes them, so the timed batches measure the server as it runs for hours.
    const warmUp = await prepareBatches(server.url, cookie, database, WARM_UP_BATCHES, workload);
    await postBatches(warmUp);
    const timed = await prepareBatches(server.url, cookie, database, batches, workload);
    const start = performance.now();
    const events = await postBatches(timed);
    const ms = performance.now() - start;
    return { ms, events, rows: readWebhookRows(database, timed.accountId) };
  } finally {
    server.child.kill('SIGTERM');
    await exited(server.child);
  }
}

interface PreparedBatches {
  accountId: number;
  url: string;
  bodies: { body: Uint8Array<ArrayBuffer>; signature: string }[];
}

/**
 * Creates a Mandrill account through the API and builds its signed batches, with the
 * product's own sends first for the `ours` workload. Bodies are encoded to bytes here, before
 * any timing, because a real sender's encoding costs the server nothing.
 */
async function prepareBatches(
  serverUrl: string,
  cookie: string,
  database: string,
  count: number,
  workload: Workload,
): Promise<PreparedBatches> {
  const created = await fetch(`${serverUrl}/api/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie },
    body: JSON.stringify({
      name: `Bench ${Date.now()}`,
      sendingAddress: 'desk@hooked.example',
      method: 'mandrill',
      settings: { apiKey: `md-bench-key-${Math.random()}`, webhookKey: WEBHOOK_KEY },
    }),
  });
  const body = (await created.json()) as { account?: { id: number } };
  if (created.status !== 201 || !body.account) {
    throw new Error(`creating a bench account failed: ${JSON.stringify(body)}`);
  }
  const accountId = body.account.id;
  const url = `${serverUrl}/webhooks/mandrill/${accountId}`;
  const baseTs = Math.floor(Date.now() / 1000) - 86_400;
  const built = Array.from({ length: count }, (_, i) =>
    buildWebhookBatch(i, accountId, baseTs, { ours: workload === 'ours' }),
  );
  if (workload === 'ours') storeOurSends(database, accountId, built);
  const bodies = built.map((batch) => {
    const signed = signedWebhookBody(url, WEBHOOK_KEY, batch.events);
    return { body: new TextEncoder().encode(signed.body), signature: signed.signature };
  });
  return { accountId, url, bodies };
}

/** Posts the batches one after another; returns how many events the server recorded. */
async function postBatches(prepared: PreparedBatches): Promise<number> {
  let events = 0;
  for (const signed of prepared.bodies) {
    const response = await postSignedBody(prepared.url, signed);
    if (response.status !== 200 || response.body.recorded !== EVENTS_PER_BATCH) {
      throw new Error(`webhook batch failed: ${response.status} ${JSON.stringify(response.body)}`);
    }
    events += response.body.recorded as number;
  }
  return events;
}

function readWebhookRows(database: string, accountId: number): EventRow[] {
  const db = new Database(database, { readonly: true });
  try {
    return db
      .prepare(
        `SELECT ${EVENT_COLUMNS.join(', ')} FROM events
        WHERE source = 'mandrill-webhook' AND account_id = ? ORDER BY id`,
      )
      .raw()
      .all(accountId) as EventRow[];
  } finally {
    db.close();
  }
}

/**
 * Inserts `rows` into a fresh table with the columns and indexes of the events table (no
 * foreign keys, because there is no sends table), in WAL mode with synchronous=FULL and one
 * transaction per 1000 rows, as a batch commits. Returns the time in milliseconds.
 */
export function timeRawInserts(rows: EventRow[]): number {
  const db = new Database(path.join(makeTempDir('bench-'), 'raw-events.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`CREATE TABLE events (
    id INTEGER PRIMARY KEY, send_id INTEGER, account_id INTEGER NOT NULL, provider_id TEXT,
    type TEXT NOT NULL, source TEXT NOT NULL, occurred_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL, state_before TEXT, state_after TEXT, data TEXT,
    dedup_key TEXT NOT NULL UNIQUE);
    CREATE INDEX events_send ON events (send_id, occurred_at);
    CREATE INDEX events_unlinked ON events (account_id, provider_id) WHERE send_id IS NULL;`);
  const insert = db.prepare(
    `INSERT INTO events (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map(() => '?').join(', ')})`,
  );
  const insertBatch = db.transaction((batch: EventRow[]) => {
    for (const row of batch) insert.run(row);
  });
  const start = performance.now();
  for (let i = 0; i < rows.length; i += EVENTS_PER_BATCH) {
    insertBatch(rows.slice(i, i + EVENTS_PER_BATCH));
  }
  const ms = performance.now() - start;
  db.close();
  return ms;
}
