/**
 * Measures `checkDomain` against a loopback DNS server whose every answer is held for 50 ms,
 * as if it were a network round trip away. For each domain it prints the wall time against
 * the least time the zone data allows, which is the longest chain of dependent queries times
 * the delay. It also prints the queries sent per distinct question, and the time of the same
 * check with one query in flight at a time, measured in the same run. It then audits 1,000
 * generated tenant domains twice, 50 at a time, and prints domains per second against the
 * same kind of bound. With BENCH_DNS_TRACE set to a domain, it ends with that domain's
 * questions and their times.
 * Absolute times vary with the machine and its load; the ratios are the result.
 */
import os from 'node:os';
import type { DomainCheck } from '../server/checks/types.js';
import {
  loadCorpusZone,
  platformZone,
  rsaPublicKeyBase64,
  TEST_PLATFORM,
} from '../test/support/zones.js';
import { chainOf, chainQuestions, costWithRetries, ZoneIndex } from './dns-chain.js';
import type { Chain } from './dns-chain.js';
import { startDelayedDnsServer } from './dns-host.js';
import type { DelayedDnsServer } from './dns-host.js';
import { findTruncatedAnswers } from './dns-proxy.js';
import { hasTempError, median, timeBulk, timeCheck, timeOneQuery } from './dns-measure.js';
import type { CheckRun } from './dns-measure.js';
import { printTrace, traceCheck } from './dns-trace.js';
import { bulkZone, deepTreeZone } from './dns-zones.js';

const DELAY_MS = 50;
const PARALLEL_ROUNDS = 3;
const BULK_DOMAINS = Number(process.env.BENCH_DNS_DOMAINS ?? 1000);
const BULK_CONCURRENCY = Number(process.env.BENCH_DNS_CONCURRENCY ?? 50);
// A domain whose questions are printed with their times, grouped by round trip.
const TRACE_DOMAIN = process.env.BENCH_DNS_TRACE;
// Published domains from the corpus zone: a bare "-all", a redirect, a wide include list, a
// record with a, mx and ptr terms, and a Mandrill include with mx.
const REAL_DOMAINS = ['18f.gov', 'gmail.com', 'github.com', 'namecheap.net', 'whitehouse.gov'];

interface DomainResult {
  domain: string;
  chain: Chain;
  parallelMs: number;
  parallel: CheckRun;
  sequential: CheckRun;
  sameResult: boolean;
}

async function main(): Promise<void> {
  // A 1024-bit key keeps the generated DKIM answers under the 512-byte UDP limit.
  const dkimKey = rsaPublicKeyBase64(1024);
  const trees = deepTreeZone(dkimKey);
  const bulk = bulkZone(BULK_DOMAINS, dkimKey);
  const records = [...loadCorpusZone(), ...platformZone(), ...trees.records, ...bulk.records];
  const zone = new ZoneIndex(records);
  const domains = [...REAL_DOMAINS, ...trees.domains.map((tree) => tree.domain)];

  const server = await startDelayedDnsServer(records, DELAY_MS);
  try {
    const questions = chainQuestions([...domains, ...bulk.domains], zone, TEST_PLATFORM);
    const truncated = await findTruncatedAnswers(server.serverPort, questions);
    const cost = costWithRetries(truncated);
    const chains = new Map(
      [...domains, ...bulk.domains].map((domain) => [
        domain,
        chainOf(domain, zone, TEST_PLATFORM, cost),
      ]),
    );

    const oneQueryMs = await timeOneQuery(server, '_dmarc.18f.gov', 5);
    // Warm-up: the first check loads and compiles the checkers and mailauth.
    await timeCheck(server, 'google.com', TEST_PLATFORM, 'parallel');

    const results: DomainResult[] = [];
    for (const domain of domains) {
      results.push(await measureDomain(server, domain, chains.get(domain) as Chain));
    }
    const trace = TRACE_DOMAIN ? await traceCheck(server, TRACE_DOMAIN, TEST_PLATFORM) : undefined;
    // The first pass is also the first time the test DNS server encodes each tenant's answers.
    // The second gets every answer from the proxy's store, so it measures the checks.
    const firstBulk = await timeBulk(server, bulk.domains, TEST_PLATFORM, BULK_CONCURRENCY);
    const bulkRun = await timeBulk(server, bulk.domains, TEST_PLATFORM, BULK_CONCURRENCY);
    const bulkChainRounds = bulk.domains.reduce(
      (total, domain) => total + (chains.get(domain)?.total ?? 0),
      0,
    );

    printHeader(oneQueryMs, truncated.size, questions.length);
    printDomainTable(results);
    printBulk('first pass', firstBulk, bulkChainRounds, bulk.domains.length);
    printBulk('second pass', bulkRun, bulkChainRounds, bulk.domains.length);
    printNotes(results, trees.domains);
    if (TRACE_DOMAIN && trace) {
      printTrace(TRACE_DOMAIN, trace);
    }
  } finally {
    await server.close();
  }
}

async function measureDomain(
  server: DelayedDnsServer,
  domain: string,
  chain: Chain,
): Promise<DomainResult> {
  const sequential = await timeCheck(server, domain, TEST_PLATFORM, 'sequential');
  const runs: CheckRun[] = [];
  for (let round = 0; round < PARALLEL_ROUNDS; round += 1) {
    runs.push(await timeCheck(server, domain, TEST_PLATFORM, 'parallel'));
  }
  const parallelMs = median(runs.map((run) => run.ms));
  const parallel = runs.find((run) => run.ms === parallelMs) ?? (runs[0] as CheckRun);
  return {
    domain,
    chain,
    parallelMs,
    parallel,
    sequential,
    sameResult: comparable(parallel.check) === comparable(sequential.check),
  };
}

