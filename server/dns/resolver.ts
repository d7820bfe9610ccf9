import { promises as dns } from 'node:dns';
import net from 'node:net';
import { QueryScheduler } from './scheduler.js';
import type { Resolver } from './types.js';

/** A resolver for one check run, with counters of the queries it sent to the DNS servers. */
export interface CountingResolver extends Resolver {
  /** Queries sent to the servers; answers served from the cache are not counted. */
  readonly queries: number;
  /** Distinct questions (name and type) asked, whether answered, failed or cut by the deadline. */
  readonly distinctQuestions: number;
  /** The largest number of queries in flight at once. */
  readonly maxInFlight: number;
}

export interface ResolverOptions {
  /** Servers as `HOST:PORT` (`[IPv6]:PORT` for IPv6). Empty or undefined uses the system servers. */
  servers?: string[];
  /** Time in milliseconds to wait for one answer before retrying. */
  timeoutMs?: number;
  /** Attempts per server before the query fails with `ETIMEOUT`. */
  tries?: number;
  /** Queries in flight at once; more wait for a free slot. Default 64. */
  concurrency?: number;
  /**
   * Milliseconds from the resolver's creation after which every pending and every new query
   * rejects with `ETIMEOUT`. Default 10000.
   */
  deadlineMs?: number;
}

// A check run should fail fast on an unreachable server, and a second try covers one lost UDP
// packet.
const DEFAULT_TIMEOUT_MS = 3000;
const DEFAULT_TRIES = 2;
// On the zones of `npm run bench:dns`, one domain check sends 34 to 72 queries and has at most
// 33 in flight at once. A cap of 64 lets every query that is ready go out at once, where 16
// made the first round of each check take two round trips. The cap still bounds what one
// check, such as one with a runaway SPF tree, sends to a server.
const DEFAULT_CONCURRENCY = 64;
// A check answers an HTTP request, so it must end within a few seconds even when a server
// drops every packet.
const DEFAULT_DEADLINE_MS = 10_000;

/**
 * Creates a resolver with the `dns.promises.resolve` contract. It caches every answer and every
 * error for its own lifetime, ignoring TTLs, and sends one query for concurrent requests of the
 * same name and type. It keeps at most `concurrency` queries in flight and fails every query
 * with `ETIMEOUT` once `deadlineMs` has passed. Create one per check run so that neither the
 * cache nor the deadline outlives the check.
 * NOTE: there is no cache across runs. Node's resolver returns TTLs only for A and AAAA, so
 * TXT answers, which most checks read, could not honor theirs.
 */
export function createResolver(options: ResolverOptions = {}): CountingResolver {
  const resolver = new dns.Resolver({
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    tries: options.tries ?? DEFAULT_TRIES,
  });
  if (options.servers && options.servers.length > 0) {
    resolver.setServers(options.servers);
  }
  const scheduler = new QueryScheduler(
    positive(options.concurrency, DEFAULT_CONCURRENCY, 'concurrency'),
    positive(options.deadlineMs, DEFAULT_DEADLINE_MS, 'deadlineMs'),
    // Frees the sockets of queries whose callers already have their ETIMEOUT error.
    () => resolver.cancel(),
  );
  const cache = new Map<string, Promise<unknown>>();

  const resolve = (name: string, rrtype: string): Promise<unknown> => {
    const normalized = normalizeName(name);
    const type = rrtype.toUpperCase();
    const key = `${type} ${normalized}`;
    const cached = cache.get(key);
    if (cached) {
      return cached;
    }
    // The stored promise carries the error too, so a failed name is not asked again.
    const answer = scheduler.run(
      normalized,
      type,
      () => resolver.resolve(normalized, type) as Promise<unknown>,
    );
    cache.set(key, answer);
    return answer;
  };

  Object.defineProperties(resolve, {
    queries: { get: () => scheduler.sent, enumerable: true },
    distinctQuestions: { get: () => cache.size, enumerable: true },
    maxInFlight: { get: () => scheduler.peakInFlight, enumerable: true },
  });
  return resolve as CountingResolver;
}

function positive(value: number | undefined, fallback: number, option: string): number {
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isFinite(value) || value <= 0) {
    throw new RangeError(
      `Invalid resolver option ${option}: ${value} (expected a positive number)`,
    );
  }
  return value;
}

function normalizeName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') && lower.length > 1 ? lower.slice(0, -1) : lower;
}

const SERVER_FORM =
  'HOST:PORT[,HOST:PORT...] with an IPv4 address, [IPv6]:PORT, or a bare IP for port 53';

/**
 * Parses a comma-separated list of DNS servers into entries for `Resolver.setServers`,
 * each with an explicit port. A blank value returns `[]`, meaning the system servers.
 * Throws an Error naming the first invalid entry and the expected form.
 */
export function parseDnsServers(value: string): string[] {
  if (value.trim() === '') {
    return [];
  }
  return value.split(',').map((entry) => parseServer(entry.trim(), value));
}

function parseServer(entry: string, whole: string): string {
  const invalid = (): Error =>
    new Error(`Invalid DNS server "${entry}" in "${whole}": expected ${SERVER_FORM}`);

  if (net.isIPv4(entry) || net.isIPv6(entry)) {
    return formatServer(entry, 53);
  }
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(entry);
  if (bracketed) {
    const [, host = '', port = ''] = bracketed;
    if (!net.isIPv6(host)) {
      throw invalid();
    }
    return formatServer(host, parsePort(port, invalid));
  }
  const hostPort = /^([^:]+):(\d+)$/.exec(entry);
  if (hostPort) {
    const [, host = '', port = ''] = hostPort;
    if (!net.isIPv4(host)) {
      throw invalid();
    }
    return formatServer(host, parsePort(port, invalid));
  }
  throw invalid();
}

function parsePort(text: string, invalid: () => Error): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    const error = invalid();
    error.message += ` (port ${text} is outside 1 to 65535)`;
    throw error;
  }
  return port;
}

function formatServer(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
