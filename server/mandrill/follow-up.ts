import type { AccountRecord, Store } from '../../db/types.js';
import type { Logger } from '../logger.js';
import type { ReplyClassifier } from '../sending/service.js';
import { MandrillApiError, type MandrillApi } from './client.js';
import { ingestMessages } from './ingest.js';
import { withRetry, type RetryOptions } from './retry.js';

export interface FollowUpOptions {
  store: Store;
  api: MandrillApi;
  apiKey: string;
  account: AccountRecord;
  retry: RetryOptions;
  logger: Logger;
  now: number;
  classify?: ReplyClassifier;
  /** Provider ids the search walk of this run returned already: those need no info call. */
  seen: Set<string>;
  /** Sends older than this are no longer followed. */
  maxAgeMs: number;
  /** A send is checked again only after this long. */
  intervalMs: number;
  /** At most this many info calls per run. */
  limit: number;
  /** Called before each info call, retries included, to count them. */
  onCall?: () => void;
}

export interface FollowUpResult {
  checked: number;
  newEvents: number;
  gaveUp: number;
}

/**
 * Asks `messages/info` about the account's sends that are still open
 * (accepted, deferred, soft-bounced) and records what changed: the state,
 * smtp_events, diag, bounce_description, opens and clicks. The events'
 * keys make a repeated response count once. A message Mandrill no longer
 * knows (Unknown_Message) is not asked about again.
 */
export async function followOpenSends(options: FollowUpOptions): Promise<FollowUpResult> {
  const { store, account, now } = options;
  const result: FollowUpResult = { checked: 0, newEvents: 0, gaveUp: 0 };
  const ids = store.mandrillSync.listOpenSendIds(account.id, {
    createdSince: now - options.maxAgeMs,
    checkedBefore: now - options.intervalMs,
    limit: options.limit,
  });
  for (const sendId of ids) {
    const send = store.sends.get(sendId);
    if (!send?.providerId) continue;
    if (options.seen.has(send.providerId)) {
      store.mandrillSync.markChecked(send.id, now, false);
      continue;
    }
    let info;
    try {
      const providerId = send.providerId;
      info = await withRetry(() => {
        options.onCall?.();
        return options.api.info(options.apiKey, providerId);
      }, options.retry);
    } catch (error) {
      if (!(error instanceof MandrillApiError) || error.errorName !== 'Unknown_Message')
        throw error;
      store.mandrillSync.markChecked(send.id, now, true);
      result.gaveUp += 1;
      options.logger.info(
        { sendId: send.id, providerId: send.providerId },
        'Mandrill no longer knows this message; its send stays open',
      );
      continue;
    }
    const counts = store.transaction(() => {
      const ingested = ingestMessages(store, account, [info], {
        source: 'mandrill-poll',
        now,
        classify: options.classify,
      });
      store.mandrillSync.markChecked(send.id, now, false);
      return ingested;
    });
    result.checked += 1;
    result.newEvents += counts.newEvents;
  }
  return result;
}
