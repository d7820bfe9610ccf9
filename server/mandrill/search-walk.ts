import type { MandrillApi } from './client.js';
import type { RateLimiter } from './rate-limit.js';
import { withRetry, type RetryOptions } from './retry.js';
import type { MandrillMessageInfo } from './types.js';

/** `messages/search` returns at most this many messages and has no paging. */
export const SEARCH_LIMIT = 1000;

export const DAY_SECONDS = 86_400;

/**
 * The number of messages the walk sizes its windows for: below the cap, so
 * that a window seldom reaches it and has to be searched again.
 */
const TARGET_PER_WINDOW = 750;

/**
 * Formats Unix seconds as `YYYY-MM-DD HH:MM:SS` in UTC. Mandrill's
 * documentation gives no format for `date_from` and `date_to`, so this uses
 * the format of every time Mandrill returns. It has whole seconds, so a
 * window cannot be narrower than one second.
 */
export function searchDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

export interface WalkOptions {
  api: MandrillApi;
  apiKey: string;
  query: string;
  limiter: RateLimiter;
  retry: RetryOptions;
  /** The first window's length in seconds; later ones follow the message density. */
  initialSpanSeconds: number;
  /** Called before each search call, retries included, to count them. */
  onSearch?: () => void;
  /** Called after every search attempt that will be retried. */
  onRetry?: Parameters<typeof withRetry>[2];
  /**
   * Stores one window's messages and moves the cursor to the window's end,
   * in one transaction. Windows arrive in time order without gaps.
   */
  commit(messages: MandrillMessageInfo[], fromSeconds: number, toSeconds: number): void;
  /** Reports a one-second window that still returns the cap: some of its messages are missing. */
  warnFullSecond(atSeconds: number, count: number): void;
}

export interface WalkResult {
  windows: number;
  searches: number;
}

/**
 * Searches [fromSeconds, toSeconds) in consecutive windows. A window whose
 * search returns SEARCH_LIMIT messages may contain more, so it is halved
 * and searched again until it returns fewer. Then it is committed, and the
 * next window starts at its end, sized from the density just seen.
 * Committing windows in time order keeps the cursor a true lower bound.
 *
 * A one-second window cannot be split further by date. The walk then keeps
 * the messages it got, reports the second through `warnFullSecond` and goes
 * on. NOTE: the walk does not split such a second by another search field
 * (sender or recipient), so messages past the first 1000 of one second are
 * missed. Splitting by field would need every value of that field to be
 * known in advance, or a message would fall between the parts.
 */
export async function walkWindows(
  options: WalkOptions,
  fromSeconds: number,
  toSeconds: number,
): Promise<WalkResult> {
  const result: WalkResult = { windows: 0, searches: 0 };
  let span = Math.max(1, options.initialSpanSeconds);
  let start = fromSeconds;

  const search = (from: number, to: number) =>
    withRetry(
      async () => {
        await options.limiter.acquire(options.apiKey);
        result.searches += 1;
        options.onSearch?.();
        return options.api.search(options.apiKey, {
          query: options.query,
          date_from: searchDate(from),
          // Both bounds are inclusive, to the second.
          date_to: searchDate(to - 1),
          limit: SEARCH_LIMIT,
        });
      },
      options.retry,
      options.onRetry,
    );

  while (start < toSeconds) {
    let end = Math.min(start + span, toSeconds);
    let messages = await search(start, end);
    while (messages.length >= SEARCH_LIMIT && end - start > 1) {
      end = start + Math.max(1, Math.floor((end - start) / 2));
      messages = await search(start, end);
    }
    if (messages.length >= SEARCH_LIMIT) options.warnFullSecond(start, messages.length);

    options.commit(messages, start, end);
    result.windows += 1;
    const width = end - start;
    start = end;
    // Size the next window for TARGET_PER_WINDOW at the density just seen, growing at most
    // fourfold at a time, so that a busy period after a quiet one costs few repeated searches.
    const estimate =
      messages.length === 0 ? width * 4 : Math.floor((width * TARGET_PER_WINDOW) / messages.length);
    span = Math.max(1, Math.min(estimate, width * 4, DAY_SECONDS));
  }
  return result;
}
