import { spf } from 'mailauth';
import type { Resolver } from '../dns/types.js';
import { isSpfRecord, parseSpfRecord } from './spf-record.js';
import type { SpfResult } from './types.js';

export interface SpfEvaluation {
  result: SpfResult;
  /** The domain whose record was evaluated: the sender's domain, or the HELO name without one. */
  domain: string;
  explanation?: string;
  /** DNS-querying terms on the evaluated path only; mailauth stops at the first match. */
  lookups?: number;
}

const RESULTS: SpfResult[] = [
  'pass',
  'fail',
  'softfail',
  'neutral',
  'none',
  'temperror',
  'permerror',
];

// RFC 7208 4.6.4: an "mx" term may resolve at most 10 MX names.
const MAX_MX_NAMES = 10;

/** An error mailauth turns into the SPF result it carries instead of a temperror. */
function spfError(text: string): Error {
  return Object.assign(new Error(text), { spfResult: { error: 'permerror', text } });
}

/**
 * Wraps the resolver so that mailauth applies two rules of RFC 7208 it does not apply
 * itself: a record with a syntax error is permerror as soon as it is fetched, even when a
 * term before the error would match (4.6), and an `mx` term whose name has more than 10 MX
 * records is permerror (4.6.4). Only the queries that mailauth's evaluation reaches pass
 * through here, so a term after the match still changes nothing.
 */
function withRfcLimits(resolver: Resolver): Resolver {
  return async (name, type) => {
    const answer = await resolver(name, type);
    if (type === 'MX' && Array.isArray(answer) && answer.length > MAX_MX_NAMES) {
      throw spfError(
        `${name} has ${answer.length} MX records; an mx term may resolve at most ${MAX_MX_NAMES}`,
      );
    }
    if (type === 'TXT' && Array.isArray(answer)) {
      const records = answer
        .map((chunks: unknown) => (Array.isArray(chunks) ? chunks.join('') : String(chunks)))
        .filter(isSpfRecord);
      const parsed = records.length === 1 ? parseSpfRecord(records[0] ?? '', name) : undefined;
      const error = parsed?.findings.find((item) => item.severity === 'error');
      if (error) throw spfError(`the SPF record of ${name} has a syntax error: ${error.message}`);
    }
    return answer;
  };
}

const MTA_NAME = 'deliverability-desk';

/**
 * Evaluates SPF for one client IP as a receiver would (RFC 7208 4, check_host()), using
 * mailauth's `spf` with every query sent through `resolver`.
 */
export async function evaluateSpf(input: {
  ip: string;
  sender: string;
  helo?: string;
  resolver: Resolver;
}): Promise<SpfEvaluation> {
  const response = await spf({
    ip: input.ip,
    sender: input.sender,
    helo: input.helo ?? senderDomain(input.sender),
    // mailauth puts this name into the Received-SPF comment; the default is os.hostname().
    mta: MTA_NAME,
    resolver: withRfcLimits(input.resolver),
  });
  const raw = response.status.result === 'temperr' ? 'temperror' : response.status.result;
  const result = RESULTS.includes(raw as SpfResult) ? (raw as SpfResult) : 'temperror';
  const evaluation: SpfEvaluation = { result, domain: response.domain };
  if (response.status.comment) {
    // The comment starts with the MTA's name, which means nothing to a reader of the result.
    const comment = response.status.comment;
    const prefix = `${MTA_NAME}: `;
    evaluation.explanation = comment.startsWith(prefix) ? comment.slice(prefix.length) : comment;
  }
  if (response.lookups) {
    evaluation.lookups = response.lookups.count;
  }
  return evaluation;
}

function senderDomain(sender: string): string {
  return sender.slice(sender.lastIndexOf('@') + 1);
}
