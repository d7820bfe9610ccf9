/** Timed `checkDomain` runs against the delayed DNS server, with the counters of each run. */
import { performance } from 'node:perf_hooks';
import { checkDomain } from '../server/checks/index.js';
import type { CheckOptions, DomainCheck, PlatformIdentity } from '../server/checks/types.js';
import { createResolver } from '../server/dns/resolver.js';
import type { Resolver } from '../server/dns/types.js';
import type { DelayedDnsServer } from './dns-host.js';
import type { ProxyCounters } from './dns-proxy.js';

/** Counters the resolver exposes, where it has them (`distinctQuestions`, `maxInFlight`). */
export interface ResolverCounters {
  queries?: number;
  distinctQuestions?: number;
  maxInFlight?: number;
}

export interface CheckRun {
  ms: number;
  proxy: ProxyCounters;
  resolver: ResolverCounters;
  check: DomainCheck;
}

export type Evaluation = 'parallel' | 'sequential';

/**
 * Rejects each MTA-STS policy fetch of a benchmark check without an HTTPS request, so that no
 * zone can send the benchmark to an address off the loopback interface. No benchmark zone
 * publishes an `_mta-sts` record, so the checks never call it.
 */
async function fetchNoPolicy(domain: string): Promise<string | null> {
  throw new Error(`The DNS benchmark fetches no MTA-STS policy (mta-sts.${domain})`);
}

/** Returns the options of every benchmark check: `resolver`, `platform` and the fetcher above. */
export function benchOptions(resolver: Resolver, platform: PlatformIdentity): CheckOptions {
  return { resolver, platform, related: { fetchMtaStsPolicy: fetchNoPolicy } };
}

/**
 * Wraps `inner` so that at most one question is in flight at a time, in the order they were
 * requested. A question asked again returns the first request's promise, as the resolver's
 * cache would, so the wrapper adds no queries and only removes concurrency.
 */
export function oneAtATime(inner: Resolver): Resolver {
  const requested = new Map<string, Promise<unknown>>();
  let previous: Promise<unknown> = Promise.resolve();
  return (name, rrtype) => {
    const key = `${rrtype.toUpperCase()} ${name.trim().toLowerCase().replace(/\.$/, '')}`;
    const known = requested.get(key);
    if (known) {
      return known;
    }
    const answer = previous.then(() => inner(name, rrtype));
    previous = answer.catch(() => undefined);
    requested.set(key, answer);
    return answer;
  };
}

/** Reads the counters that `resolver` exposes as numeric properties. */
export function resolverCounters(resolver: object): ResolverCounters {
  const read = (name: keyof ResolverCounters): number | undefined => {
    const value = (resolver as Record<string, unknown>)[name];
    return typeof value === 'number' ? value : undefined;
  };
  const counters: ResolverCounters = {};
  for (const name of ['queries', 'distinctQuestions', 'maxInFlight'] as const) {
    const value = read(name);
    if (value !== undefined) {
      counters[name] = value;
    }
  }
  return counters;
}

/** Checks `domain` once with a fresh resolver and the proxy's counters zeroed before the run. */
export async function timeCheck(
  server: DelayedDnsServer,
  domain: string,
  platform: PlatformIdentity,
  evaluation: Evaluation,
): Promise<CheckRun> {
  await server.reset();
  const resolver = createResolver({ servers: [server.address] });
  const used = evaluation === 'sequential' ? oneAtATime(resolver) : resolver;
  const start = performance.now();
  const check = await checkDomain(domain, benchOptions(used, platform));
  const ms = performance.now() - start;
  return { ms, proxy: await server.counters(), resolver: resolverCounters(resolver), check };
}

export interface BulkRun {
  ms: number;
  proxy: ProxyCounters;
  /** Sums over the per-domain resolvers, for the counters they expose. */
  resolver: ResolverCounters;
  /** Checks in which SPF, DMARC or a DKIM selector got temperror (a failed DNS query). */
  failedChecks: number;
  /** Share of the wall time the main thread's event loop was busy (0 to 1), i.e. running checks. */
  mainThreadBusy: number;
}

/**
 * Checks every domain with its own resolver, `concurrency` domains at a time, as an audit of
 * many tenants would, and returns the wall time of the whole run.
 */
export async function timeBulk(
  server: DelayedDnsServer,
  domains: string[],
  platform: PlatformIdentity,
  concurrency: number,
): Promise<BulkRun> {
  await server.reset();
  const totals: ResolverCounters = {};
  let failedChecks = 0;
  let next = 0;
  const runNext = async (): Promise<void> => {
    while (next < domains.length) {
      const domain = domains[next] ?? '';
      next += 1;
      const resolver = createResolver({ servers: [server.address] });
      const check = await checkDomain(domain, benchOptions(resolver, platform));
      if (hasTempError(check)) {
        failedChecks += 1;
      }
      const counters = resolverCounters(resolver);
      for (const name of ['queries', 'distinctQuestions'] as const) {
        const value = counters[name];
        if (value !== undefined) {
          totals[name] = (totals[name] ?? 0) + value;
        }
      }
      if (counters.maxInFlight !== undefined) {
        totals.maxInFlight = Math.max(totals.maxInFlight ?? 0, counters.maxInFlight);
      }
    }
  };
  const utilization = performance.eventLoopUtilization();
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, runNext));
  const ms = performance.now() - start;
  const mainThreadBusy = performance.eventLoopUtilization(utilization).utilization;
  return { ms, proxy: await server.counters(), resolver: totals, failedChecks, mainThreadBusy };
}

/** True when any of the check's DNS queries failed (timed out, SERVFAIL, ...). */
export function hasTempError(check: DomainCheck): boolean {
  const findings = [...check.spf.findings, ...check.dkim.findings, ...check.dmarc.findings];
  return findings.some((finding) => finding.code.endsWith('.temperror'));
}

/** Median of one query's round trip through the proxy, each with a fresh resolver. */
export async function timeOneQuery(
  server: DelayedDnsServer,
  name: string,
  rounds: number,
): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const resolver = createResolver({ servers: [server.address] });
    const start = performance.now();
    await resolver(name, 'TXT');
    times.push(performance.now() - start);
  }
  return median(times);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
