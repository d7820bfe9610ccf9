import type { AccountRecord, Store } from '../../db/types.js';
import type { Logger } from '../logger.js';
import type { MandrillSettings } from '../accounts/schema.js';
import { openAccount } from '../accounts/secrets.js';
import type { SecretKeyring } from '../secrets/index.js';
import type { ReplyClassifier } from '../sending/service.js';
import { MandrillApiError, type MandrillApi } from './client.js';
import { followOpenSends } from './follow-up.js';
import { ingestMessages } from './ingest.js';
import { RateLimiter } from './rate-limit.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';
import { DAY_SECONDS, searchDate, walkWindows } from './search-walk.js';
import { emptySyncRecord, isKeyRejected } from './sync-status.js';

export { SEARCH_LIMIT } from './search-walk.js';

const DAY_MS = DAY_SECONDS * 1000;

/** Mandrill documents `messages/search` at 20 calls a minute per key. */
export const SEARCHES_PER_MINUTE = 20;

export interface PollerDeps {
  store: Store;
  api: MandrillApi;
  keyring: SecretKeyring;
  logger: Logger;
  now: () => number;
  /** Waits; the rate limit and the backoff wait through it. Default: a timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Returns a number in [0, 1) for the backoff jitter. Default: Math.random. */
  random?: () => number;
  classify?: ReplyClassifier;
  /** How far back the first poll of an account reaches. */
  initialLookbackMs: number;
  /**
   * How far behind the cursor each poll starts again. States, opens and
   * clicks change after a message is sent; the events' keys make the
   * repeated fetch count once.
   */
  overlapMs?: number;
  retry?: Partial<Omit<RetryOptions, 'sleep' | 'random'>>;
  /** messages/info follow-up of open sends: calls per account and run, interval, max age. */
  followUp?: { limit?: number; intervalMs?: number; maxAgeMs?: number };
}

export interface PollResult {
  accountId: number;
  windows: number;
  messages: number;
  newEvents: number;
  externalSends: number;
  searches: number;
  infoCalls: number;
  /** Set when the account was not polled, such as while its key is flagged as rejected. */
  skipped?: string;
  error?: string;
}

