/** A DNS query error with the `code` that `dns.promises` uses, so checks read it as temperror. */
export interface QueryError extends Error {
  code: string;
  hostname: string;
  rrtype: string;
}

interface Waiting {
  name: string;
  rrtype: string;
  start: () => void;
  reject: (error: QueryError) => void;
}

/**
 * Runs DNS queries with at most `limit` in flight and rejects every query that is still
 * waiting or in flight when the deadline passes, and every query started after it, with
 * `ETIMEOUT`. The deadline counts from construction. Its timer is unref'd, so it never keeps
 * the process alive.
 */
export class QueryScheduler {
  /** Queries handed to the DNS client. */
  sent = 0;
  /** The largest number of queries in flight at once. */
  peakInFlight = 0;
  private inFlight = new Set<Waiting>();
  private queue: Waiting[] = [];
  private expired = false;

  constructor(
    private readonly limit: number,
    private readonly deadlineMs: number,
    onDeadline: () => void,
  ) {
    const timer = setTimeout(() => {
      this.expire();
      onDeadline();
    }, deadlineMs);
    timer.unref();
  }

  /** Runs `query` for the question `rrtype name` when a slot is free and the deadline has not passed. */
  run<T>(name: string, rrtype: string, query: () => Promise<T>): Promise<T> {
    if (this.expired) {
      return Promise.reject(this.deadlineError(name, rrtype));
    }
    return new Promise<T>((resolve, reject) => {
      const waiting: Waiting = {
        name,
        rrtype,
        reject,
        start: () => {
          this.sent += 1;
          this.inFlight.add(waiting);
          this.peakInFlight = Math.max(this.peakInFlight, this.inFlight.size);
          // node:dns throws synchronously for a type it does not know (such as SPF, type 99);
          // turning that into a rejection frees the slot like any other failure.
          let pending: Promise<T>;
          try {
            pending = query();
          } catch (error) {
            pending = Promise.reject(error);
          }
          pending.then(
            (value) => this.settle(waiting, () => resolve(value)),
            (error: unknown) => this.settle(waiting, () => reject(error)),
          );
        },
      };
      if (this.inFlight.size < this.limit) {
        waiting.start();
      } else {
        this.queue.push(waiting);
      }
    });
  }

  private settle(waiting: Waiting, done: () => void): void {
    // After the deadline the caller already has the ETIMEOUT error, so a late answer is dropped.
    if (!this.inFlight.delete(waiting)) {
      return;
    }
    done();
    const next = this.queue.shift();
    next?.start();
  }

  private expire(): void {
    this.expired = true;
    const pending = [...this.inFlight, ...this.queue];
    this.inFlight.clear();
    this.queue = [];
    for (const waiting of pending) {
      waiting.reject(this.deadlineError(waiting.name, waiting.rrtype));
    }
  }

  private deadlineError(name: string, rrtype: string): QueryError {
    const error = new Error(
      `DNS query ${rrtype} ${name} timed out: the check's deadline of ${this.deadlineMs} ms passed`,
    ) as QueryError;
    error.code = 'ETIMEOUT';
    error.hostname = name;
    error.rrtype = rrtype;
    return error;
  }
}
