/**
 * Measures how many bounce messages per second `parseBounce` classifies, on the corpus of
 * real bounces, against a baseline measured in the same run: mailparser's simpleParser
 * alone on the same messages, which `parseBounce` also runs. The ratio is the share of the
 * time that goes to parsing the MIME structure; absolute rates vary with the machine.
 * Runs on one thread (one core), the messages read into memory first.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { simpleParser } from 'mailparser';
import { parseBounce } from '../server/bounces/index.js';
import { corpusDir } from '../test/support/corpus.js';

const ROUNDS = Number(process.env.BENCH_BOUNCE_ROUNDS ?? 5);
const REPEAT = Number(process.env.BENCH_BOUNCE_REPEAT ?? 25);

async function timeAll(
  messages: Buffer[],
  run: (raw: Buffer) => Promise<unknown>,
): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < REPEAT; i += 1) {
    for (const raw of messages) await run(raw);
  }
  return performance.now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function main(): Promise<void> {
  const dir = path.join(corpusDir, 'bounces');
  const messages = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => fs.readFileSync(path.join(dir, name)));
  const parse = (raw: Buffer) =>
    simpleParser(raw, { keepDeliveryStatus: true, skipTextLinks: true });
  // One untimed pass of each, so that both run compiled code.
  await timeAll(messages.slice(0, 5), parse);
  await timeAll(messages.slice(0, 5), parseBounce);
  const classify: number[] = [];
  const baseline: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    baseline.push(await timeAll(messages, parse));
    classify.push(await timeAll(messages, parseBounce));
  }
  const count = messages.length * REPEAT;
  const rate = (ms: number) => Math.round((count / ms) * 1000);
  const bytes = messages.reduce((sum, raw) => sum + raw.length, 0);
  console.log(
    `corpus: ${messages.length} messages (${Math.round(bytes / 1024)} KiB), each ${REPEAT} times a round, ${ROUNDS} rounds (medians)`,
  );
  console.log(`classify (parseBounce): ${rate(median(classify))} messages/s`);
  console.log(`baseline (mailparser simpleParser alone): ${rate(median(baseline))} messages/s`);
  console.log(
    `ratio classify rate / baseline rate: ${(median(baseline) / median(classify)).toFixed(2)}`,
  );
}

await main();
