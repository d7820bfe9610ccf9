/**
 * The webhook half of `npm run bench:ingest`: signed 1000-event batches
 * posted over loopback HTTP to the real server, against plain inserts of
 * the same event rows with the same durability.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import {
  buildWebhookBatch,
  EVENTS_PER_BATCH,
  postSignedBody,
  signedWebhookBody,
} from '../test/support/mandrill-webhooks-batches.js';
import { makeTempDir, startTestServer } from '../test/support/server.js';

const WEBHOOK_KEY = 'bench-webhook-key';

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

export interface WebhookRun {
  ms: number;
  events: number;
  /** The event rows the run stored, for the raw-insert baseline. */
  rows: EventRow[];
}

/**
 * Starts the real server on a fresh database, then posts `batches` signed
 * batches one after another and times them: the signature check, form and
 * JSON parsing, validation, dedup, projection onto the sends and the
 * synchronous=FULL commit of each batch. Bodies are built before timing.
 */
export async function timeWebhookIngest(batches: number): Promise<WebhookRun> {
  const server = await startTestServer({});
  try {
    const created = await server.request('POST', '/api/accounts', {
      name: 'Bench',
      sendingAddress: 'desk@hooked.example',
      method: 'mandrill',
      settings: { apiKey: 'md-bench-key', webhookKey: WEBHOOK_KEY },
    });
    if (created.status !== 201)
      throw new Error(`creating the bench account failed: ${JSON.stringify(created.body)}`);
    const accountId = created.body.account.id as number;
    const url = `${server.url}/webhooks/mandrill/${accountId}`;
    const baseTs = Math.floor(Date.now() / 1000) - 86_400;
    // Encoded to bytes before timing: a real sender's encoding costs the server nothing.
    const bodies = Array.from({ length: batches }, (_, i) => {
      const signed = signedWebhookBody(
        url,
        WEBHOOK_KEY,
        buildWebhookBatch(i, accountId, baseTs).events,
      );
      return { body: new TextEncoder().encode(signed.body), signature: signed.signature };
    });

    let events = 0;
    const start = performance.now();
    for (const body of bodies) {
      const response = await postSignedBody(url, body);
      if (response.status !== 200 || response.body.recorded !== EVENTS_PER_BATCH) {
        throw new Error(
          `webhook batch failed: ${response.status} ${JSON.stringify(response.body)}`,
        );
      }
      events += response.body.recorded as number;
    }
    const ms = performance.now() - start;

    const db = new Database(server.databasePath, { readonly: true });
    const rows = db
      .prepare(
        `SELECT ${EVENT_COLUMNS.join(', ')} FROM events WHERE source = 'mandrill-webhook' ORDER BY id`,
      )
      .raw()
      .all() as EventRow[];
    db.close();
    return { ms, events, rows };
  } finally {
    await server.close();
  }
}

/**
 * Inserts `rows` into a fresh table with the columns and indexes of the
 * events table (no foreign keys, because there is no sends table), in WAL
 * mode with synchronous=FULL and one transaction per 1000 rows, as a batch
 * commits. Returns the time in milliseconds.
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
