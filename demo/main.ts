import path from 'node:path';
import { createLogger } from '../server/logger.js';
import type { RunningServer } from '../server/main.js';
import { repoRoot } from '../server/paths.js';
import { DEMO_ACCOUNTS, DEMO_USERS } from './accounts.js';
import { login } from './api.js';
import { createDemoClock } from './clock.js';
import {
  acquireDataLock,
  checkPortFree,
  DemoStartError,
  emptyDataDir,
  type DemoDataLock,
} from './data-dir.js';
import { buildDemoPlan } from './plan.js';
import { seedDemo, type SeedResult } from './seed.js';
import { startDemoServer } from './server.js';
import { startDemoStandIns, type DemoStandIns } from './standins.js';

/** The default folder of the demo's SQLite file, secret key and certificate. */
const DEFAULT_DATA_DIR = path.join(repoRoot, 'demo-data');

function integerSetting(name: string, fallback: number, min: number, max: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new DemoStartError(
      `Invalid ${name}="${text}": must be a whole number from ${min} to ${max}`,
    );
  }
  return value;
}

function printGuide(
  server: RunningServer,
  seeded: SeedResult,
  summaryLines: string[],
  days: number,
  seconds: number,
) {
  const { admin, manager, support } = DEMO_USERS;
  // A period just long enough for the demo's oldest sends spreads the charts out. The dashboard
  // takes any whole number of days from 1 to 366 in its URL.
  const period = days + 1;
  const lines = [
    '',
    `Demo data ready ${seconds.toFixed(1)} s after the start (the build not counted). Serving ${server.url}`,
    '',
    'Log in as:',
    `  admin    ${admin.email}  /  ${admin.password}`,
    `  manager  ${manager.email}  /  ${manager.password}  (the two Harbor Rentals accounts)`,
    `  support  ${support.email}  /  ${support.password}  (reads everything, changes nothing)`,
    '',
    `What was sent (the last ${days === 1 ? 'day' : `${days} days`}):`,
    ...summaryLines,
    '',
    `Bounces: ${seeded.bounces.overSmtp} DSNs to the bounce SMTP listener, ${seeded.bounces.overApi} messages posted to /api/bounces.`,
    `Mandrill: ${seeded.mandrill.webhookEvents} events in signed webhook batches (${seeded.mandrill.webhookBatches}), the rest found by one poll.`,
    "Domain verdicts for each account's own method:",
    ...DEMO_ACCOUNTS.map(
      (account) =>
        `  ${account.name.padEnd(27)} ${account.method.padEnd(9)} ${seeded.verdicts.get(account.key) ?? 'not checked'}`,
    ),
    seeded.analysis ? `Analysis of a relayed message: ${seeded.analysis}` : '',
    '',
    `The dashboard, showing the last ${period} days: ${server.url}/?days=${period}`,
    'What to look at there: "Totals by sending method" and "Rates over time"; "Message log"',
    '(open a send for its event timeline); "Bounces", matched and unmatched; "Mandrill accounts";',
    '"Message analysis" of any raw message; and the domain checks:',
    `  ${server.url}/?domain=lakeside-stays.example  (set up well for Mandrill)`,
    `  ${server.url}/?domain=pinecabins.example  (an SPF typo and no DMARC record)`,
    `  ${server.url}/?domain=harbor-rentals.example&smtpHost=smtp.gmail.com  (Google Workspace)`,
    "Harbor Rentals' own smtp verdict differs from the last one, because its server is the",
    'stand-in at 127.0.0.1, which its SPF record does not list.',
    '',
    'Every stand-in listens on 127.0.0.1; nothing leaves this machine. Ctrl-C stops the demo.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function summaryLines(server: RunningServer, days: number): Promise<string[]> {
  const admin = await login(server.url, DEMO_USERS.admin.email, DEMO_USERS.admin.password);
  // One day more than the demo's span: the first sends are more than `days` days old by now.
  const summary = await admin.json('GET', `/api/reports/summary?days=${days + 1}`);
  return (summary.methods as Record<string, any>[]).map((m) => {
    const rate = m.deliveryRate === null ? 'n/a' : `${(m.deliveryRate * 100).toFixed(1)}%`;
    return `  ${String(m.method).padEnd(9)} ${String(m.sent).padStart(5)} sent, ${m.delivered} delivered (${rate}), ${m.bounced} bounced, ${m.softBounced} soft-bounced, ${m.rejected} rejected, ${m.opened} opened`;
  });
}

/** Writes the message of an error that stops the demo before it starts, and exits with status 1. */
function stopBeforeStart(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/**
 * Takes the data folder's lock, checks that the port is free and only then deletes the previous
 * demo's files, so that a second demo never deletes the database of a running one. Exits with
 * status 1 and a message when another demo has the folder's lock or the port is in use.
 */
async function prepareDataDir(dataDir: string, port: number): Promise<void> {
  let lock: DemoDataLock;
  try {
    lock = acquireDataLock(dataDir);
  } catch (error) {
    if (error instanceof DemoStartError) stopBeforeStart(error.message);
    throw error;
  }
  process.on('exit', () => lock.release());
  try {
    await checkPortFree(port, '127.0.0.1');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      stopBeforeStart(portInUseMessage(port));
    }
    throw error;
  }
  try {
    emptyDataDir(dataDir, dataDir === DEFAULT_DATA_DIR);
  } catch (error) {
    if (error instanceof DemoStartError) stopBeforeStart(error.message);
    throw error;
  }
}

function portInUseMessage(port: number): string {
  return `Port ${port} on 127.0.0.1 is in use: choose another with DEMO_PORT=${port === 65535 ? 3001 : port + 1} npm run demo`;
}

async function main(): Promise<void> {
  const startedAt = performance.now();
  const port = integerSetting('DEMO_PORT', 3000, 0, 65535);
  // At least 3 messages for each of the 4 accounts.
  const messages = integerSetting('DEMO_MESSAGES', 3000, 12, 20000);
  const days = integerSetting('DEMO_DAYS', 7, 1, 30);
  const dataDir = process.env.DEMO_DATA_DIR
    ? path.resolve(process.env.DEMO_DATA_DIR)
    : DEFAULT_DATA_DIR;

  await prepareDataDir(dataDir, port);
  const plan = buildDemoPlan({ messages, days, endMs: Date.now() - 15 * 60_000 });
  // The accounts are created an hour before the first send.
  const clock = createDemoClock(plan.startMs - 3_600_000);

  let standIns: DemoStandIns | null = null;
  let server: RunningServer | null = null;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    if (code === 0) process.stdout.write('Stopping the demo...\n');
    await server?.close().catch(() => undefined);
    await standIns?.close();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    standIns = await startDemoStandIns(plan, dataDir, clock.now);
    if (!standIns.corpusLoaded) {
      process.stdout.write(
        'The corpus of real published DNS records (../shared/corpus) was not found: serving the demo domains only.\n',
      );
    }
    // Errors only: the warnings of a first start (a new key file, no users yet) do not apply.
    server = await startDemoServer(standIns, clock, {
      port,
      dataDir,
      logger: createLogger('error'),
    });
    process.stdout.write(
      `Sending ${plan.messages} messages through ${plan.sends.length} requests...\n`,
    );
    let reported = 0;
    const seeded = await seedDemo(server, standIns, plan, clock, (done, total) => {
      const tenth = Math.floor((done * 10) / total);
      if (tenth > reported) {
        reported = tenth;
        process.stdout.write(`  ${tenth * 10}% of the requests made\n`);
      }
    });
    const seconds = (performance.now() - startedAt) / 1000;
    printGuide(server, seeded, await summaryLines(server, days), days, seconds);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    process.stderr.write(
      code === 'EADDRINUSE'
        ? `${portInUseMessage(port)}\n`
        : `The demo failed: ${(error as Error).stack ?? String(error)}\n`,
    );
    await stop(1);
  }
}

main().catch((error: unknown) => {
  if (error instanceof DemoStartError) stopBeforeStart(error.message);
  process.stderr.write(`The demo failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
