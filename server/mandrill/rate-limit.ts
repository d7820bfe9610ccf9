/**
 * Keeps calls at or below `limit` per key in any `windowMs` (a sliding
 * window), waiting through the injected `sleep` when a key has used its
 * share. Mandrill documents `messages/search` at 20 calls a minute.
 *
 * NOTE: the history lives in memory, so a restarted process may spend a
 * second full share within the first minute.
 */
export class RateLimiter {
  private readonly calls = new Map<string, number[]>();

  constructor(
    private readonly options: {
      limit: number;
      windowMs: number;
      now: () => number;
      sleep: (ms: number) => Promise<void>;
    },
  ) {}

  /** Waits until `key` may make one more call, then counts that call. */
  async acquire(key: string): Promise<void> {
    for (;;) {
      const now = this.options.now();
      const recent = (this.calls.get(key) ?? []).filter(
        (time) => time > now - this.options.windowMs,
      );
      if (recent.length < this.options.limit) {
        recent.push(now);
        this.calls.set(key, recent);
        return;
      }
      this.calls.set(key, recent);
      // The oldest call leaves the window at `oldest + windowMs`; a call at that instant fits.
      await this.options.sleep((recent[0] as number) + this.options.windowMs - now + 1);
    }
  }
}
