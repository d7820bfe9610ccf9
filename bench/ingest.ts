/**
 * Measures how fast Mandrill poll results are recorded as events (dedup,
 * projection onto the send, one transaction per batch), against a baseline
 * measured in the same run: plain INSERTs of the same number of event rows
 * into a table of the same shape, in one transaction, with no projection.
 * Then measures webhook batches posted over HTTP against plain inserts of
 * the same rows (bench/ingest-webhook.ts), for messages the product sent and
 * for messages sent outside it. Prints the ratios. Absolute times vary with
 * the machine and its load.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { openStore } from '../db/index.js';
import { ingestMessages } from '../server/mandrill/ingest.js';
import type { MandrillMessageInfo } from '../server/mandrill/types.js';
import { makeTempDir } from '../test/support/server.js';
import { timeRawInserts, timeWebhookIngest, type Workload } from './ingest-webhook.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 20_000);
const WEBHOOK_BATCHES = Number(process.env.BENCH_WEBHOOK_BATCHES ?? 20);
const ROUNDS = 3;

function makeMessages(count: number): MandrillMessageInfo[] {
  const ts = Math.floor(Date.now() / 1000) - 3600;
  return Array.from({ length: count }, (_, i) => ({
    ts: ts + i,
    _id: `id${i.toString(16).padStart(30, '0')}`,
    sender: 'stay@lakeside.example',
    subject: `Booking ${i}`,
    email: `guest${i}@guests.example`,
    state: i % 20 === 0 ? 'bounced' : 'sent',
    diag: i % 20 === 0 ? 'smtp;550 5.1.1 user unknown' : undefined,
    opens: 1,
    opens_detail: [{ ts: ts + i + 60, ip: '192.0.2.1' }],
    clicks: 0,
  }));
}

function timeIngest(messages: MandrillMessageInfo[]): { ms: number; events: number } {
  const store = openStore(path.join(makeTempDir('bench-'), 'ingest.sqlite'));
  const account = store.accounts.create(
    {
      name: 'Bench',
      sendingAddress: 'stay@lakeside.example',
      replyTo: null,
      method: 'mandrill',
      settings: { apiKey: 'x' },
    },
    Date.now(),
  );
  const start = performance.now();
  const counts = store.transaction(() =>
    ingestMessages(store, account, messages, { source: 'mandrill-poll', now: Date.now() }),
  );
  const ms = performance.now() - start;
  store.close();
  return { ms, events: counts.newEvents };
}

function timeBaseline(rows: number): number {
  const db = new Database(path.join(makeTempDir('bench-'), 'baseline.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE events (id INTEGER PRIMARY KEY, send_id INTEGER, type TEXT, occurred_at INTEGER,
    data TEXT, dedup_key TEXT NOT NULL UNIQUE)`);
  const insert = db.prepare(
    'INSERT INTO events (send_id, type, occurred_at, data, dedup_key) VALUES (?, ?, ?, ?, ?)',
  );
  const start = performance.now();
  db.transaction(() => {
    for (let i = 0; i < rows; i += 1) insert.run(i, 'delivered', i, '{"state":"sent"}', `k${i}`);
  })();
  const ms = performance.now() - start;
  db.close();
  return ms;
}

const messages = makeMessages(MESSAGES);
const results: { ingest: number; baseline: number; events: number }[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const ingest = timeIngest(messages);
  const baseline = timeBaseline(ingest.events);
  results.push({ ingest: ingest.ms, baseline, events: ingest.events });
}
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const ingestMs = median(results.map((r) => r.ingest));
const baselineMs = median(results.map((r) => r.baseline));
const events = results[0]?.events ?? 0;
console.log(`messages: ${MESSAGES}, events recorded: ${events}, rounds: ${ROUNDS} (medians)`);
console.log(
  `ingest: ${ingestMs.toFixed(0)} ms (${((events / ingestMs) * 1000).toFixed(0)} events/s)`,
);
console.log(`baseline plain inserts: ${baselineMs.toFixed(0)} ms`);
console.log(`ratio ingest / baseline: ${(ingestMs / baselineMs).toFixed(2)}`);

/**
 * Times each workload's webhook runs against raw inserts of the rows they stored. An untimed
 * first run supplies the rows. Each round then times the raw inserts first, so that their
 * commits do not start while the server's closed database file may still be written back.
 */
async function compareWebhooks(workload: Workload): Promise<void> {
  let rows = (await timeWebhookIngest(WEBHOOK_BATCHES, workload)).rows;
  const results: { webhook: number; raw: number; events: number }[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const raw = timeRawInserts(rows);
    const run = await timeWebhookIngest(WEBHOOK_BATCHES, workload);
    rows = run.rows;
    results.push({ webhook: run.ms, raw, events: run.events });
  }
  const webhookMs = median(results.map((r) => r.webhook));
  const rawMs = median(results.map((r) => r.raw));
  const events = results[0]?.events ?? 0;
  const webhookRate = (events / webhookMs) * 1000;
  const rawRate = (events / rawMs) * 1000;
  const ratios = results.map((r) => (r.raw / r.webhook).toFixed(2)).join(', ');
  console.log('');
  console.log(
    `webhooks, ${WORKLOADS[workload]}: ${WEBHOOK_BATCHES} batches of 1000 events, ` +
      `events recorded: ${events}, rounds: ${ROUNDS} (medians)`,
  );
  console.log(`webhook over HTTP: ${webhookMs.toFixed(0)} ms (${webhookRate.toFixed(0)} events/s)`);
  console.log(
    `raw inserts, synchronous=FULL, 1000 rows a transaction: ${rawMs.toFixed(0)} ms ` +
      `(${rawRate.toFixed(0)} events/s)`,
  );
  console.log(
    `ratio webhook rate / raw insert rate: ${(webhookRate / rawRate).toFixed(2)} (rounds: ${ratios})`,
  );
}

const WORKLOADS: Record<Workload, string> = {
  ours: 'messages the product sent',
  external: 'messages sent outside the product',
};
for (const workload of Object.keys(WORKLOADS) as Workload[]) await compareWebhooks(workload);
