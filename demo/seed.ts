import type { RunningServer } from '../server/main.js';
import { TEST_PLATFORM } from '../test/support/zones.js';
import { DEMO_USERS } from './accounts.js';
import { login } from './api.js';
import type { DemoClock } from './clock.js';
import type { DemoPlan } from './plan.js';
import { createRandom } from './random.js';
import { seedBounces, type BounceCounts } from './seed-bounces.js';
import { analyzeOne, seedChecks } from './seed-checks.js';
import { seedMandrillOutcomes, type MandrillCounts } from './seed-mandrill.js';
import { seedAccounts } from './seed-setup.js';
import { seedSends, type SeededSend } from './seed-sends.js';
import type { DemoStandIns } from './standins.js';

export interface SeedResult {
  ids: Map<string, number>;
  sends: SeededSend[];
  bounces: BounceCounts;
  mandrill: MandrillCounts;
  /** Each account's verdict for its own method after the last check. */
  verdicts: Map<string, string>;
  /** The diagnosis summary of the analyzed message, or null when no message was analyzed. */
  analysis: string | null;
}

/**
 * Fills a fresh demo server with data through its real paths. It creates users and accounts,
 * checks the accounts' domains, and makes the plan's sends over the API while the clock moves
 * over the plan's days. Then, at the real time, it delivers bounces over SMTP and the API,
 * moves Mandrill's messages on by webhook and by one run of the background jobs (the poller),
 * checks the domains again and analyzes one message.
 *
 * The server must have been started on `clock.now` with its jobs off, and the clock must still
 * be set to the plan's start. The clock is released before the later outcomes.
 */
export async function seedDemo(
  server: RunningServer,
  standIns: DemoStandIns,
  plan: DemoPlan,
  clock: DemoClock,
  onProgress?: (done: number, total: number) => void,
): Promise<SeedResult> {
  const random = createRandom(plan.sends.length);
  const setUp = await seedAccounts(server, standIns.managerServer.port, standIns.mandrill);
  const { ids } = setUp;
  await seedChecks(setUp.admin, ids);
  const sends = await seedSends(setUp.integration, ids, plan, clock, onProgress);

  // Bounces, opens and the poll happen after the sends, at the real time.
  clock.release();
  // The admin's session was opened at the plan's start and has expired on the real clock.
  const admin = await login(server.url, DEMO_USERS.admin.email, DEMO_USERS.admin.password);
  if (server.bounceSmtpPort === null) throw new Error('the demo server needs its bounce listener');
  const bounces = await seedBounces(
    admin,
    sends,
    standIns.relay,
    server.bounceSmtpPort,
    ids,
    random,
  );
  const mandrill = await seedMandrillOutcomes(
    standIns.mandrill,
    sends,
    { publicUrl: server.services.publicUrl, ids },
    random,
    Date.now(),
  );
  await server.runJobsOnce();
  const verdicts = await seedChecks(admin, ids);
  // The receiving server adds the Return-Path field from the envelope sender.
  const relayed = standIns.relay.messages.at(-1);
  const analysis = relayed
    ? await analyzeOne(
        admin,
        `Return-Path: <${relayed.from}>\r\n${relayed.raw}`,
        TEST_PLATFORM.relayIps[0] ?? '203.0.113.10',
      )
    : null;
  return { ids, sends, bounces, mandrill, verdicts, analysis };
}