export interface MandrillPoller {
  pollAccount(account: AccountRecord): Promise<PollResult>;
  /** Polls every account that sends by Mandrill, one after another. */
  pollAll(): Promise<PollResult[]>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates the poller. It owns the search rate limiter, so one poller must
 * serve every run of the process for the limit to hold.
 */
export function createMandrillPoller(deps: PollerDeps): MandrillPoller {
  const sleep = deps.sleep ?? realSleep;
  const retry: RetryOptions = {
    ...DEFAULT_RETRY,
    ...deps.retry,
    sleep,
    random: deps.random ?? Math.random,
  };
  const limiter = new RateLimiter({
    limit: SEARCHES_PER_MINUTE,
    windowMs: 60_000,
    now: deps.now,
    sleep,
  });
  const poller: MandrillPoller = {
    pollAccount: (account) => pollAccount(deps, account, limiter, retry),
    async pollAll() {
      const results: PollResult[] = [];
      for (const account of deps.store.accounts.listByMethod('mandrill')) {
        results.push(await poller.pollAccount(account));
      }
      return results;
    },
  };
  return poller;
}

function errorText(error: MandrillApiError): string {
  return `${error.errorName}: ${error.message}`;
}

/**
 * Fetches an account's messages from a little before its cursor up to now
 * in windows (see walkWindows), then follows its open sends with
 * messages/info. Each window's events and the cursor move in one
 * transaction, so a restart resumes without losing or repeating counts.
 */
async function pollAccount(
  deps: PollerDeps,
  account: AccountRecord,
  limiter: RateLimiter,
  retry: RetryOptions,
): Promise<PollResult> {
  const { store } = deps;
  const log = deps.logger.child({ module: 'mandrill-poller', accountId: account.id });
  const result: PollResult = {
    accountId: account.id,
    windows: 0,
    messages: 0,
    newEvents: 0,
    externalSends: 0,
    searches: 0,
    infoCalls: 0,
  };
  const status = store.mandrillSync.getStatus(account.id) ?? emptySyncRecord(account.id);
  if (isKeyRejected(status, account)) {
    // Flagged when the key was rejected, and logged then: until the account changes, asking
    // again would only repeat the same rejection every run.
    log.debug('Mandrill rejected this key before; skipping the account until it is updated');
    result.skipped = 'key_rejected';
    return result;
  }

  const settings = openAccount(deps.keyring, account).settings as MandrillSettings;
  const now = deps.now();
  const cursor = store.cursors.get(account.id);
  const overlap = deps.overlapMs ?? DAY_MS;
  const startMs = cursor ? cursor.syncedUntil - overlap : now - deps.initialLookbackMs;
  const seen = new Set<string>();

  try {
    await walkWindows(
      {
        api: deps.api,
        apiKey: settings.apiKey,
        query: settings.subaccount ? `subaccount:${settings.subaccount}` : '*',
        limiter,
        retry,
        initialSpanSeconds: DAY_SECONDS,
        onSearch: () => (result.searches += 1),
        onRetry: (error, attempt, delayMs) =>
          log.warn(
            { error: error.errorName, status: error.status, attempt, delayMs },
            'Mandrill search failed; retrying after a backoff',
          ),
        commit: (found, _from, toSeconds) => {
          // A search with a key and no subaccount also returns its subaccounts' messages,
          // which belong to other accounts.
          const messages = found.filter(
            (m) => (m.subaccount ?? null) === (settings.subaccount ?? null),
          );
          for (const message of messages) seen.add(message._id);
          const counts = store.transaction(() => {
            const ingested = ingestMessages(store, account, messages, {
              source: 'mandrill-poll',
              now,
              classify: deps.classify,
            });
            const previous = store.cursors.get(account.id)?.syncedUntil ?? 0;
            store.cursors.save({
              accountId: account.id,
              syncedUntil: Math.max(previous, Math.min(toSeconds * 1000, now)),
              lastRunAt: now,
              lastError: null,
            });
            return ingested;
          });
          result.windows += 1;
          result.messages += counts.messages;
          result.newEvents += counts.newEvents;
          result.externalSends += counts.externalSends;
        },
        warnFullSecond: (atSeconds, count) => {
          const warning =
            `Mandrill search returned its cap of ${count} messages for the one second ` +
            `${searchDate(atSeconds)} UTC; messages past the cap in that second were not fetched`;
          store.mandrillSync.saveStatus({
            ...(store.mandrillSync.getStatus(account.id) ?? status),
            warning,
            warningAt: now,
          });
          log.warn({ second: searchDate(atSeconds), count }, warning);
        },
      },
      Math.floor(startMs / 1000),
      Math.floor(now / 1000) + 1,
    );

    const followed = await followOpenSends({
      store,
      api: deps.api,
      apiKey: settings.apiKey,
      account,
      retry,
      logger: log,
      now,
      classify: deps.classify,
      seen,
      limit: deps.followUp?.limit ?? 100,
      intervalMs: deps.followUp?.intervalMs ?? 15 * 60_000,
      maxAgeMs: deps.followUp?.maxAgeMs ?? 30 * DAY_MS,
      onCall: () => (result.infoCalls += 1),
    });
    result.newEvents += followed.newEvents;
  } catch (error) {
    if (!(error instanceof MandrillApiError)) throw error;
    recordFailure(deps, account, error, now, log);
    result.error = errorText(error);
    return result;
  }

  const latest = store.mandrillSync.getStatus(account.id);
  if (latest && (latest.failedRuns > 0 || latest.keyRejectedAt !== null)) {
    store.mandrillSync.saveStatus({
      ...latest,
      failedRuns: 0,
      keyRejectedAt: null,
      keyRejectedAccountVersion: null,
    });
    log.info('Mandrill poll succeeded again');
  }
  log.info(result, 'Mandrill poll finished');
  return result;
}

/**
 * Records a failed run: the error on the cursor (which keeps its position),
 * the failure count, and for Invalid_Key the flag that stops polling until
 * the account is updated. The warning is logged when the error differs from
 * the previous run's, so a failure that lasts does not fill the log.
 */
function recordFailure(
  deps: PollerDeps,
  account: AccountRecord,
  error: MandrillApiError,
  now: number,
  log: Logger,
): void {
  const { store } = deps;
  const text = errorText(error);
  const cursor = store.cursors.get(account.id);
  const status = store.mandrillSync.getStatus(account.id) ?? emptySyncRecord(account.id);
  const keyRejected = error.errorName === 'Invalid_Key';
  store.transaction(() => {
    store.cursors.save({
      accountId: account.id,
      syncedUntil: cursor?.syncedUntil ?? now - deps.initialLookbackMs,
      lastRunAt: now,
      lastError: text,
    });
    store.mandrillSync.saveStatus({
      ...status,
      failedRuns: status.failedRuns + 1,
      keyRejectedAt: keyRejected ? now : null,
      keyRejectedAccountVersion: keyRejected ? account.updatedAt : null,
    });
  });
  const details = {
    error: error.errorName,
    status: error.status,
    failedRuns: status.failedRuns + 1,
  };
  if (keyRejected) {
    log.warn(
      details,
      'Mandrill rejected the API key; the account is not polled until it is updated',
    );
  } else if (cursor?.lastError !== text) {
    log.warn(details, 'Mandrill poll failed; the next run resumes from the cursor');
  } else {
    log.debug(details, 'Mandrill poll failed again with the same error');
  }
}

/** Polls every account that sends by Mandrill once, with a poller of its own. */
export async function pollAllAccounts(deps: PollerDeps): Promise<PollResult[]> {
  return createMandrillPoller(deps).pollAll();
}
