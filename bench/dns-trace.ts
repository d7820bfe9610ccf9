/** A timeline of one domain check's DNS questions, for finding the round trips it waits for. */
import { performance } from 'node:perf_hooks';
import { checkDomain } from '../server/checks/index.js';
import type { PlatformIdentity } from '../server/checks/types.js';
import { createResolver } from '../server/dns/resolver.js';
import type { Resolver } from '../server/dns/types.js';
import type { DelayedDnsServer } from './dns-host.js';
import { benchOptions } from './dns-measure.js';

/** One distinct question of a check, with times in milliseconds from the check's start. */
export interface TracedQuestion {
  question: string;
  startMs: number;
  endMs: number;
  /** The error code, or `ok` for an answer. */
  outcome: string;
}

/**
 * Checks `domain` once with a fresh resolver and records when the check first requested each
 * distinct question and when its answer or error came back. Repeated requests of a question
 * are served from the resolver's cache and are not listed again.
 */
export async function traceCheck(
  server: DelayedDnsServer,
  domain: string,
  platform: PlatformIdentity,
): Promise<{ wallMs: number; questions: TracedQuestion[] }> {
  const inner = createResolver({ servers: [server.address] });
  const questions = new Map<string, TracedQuestion>();
  let start = 0;
  const resolver: Resolver = (name, rrtype) => {
    const key = `${rrtype.toUpperCase()} ${name.trim().toLowerCase().replace(/\.$/, '')}`;
    const answer = inner(name, rrtype);
    if (!questions.has(key)) {
      const traced: TracedQuestion = {
        question: key,
        startMs: performance.now() - start,
        endMs: Number.NaN,
        outcome: 'pending',
      };
      questions.set(key, traced);
      answer.then(
        () => {
          traced.endMs = performance.now() - start;
          traced.outcome = 'ok';
        },
        (error: NodeJS.ErrnoException) => {
          traced.endMs = performance.now() - start;
          traced.outcome = error.code ?? 'error';
        },
      );
    }
    return answer;
  };
  await server.reset();
  start = performance.now();
  await checkDomain(domain, benchOptions(resolver, platform));
  const wallMs = performance.now() - start;
  return { wallMs, questions: [...questions.values()].sort((a, b) => a.startMs - b.startMs) };
}

// node:dns rejects a type it does not know (SPF, type 99) with this code before sending.
const NOT_SENT = 'ERR_INVALID_ARG_VALUE';

/**
 * Numbers the rounds: a question is in round 1 when it went out before any answer came back,
 * and otherwise in the round after the latest-numbered question answered before it went out.
 * The number is the depth of waits the question could depend on, an upper bound of its place
 * in the chain of dependent queries. A question that was never sent delays nothing.
 */
function numberRounds(questions: TracedQuestion[]): number[] {
  return questions.reduce<number[]>((rounds, question) => {
    const before = questions
      .map((other, index) => ({ other, round: rounds[index] }))
      .filter(
        ({ other, round }) =>
          round !== undefined && other.outcome !== NOT_SENT && other.endMs <= question.startMs,
      );
    rounds.push(1 + Math.max(0, ...before.map(({ round }) => round ?? 0)));
    return rounds;
  }, []);
}

/** Prints the trace of `domain` grouped by round, with each question's times and outcome. */
export function printTrace(
  domain: string,
  trace: { wallMs: number; questions: TracedQuestion[] },
): void {
  const rounds = numberRounds(trace.questions);
  const sentRounds = rounds.filter((_, index) => trace.questions[index]?.outcome !== NOT_SENT);
  console.log('');
  console.log(
    `trace of ${domain}: wall ${trace.wallMs.toFixed(0)} ms, ${trace.questions.length} distinct questions, ${Math.max(0, ...sentRounds)} rounds of sent queries`,
  );
  for (let round = 1; round <= Math.max(0, ...rounds); round += 1) {
    const members = trace.questions.filter((_, index) => rounds[index] === round);
    console.log(`  round ${round} (${members.length} questions)`);
    for (const traced of members) {
      console.log(
        `    ${traced.startMs.toFixed(0).padStart(5)} -> ${traced.endMs.toFixed(0).padStart(5)} ms  ${traced.question}  ${traced.outcome}`,
      );
    }
  }
}
