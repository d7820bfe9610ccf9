import { spf } from 'mailauth';
import type { Resolver } from '../dns/types.js';
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
    mta: 'deliverability-desk',
    resolver: input.resolver,
  });
  const raw = response.status.result === 'temperr' ? 'temperror' : response.status.result;
  const result = RESULTS.includes(raw as SpfResult) ? (raw as SpfResult) : 'temperror';
  const evaluation: SpfEvaluation = { result, domain: response.domain };
  if (response.status.comment) {
    evaluation.explanation = response.status.comment;
  }
  if (response.lookups) {
    evaluation.lookups = response.lookups.count;
  }
  return evaluation;
}

function senderDomain(sender: string): string {
  return sender.slice(sender.lastIndexOf('@') + 1);
}
