import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openStore, type Store } from '../db/index.js';
import { classifySmtpReply } from './bounces/index.js';
import { startBounceListener, type BounceListener } from './bounces/inbound.js';
import {
  readAllMailboxes,
  type MailboxClientFactory,
  type MailboxDeps,
} from './bounces/mailbox.js';
import type { Config } from './config.js';
import { createResolver } from './dns/resolver.js';
import { createApp } from './http/app.js';
import { startJobs, type Job } from './jobs.js';
import { createLogger, type Logger } from './logger.js';
import { createMandrillApi, type MandrillApi } from './mandrill/client.js';
import { createMandrillPoller } from './mandrill/poller.js';
import { hasEncryptedSecrets, sealAllAccounts, verifyAllSecrets } from './accounts/secrets.js';
import { recheckAllAccounts } from './domains/account-checks.js';
import { loadKeyring, SecretError, type SecretKeyring } from './secrets/index.js';
import {
  parseAllowList,
  resolveImapDestination,
  resolveSmtpDestination,
} from './sending/destination.js';
import { markInterruptedSends } from './sending/interrupted.js';
import { createTransportFactory } from './sending/transports.js';
import type { Services } from './services.js';

export interface RunningServer {
  url: string;
  port: number;
  /** The port of the bounce SMTP listener, or null when it is off. */
  bounceSmtpPort: number | null;
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
  /** Creates the IMAP clients of the mailbox reader; default: imapflow's. */
  imapClient?: MailboxClientFactory;
  /** Start the background jobs (default true). */
  jobs?: boolean;
}

/**
 * Loads the secret keys and encrypts any secret not yet under the current
 * key. Throws a SecretError when a stored secret cannot be decrypted with
 * the keys given, rather than starting with unusable accounts.
 */
function openKeyring(config: Config, store: Store, logger: Logger, now: number): SecretKeyring {
  const defaultFile = config.secrets.defaultKeyFile;
  const configured = config.secrets.keys !== null || config.secrets.keyFile !== null;
  if (!configured && !fs.existsSync(defaultFile) && hasEncryptedSecrets(store)) {
    // A new key would leave every stored secret unreadable.
    throw new SecretError(
      `The database contains encrypted secrets, but the key file ${defaultFile} is missing: ` +
        'restore it from a backup, or set DELIVERABILITY_SECRET_KEYS or DELIVERABILITY_SECRET_KEY_FILE',
    );
  }
  const { keyring, created } = loadKeyring({
    keys: config.secrets.keys ?? undefined,
    keyFile: config.secrets.keyFile ?? undefined,
    defaultKeyFile: config.secrets.defaultKeyFile,
  });
  if (created) {
    logger.warn(
      { module: 'main', keyFile: config.secrets.defaultKeyFile },
      'created a new key for account secrets; back it up, because secrets cannot be read without it',
    );
  }
  verifyAllSecrets(store, keyring);
  const sealed = sealAllAccounts(store, keyring, now);
  if (sealed > 0)
    logger.info(
      { module: 'main', accounts: sealed },
      'account secrets encrypted under the current key',
    );
  return keyring;
}

/**
 * Declares the background jobs in one place: the Mandrill poll, the domain re-check and
 * the read of smtp accounts' mailboxes.
 */
function declareJobs(
  config: Config,
  services: Services,
  mandrill: MandrillApi,
  mailboxes: MailboxDeps,
): Job[] {
  const { store, keyring, logger, now } = services;
  // One poller for the life of the process, because it owns the per-key search rate limit.
  const poller = createMandrillPoller({
    store,
    api: mandrill,
    keyring,
    logger,
    now,
    classify: classifySmtpReply,
    initialLookbackMs: config.mandrill.initialLookbackHours * 3_600_000,
  });
  return [
    {
      name: 'mandrill-poll',
      intervalMs: config.mandrill.pollIntervalSeconds * 1000,
      run: () => poller.pollAll(),
    },
    {
      name: 'domain-recheck',
      intervalMs: config.domainRecheckHours * 3_600_000,
      run: () => recheckAllAccounts({ store, checks: services.domainChecks, now }, logger),
    },
    {
      name: 'mailbox-poll',
      intervalMs: config.mailboxPollSeconds * 1000,
      run: () => readAllMailboxes(mailboxes),
    },
  ];
}

