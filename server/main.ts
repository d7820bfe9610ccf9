import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openStore } from '../db/index.js';
import { classifySmtpReply } from './bounces/index.js';
import type { Config } from './config.js';
import { createResolver } from './dns/resolver.js';
import { createApp } from './http/app.js';
import { startJobs, type Job } from './jobs.js';
import { createLogger, type Logger } from './logger.js';
import { createMandrillApi, type MandrillApi } from './mandrill/client.js';
import { pollAllAccounts } from './mandrill/poller.js';
import { markInterruptedSends } from './sending/interrupted.js';
import { createTransportFactory } from './sending/transports.js';
import type { Services } from './services.js';

export interface RunningServer {
  url: string;
  port: number;
  services: Services;
  /** Runs every background job once, now; for tests, which start the server without jobs. */
  runJobsOnce(): Promise<void>;
  /** Stops accepting, finishes requests and job runs in flight, closes the database. */
  close(): Promise<void>;
}

export interface ServerOverrides {
  logger?: Logger;
  now?: () => number;
  mandrill?: MandrillApi;
  /** Start the background jobs (default true). */
  jobs?: boolean;
}

function buildServices(config: Config, overrides: ServerOverrides) {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const now = overrides.now ?? Date.now;
  const store = openStore(config.databasePath);
  const mandrill = overrides.mandrill ?? createMandrillApi({ baseUrl: config.mandrill.baseUrl });
  const tls = config.smtpCaFile ? { ca: fs.readFileSync(config.smtpCaFile) } : undefined;
  const services: Services = {
    store,
    logger,
    now,
    sending: {
      store,
      logger,
      now,
      platform: config.platform,
      transports: createTransportFactory({ relayUrl: config.relayUrl, mandrill, tls }),
      classifyReply: classifySmtpReply,
    },
    domainChecks: {
      createResolver: () => createResolver({ servers: config.dnsServers }),
      platform: config.platform,
    },
  };
  const pollerJob: Job = {
    name: 'mandrill-poll',
    intervalMs: config.mandrill.pollIntervalSeconds * 1000,
    run: () =>
      pollAllAccounts({
        store,
        api: mandrill,
        logger,
        now,
        classify: classifySmtpReply,
        initialLookbackMs: config.mandrill.initialLookbackHours * 3_600_000,
      }),
  };
  return { services, jobs: [pollerJob] };
}

/** Opens the database, wires the real dependencies and starts serving. */
export async function startServer(
  config: Config,
  overrides: ServerOverrides = {},
): Promise<RunningServer> {
  const { services, jobs } = buildServices(config, overrides);
  const { logger, store } = services;
  const interrupted = markInterruptedSends(store, services.now());
  if (interrupted > 0)
    logger.warn(
      { module: 'main', sends: interrupted },
      'sends interrupted by the last stop marked unknown',
    );

  const server = http.createServer(createApp(services));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const running = overrides.jobs === false ? null : startJobs(jobs, logger);
  logger.info({ module: 'main', url, database: config.databasePath }, 'server started');

  return {
    url,
    port,
    services,
    runJobsOnce: async () => {
      await Promise.all(jobs.map((job) => job.run()));
    },
    async close() {
      await running?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      store.close();
      logger.info({ module: 'main' }, 'server stopped');
    },
  };
}
