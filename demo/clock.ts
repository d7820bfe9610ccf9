/**
 * The server's clock during the demo. While it is set, it reads a time in the past that only
 * moves forward, never past the real time, so sends are stamped over several days. Once
 * released, it reads the real time again.
 */
export interface DemoClock {
  now(): number;
  /** Moves the clock to `ms`, unless it reads a later time already. */
  advanceTo(ms: number): void;
  /** Returns the clock to the real time for good. */
  release(): void;
}

export function createDemoClock(startMs: number): DemoClock {
  let current: number | null = startMs;
  return {
    now: () => current ?? Date.now(),
    advanceTo(ms) {
      if (current !== null && ms > current) current = Math.min(ms, Date.now());
    },
    release() {
      current = null;
    },
  };
}