/** The check as JSON without its timestamp, so that two runs can be compared. */
function comparable(check: DomainCheck): string {
  return JSON.stringify({ ...check, checkedAt: undefined });
}

function printHeader(oneQueryMs: number, truncatedCount: number, questionCount: number): void {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `machine: ${os.availableParallelism()} cores (${cpu}), Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}`,
  );
  console.log(
    `delay per answer: ${DELAY_MS} ms; one query through the proxy: ${oneQueryMs.toFixed(1)} ms (median of 5)`,
  );
  console.log(
    `questions in the chains: ${questionCount}, of which ${truncatedCount} have UDP answers over 512 bytes (a TCP retry, 2 round trips)`,
  );
  console.log('');
}

function printDomainTable(results: DomainResult[]): void {
  const rows = results.map((result) => {
    const { chain, parallel, sequential } = result;
    const bound = chain.total * DELAY_MS;
    const proxy = parallel.proxy;
    return [
      result.domain,
      `${parallel.check.spf.status ?? '?'}/${parallel.check.spf.lookups}`,
      `${chain.spf}/${chain.dkim}/${chain.dmarc}/${chain.related}/${chain.other}`,
      String(chain.total),
      result.parallelMs.toFixed(0),
      (result.parallelMs / DELAY_MS).toFixed(1),
      (result.parallelMs / bound).toFixed(2),
      `${proxy.udpQueries}/${proxy.distinctQuestions}`,
      (proxy.udpQueries / proxy.distinctQuestions).toFixed(2),
      String(proxy.tcpQueries),
      String(proxy.maxInFlight),
      resolverColumn(parallel),
      sequential.ms.toFixed(0),
      (sequential.ms / result.parallelMs).toFixed(2),
      result.sameResult && !hasTempError(parallel.check) ? 'yes' : 'NO',
    ];
  });
  printTable(
    [
      'domain',
      'spf',
      'chain s/k/d/r/o',
      'chain',
      'wall ms',
      'rounds',
      'wall/bound',
      'q/distinct',
      'ratio',
      'tcp',
      'in flight',
      'resolver q/d/max',
      'seq ms',
      'seq/par',
      'ok',
    ],
    rows,
  );
}

function resolverColumn(run: CheckRun): string {
  const { queries, distinctQuestions, maxInFlight } = run.resolver;
  const show = (value: number | undefined): string => (value === undefined ? '-' : String(value));
  return `${show(queries)}/${show(distinctQuestions)}/${show(maxInFlight)}`;
}

function printBulk(
  pass: string,
  run: Awaited<ReturnType<typeof timeBulk>>,
  chainRounds: number,
  count: number,
): void {
  const boundMs = (chainRounds * DELAY_MS) / BULK_CONCURRENCY;
  const { proxy } = run;
  console.log('');
  console.log(
    `bulk audit, ${pass}: ${count} domains, ${BULK_CONCURRENCY} at a time, one resolver each`,
  );
  console.log(
    `  wall: ${run.ms.toFixed(0)} ms, ${((count / run.ms) * 1000).toFixed(0)} domains/s; bound from the chains: ${boundMs.toFixed(0)} ms, ${((count / boundMs) * 1000).toFixed(0)} domains/s; wall/bound ${(run.ms / boundMs).toFixed(2)}`,
  );
  console.log(
    `  proxy: ${proxy.udpQueries} UDP queries for ${proxy.distinctQuestions} distinct (socket, question) pairs (ratio ${(proxy.udpQueries / proxy.distinctQuestions).toFixed(2)}), ${proxy.tcpQueries} TCP retries, max ${proxy.maxInFlight} in flight, ${proxy.unansweredUpstream} never answered by the server`,
  );
  const { queries, distinctQuestions, maxInFlight } = run.resolver;
  if (queries !== undefined) {
    console.log(
      `  resolvers: ${queries} queries` +
        (distinctQuestions === undefined ? '' : `, ${distinctQuestions} distinct questions`) +
        (maxInFlight === undefined ? '' : `, max ${maxInFlight} in flight in one resolver`),
    );
  }
  console.log(
    `  checks with a failed DNS query: ${run.failedChecks}; main thread busy ${(run.mainThreadBusy * 100).toFixed(0)}% of the wall time`,
  );
}

function printNotes(results: DomainResult[], trees: { domain: string; purpose: string }[]): void {
  console.log('');
  for (const tree of trees) {
    console.log(`${tree.domain}: ${tree.purpose}`);
  }
  console.log(
    'chain s/k/d/r/o: round trips of the SPF tree, DKIM, DMARC, the related checks (MX, MTA-STS, TLS-RPT, BIMI, reverse DNS) and the other queries (platform records, suggested include); chain: their maximum',
  );
  console.log(
    `rounds: wall / ${DELAY_MS} ms; wall/bound: wall / (chain x ${DELAY_MS} ms), aim <= 1.3; ratio: UDP queries / distinct questions, aim 1.00`,
  );
  console.log(
    'seq/par: one query in flight at a time / as the checker runs; ok: same result both ways and no failed query',
  );
  const worst = Math.max(
    ...results.map((result) => result.parallelMs / (result.chain.total * DELAY_MS)),
  );
  console.log(`max wall/bound: ${worst.toFixed(2)}`);
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) {
    console.log(line(row));
  }
}

await main();
