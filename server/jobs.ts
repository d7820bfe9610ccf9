import type { Logger } from './logger.js';

/** A background job: `run` is called every `intervalMs`, never twice at once. */
export interface Job {
  name: string;
  intervalMs: number;
  run(): Promise<unknown>;
}

export interface RunningJobs {
  /** Stops scheduling and waits for runs in flight to finish. */
  stop(): Promise<void>;
}

/** Starts each job now and then after each interval, measured from the end of the previous run. */
export function startJobs(jobs: Job[], logger: Logger): RunningJobs {
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();
  const inFlight = new Set<Promise<void>>();

  const schedule = (job: Job, delayMs: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      const run = job
        .run()
        .then(
          () => undefined,
          (error: unknown) => {
            logger.error({ module: 'jobs', job: job.name, err: error }, 'job run failed');
          },
        )
        .finally(() => {
          inFlight.delete(run);
          if (!stopped) schedule(job, job.intervalMs);
        });
      inFlight.add(run);
    }, delayMs);
    timer.unref();
    timers.add(timer);
  };

  for (const job of jobs) {
    logger.info({ module: 'jobs', job: job.name, intervalMs: job.intervalMs }, 'job started');
    schedule(job, 0);
  }
  return {
    async stop() {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(inFlight);
    },
  };
}
