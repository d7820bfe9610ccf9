import { promises as dns } from 'node:dns';
import net from 'node:net';
import type { Resolver } from './types.js';

/** A resolver for one check run, with the number of queries it sent to the DNS servers. */
export interface CountingResolver extends Resolver {
  /** Queries sent to the servers; answers served from the cache are not counted. */
  readonly queries: number;
}

export interface ResolverOptions {
  /** Servers as `HOST:PORT` (`[IPv6]:PORT` for IPv6). Empty or undefined uses the system servers. */
  servers?: string[];
  /** Time in milliseconds to wait for one answer before retrying. */
  timeoutMs?: number;
  /** Attempts per server before the query fails with `ETIMEOUT`. */
  tries?: number;
}

// A check run should fail fast on an unreachable server, and a second try covers one lost UDP
// packet.
const DEFAULT_TIMEOUT_MS = 3000;
const DEFAULT_TRIES = 2;

/**
 * Creates a resolver with the `dns.promises.resolve` contract that caches every answer and
 * every error for its own lifetime, ignoring TTLs, and sends one query for concurrent
 * requests of the same name and type. Create one per check run so that the cache never
 * outlives the check.
 */
export function createResolver(options: ResolverOptions = {}): CountingResolver {
  const resolver = new dns.Resolver({
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    tries: options.tries ?? DEFAULT_TRIES,
  });
  if (options.servers && options.servers.length > 0) {
    resolver.setServers(options.servers);
  }

  const cache = new Map<string, Promise<unknown>>();
  let queries = 0;

  const resolve = (name: string, rrtype: string): Promise<unknown> => {
    const normalized = normalizeName(name);
    const type = rrtype.toUpperCase();
    const key = `${type} ${normalized}`;
    const cached = cache.get(key);
    if (cached) {
      return cached;
    }
    queries += 1;
    // The stored promise carries the error too, so a failed name is not asked again.
    const answer = resolver.resolve(normalized, type) as Promise<unknown>;
    cache.set(key, answer);
    return answer;
  };

  Object.defineProperty(resolve, 'queries', { get: () => queries, enumerable: true });
  return resolve as CountingResolver;
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
    throw invalid();
  }
  return port;
}

function formatServer(host: string, port: number): string {
  return net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
