import path from 'node:path';
import { loadConfig } from '../server/config.js';
import type { Logger } from '../server/logger.js';
import { startServer, type RunningServer } from '../server/main.js';
import { repoRoot } from '../server/paths.js';
import type { DemoClock } from './clock.js';
import type { DemoStandIns } from './standins.js';

export interface DemoServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The folder of the SQLite file and the secret key, which must not hold a database yet. */
  dataDir: string;
  logger: Logger;
}

/**
 * Starts the real server on 127.0.0.1 on the demo clock, with its background jobs off and
 * every setting pointed at the stand-ins. Only the demo's settings are read, so no
 * DELIVERABILITY_* variable of the environment can point the server at another host.
 */
export async function startDemoServer(
  standIns: DemoStandIns,
  clock: DemoClock,
  options: DemoServerOptions,
): Promise<RunningServer> {
  const config = loadConfig(
    {
      DELIVERABILITY_PORT: String(options.port),
      DELIVERABILITY_HOST: '127.0.0.1',
      // With port 0 the address is known only once listening, which the server then uses.
      ...(options.port === 0
        ? {}
        : { DELIVERABILITY_PUBLIC_URL: `http://127.0.0.1:${options.port}` }),
      DELIVERABILITY_DATABASE: path.join(options.dataDir, 'deliverability.sqlite'),
      ...standIns.env,
    },
    repoRoot,
  );
  return startServer(config, { now: clock.now, jobs: false, logger: options.logger });
}