function buildServices(config: Config, overrides: ServerOverrides) {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const now = overrides.now ?? Date.now;
  const store = openStore(config.databasePath, { busyTimeoutMs: config.databaseBusyTimeoutMs });
  const mandrill =
    overrides.mandrill ??
    createMandrillApi({
      baseUrl: config.mandrill.baseUrl,
      timeoutMs: config.mandrill.callTimeoutSeconds * 1000,
    });
  const tls = config.smtpCaFile ? { ca: fs.readFileSync(config.smtpCaFile) } : undefined;
  const dnsResolver = () => createResolver({ servers: config.dnsServers });
  let keyring: SecretKeyring;
  try {
    keyring = openKeyring(config, store, logger, now());
  } catch (error) {
    store.close();
    throw error;
  }

  const smtpAllow = parseAllowList(config.smtp.allow);
  const services: Services = {
    store,
    logger,
    now,
    keyring,
    mandrill,
    publicUrl: config.publicUrl ?? '',
    checkSmtpDestination: (host, port) =>
      resolveSmtpDestination(host, port, { resolver: dnsResolver(), allow: smtpAllow }),
    checkImapDestination: (host, port) =>
      resolveImapDestination(host, port, { resolver: dnsResolver(), allow: smtpAllow }),
    sending: {
      store,
      logger,
      now,
      keyring,
      platform: config.platform,
      transports: createTransportFactory({
        relayUrl: config.relayUrl,
        mandrill,
        tls,
        createResolver: dnsResolver,
        smtpAllow,
      }),
      classifyReply: classifySmtpReply,
      publicUrl: () => services.publicUrl,
      automatedLimits: {
        perHour: config.smtp.automatedPerHour,
        perDay: config.smtp.automatedPerDay,
      },
    },
    auth: {
      store,
      now,
      sessionTtlMs: config.auth.sessionHours * 3_600_000,
      loginAttemptsPer15Minutes: config.auth.loginAttemptsPer15Minutes,
      domainChecksPerMinute: config.auth.domainChecksPerMinute,
      secureCookies: config.auth.secureCookies,
    },
    domainChecks: {
      createResolver: dnsResolver,
      platform: config.platform,
      related: { dnsblZones: config.dnsblZones },
    },
  };
  const mailboxes: MailboxDeps = {
    store,
    keyring,
    platform: config.platform,
    now,
    logger,
    tls,
    checkDestination: (host, port) =>
      resolveImapDestination(host, port, { resolver: dnsResolver(), allow: smtpAllow }),
    createClient: overrides.imapClient,
  };
  return { services, jobs: declareJobs(config, services, mandrill, mailboxes) };
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
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    // A port in use must not leave the database open behind the error.
    store.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  services.publicUrl = config.publicUrl ?? url;
  const running = overrides.jobs === false ? null : startJobs(jobs, logger);
  let bounceListener: BounceListener | null = null;
  try {
    if (config.bounceSmtp.port !== null) {
      bounceListener = await startBounceListener({
        host: config.bounceSmtp.host,
        port: config.bounceSmtp.port,
        maxBytes: config.bounceSmtp.maxBytes,
        deps: { store, keyring: services.keyring, platform: config.platform, now: services.now },
        logger,
      });
    }
  } catch (error) {
    // A port in use must not leave the HTTP server and the database open.
    await running?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    store.close();
    throw error;
  }
  logger.info({ module: 'main', url, database: config.databasePath }, 'server started');
  if (store.users.count() === 0) {
    logger.warn(
      { module: 'main' },
      'no users yet: create the first admin by running `node dist/server/cli.js setup --email EMAIL --name NAME` in the project folder',
    );
  }

  return {
    url,
    port,
    bounceSmtpPort: bounceListener?.port ?? null,
    services,
    runJobsOnce: async () => {
      await Promise.all(jobs.map((job) => job.run()));
    },
    async close() {
      await running?.stop();
      await bounceListener?.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      store.close();
      logger.info({ module: 'main' }, 'server stopped');
    },
  };
}
