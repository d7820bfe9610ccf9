import { MandrillApiError } from './client.js';

export interface RetryOptions {
  sleep: (ms: number) => Promise<void>;
  /** Returns a number in [0, 1), as Math.random does. */
  random: () => number;
  /** Attempts in total, the first one included. */
  maxAttempts: number;
  /** The backoff ceiling before the first retry; it doubles with each retry. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: Omit<RetryOptions, 'sleep' | 'random'> = {
  maxAttempts: 5,
  baseDelayMs: 2_000,
  maxDelayMs: 60_000,
};

/**
 * Tells whether a failed call may succeed when repeated: Mandrill's
 * ServiceUnavailable, HTTP 429 and 5xx responses without a Mandrill error
 * name, network errors and timeouts, and bodies of the wrong shape. API
 * errors such as Invalid_Key or ValidationError are answered the same way
 * again, so they are not retried.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof MandrillApiError)) return false;
  if (error.status === 429) return true;
  if (['ServiceUnavailable', 'NetworkError', 'InvalidResponse'].includes(error.errorName)) {
    return true;
  }
  return error.errorName === 'HttpError' && (error.status ?? 0) >= 500;
}

/**
 * Calls `fn` until it succeeds, it fails with an error that is not
 * transient, or `maxAttempts` run out; then the last error is thrown. Each
 * retry waits a random time up to the exponential ceiling ("full jitter"),
 * and at least what a Retry-After header asked for.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  options: RetryOptions,
  onRetry?: (error: MandrillApiError, attempt: number, delayMs: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await fn();
    } catch (error) {
      if (!isTransient(error) || attempt >= options.maxAttempts) throw error;
      const apiError = error as MandrillApiError;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.max(Math.floor(options.random() * ceiling), apiError.retryAfterMs ?? 0);
      onRetry?.(apiError, attempt, delay);
      await options.sleep(delay);
    }
  }
}
