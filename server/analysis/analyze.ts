import { arc, dkimVerify, dmarc, type ARCResult, type DMARCResult } from 'mailauth';
import { isIP } from 'node:net';
import { domainOf, isAligned } from '../checks/alignment.js';
import { evaluateSpf } from '../checks/spf-eval.js';
import type { DmarcResult, PlatformIdentity } from '../checks/types.js';
import type { Resolver } from '../dns/types.js';
import { AppError } from '../errors.js';
import { dkimSignatures, skippedSignatures } from './dkim.js';
import { diagnose } from './diagnosis.js';
import { detectMethod } from './method.js';
import { clientHop, parseHops } from './received.js';
import type { DkimSignature, MessageAnalysis } from './types.js';

/** The largest message accepted, in bytes (25 MiB). */
export const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
/** The largest header section accepted, in bytes. */
export const MAX_HEADER_BYTES = 1024 * 1024;
/**
 * The most DKIM-Signature fields verified. Each one with its own body canonicalization or l=
 * value costs one more pass over the body, so a message with thousands would tie up the CPU.
 */
export const MAX_DKIM_SIGNATURES = 20;

export interface AnalyzeOptions {
  resolver: Resolver;
  platform: PlatformIdentity;
  /** The client IP the receiver saw; default: taken from the Received fields. */
  ip?: string;
  /** The HELO/EHLO name; default: the one recorded with the client IP. */
  helo?: string;
  /** The envelope sender (MAIL FROM); default: Return-Path, else the From address. */
  sender?: string;
  now?: () => Date;
}

interface HeaderLine {
  key: string;
  line: Buffer;
}

function invalidMessage(message: string, details?: Record<string, unknown>): AppError {
  return new AppError(400, 'invalid_message', message, details);
}

/** Byte offset of the blank line that ends the header section, or -1 when none is found. */
function headerEnd(raw: Buffer, limit: number): number {
  const window = raw.subarray(0, limit);
  const crlf = window.indexOf('\r\n\r\n');
  const lf = window.indexOf('\n\n');
  if (crlf < 0) return lf;
  if (lf < 0) return crlf;
  return Math.min(crlf, lf);
}

function checkLimits(raw: Buffer): void {
  if (raw.length === 0) {
    throw invalidMessage(
      'The message is empty: paste or upload the whole message, headers included',
    );
  }
  if (raw.length > MAX_MESSAGE_BYTES) {
    throw new AppError(
      413,
      'message_too_large',
      `The message is ${raw.length} bytes; at most ${MAX_MESSAGE_BYTES} bytes (25 MiB) are accepted`,
      { limit: MAX_MESSAGE_BYTES },
    );
  }
  const end = headerEnd(raw, MAX_HEADER_BYTES);
  if (raw.length > MAX_HEADER_BYTES && end < 0) {
    throw invalidMessage(
      `The message has no blank line ending its header section within the first ${MAX_HEADER_BYTES} bytes: this is not an RFC 5322 message, or its headers are damaged`,
      { limit: MAX_HEADER_BYTES },
    );
  }
  const headerSection = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  const signatures = headerSection.match(/(?:^|\n)dkim-signature[ \t]*:/gi)?.length ?? 0;
  if (signatures > MAX_DKIM_SIGNATURES) {
    throw invalidMessage(
      `The message has ${signatures} DKIM-Signature fields; at most ${MAX_DKIM_SIGNATURES} are verified. Remove the extra signatures, or check that this is the message as received`,
      { limit: MAX_DKIM_SIGNATURES, signatures },
    );
  }
}

function fieldValue(header: HeaderLine): string {
  const text = header.line.toString('utf8');
  return text
    .slice(text.indexOf(':') + 1)
    .replace(/\r?\n[ \t]/g, ' ')
    .trim();
}

/** True for a line with a colon after a field name of RFC 5322 3.6.8 (printable US-ASCII). */
function isHeaderField(header: HeaderLine): boolean {
  if (typeof header.key !== 'string' || !/^[\x21-\x39\x3b-\x7e]+$/.test(header.key)) return false;
  return header.line.includes(':');
}

// NOTE: a pct below 100 (RFC 7489 6.6.4) lets receivers apply the policy to a sample only; the
// disposition assumes it applies.
function dispositionOf(result: DmarcResult, policy: MessageAnalysis['dmarc']['policy']) {
  if (result !== 'fail' || !policy) return 'none';
  return policy;
}

function policyOf(value: string | undefined): MessageAnalysis['dmarc']['policy'] {
  return value === 'none' || value === 'quarantine' || value === 'reject' ? value : null;
}

function dmarcOf(
  response: DMARCResult | false,
  fromDomain: string | null,
  addresses: string[],
): MessageAnalysis['dmarc'] {
  if (!response) {
    return {
      result: 'permerror',
      policy: null,
      domain: fromDomain,
      record: null,
      pct: null,
      alignment: { spf: null, dkim: null },
      disposition: 'none',
      explanation:
        addresses.length === 0
          ? 'DMARC was not evaluated: the message has no From address'
          : `DMARC was not evaluated: the message has ${addresses.length} From addresses`,
    };
  }
  const raw = response.status.result;
  const result: DmarcResult =
    raw === 'pass' || raw === 'fail' || raw === 'none' || raw === 'temperror' ? raw : 'permerror';
  const policy = result === 'none' || result === 'temperror' ? null : policyOf(response.policy);
  const explanations: Record<DmarcResult, string> = {
    pass: 'SPF or DKIM passed for a domain aligned with the From domain',
    fail: 'neither SPF nor DKIM passed for a domain aligned with the From domain',
    none: `no DMARC record applies to ${fromDomain}`,
    temperror: `the DMARC record of ${fromDomain} could not be read: ${response.error ?? 'DNS error'}`,
    permerror: 'the DMARC record could not be used',
  };
  return {
    result,
    policy,
    domain: fromDomain,
    record: response.rr ?? null,
    pct: typeof response.pct === 'number' ? response.pct : null,
    alignment: {
      spf: response.alignment?.spf.result || null,
      dkim: response.alignment?.dkim.result || null,
    },
    disposition: dispositionOf(result, policy),
    explanation: explanations[result],
  };
}

function arcOf(response: ARCResult): MessageAnalysis['arc'] {
  const chain = (response as ARCResult & { chain?: unknown[] | false }).chain;
  const raw = response.status.result;
  return {
    result: raw === 'pass' || raw === 'fail' ? raw : 'none',
    chainLength: Array.isArray(chain) ? chain.length : 0,
    explanation: response.status.comment ?? null,
  };
}

function validIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  const value = ip.trim();
  if (isIP(value) === 0) {
    throw invalidMessage(
      `Invalid client IP "${ip}": give an IPv4 or IPv6 address such as 203.0.113.5`,
      { ip },
    );
  }
  return value;
}

/**
 * Analyzes one raw message as a receiver would. It verifies every DKIM signature and the ARC
 * chain with mailauth, and evaluates SPF for the client IP with `evaluateSpf`, the evaluation of
 * the `spf` command. It applies the From domain's DMARC policy, lists the Received hops, detects
 * the sending method and explains the result. Every DNS query goes through `resolver`.
 *
 * mailauth's `authenticate()` would evaluate SPF itself without the RFC 7208 rules that
 * `evaluateSpf` adds, so this calls its parts (dkimVerify, arc, dmarc) in the same order.
 *
 * Throws AppError 400 `invalid_message` for an empty message, one without header fields or
 * without a header section end in its first MAX_HEADER_BYTES, or an invalid `ip`, and 413
 * `message_too_large` above MAX_MESSAGE_BYTES.
 */
export async function analyzeMessage(
  raw: Buffer,
  options: AnalyzeOptions,
): Promise<MessageAnalysis> {
  checkLimits(raw);
  const givenIp = validIp(options.ip);
  const now = options.now ?? (() => new Date());
  const analyzedAt = now();
  const { resolver, platform } = options;

  const verified = await dkimVerify(raw, {
    resolver,
    curTime: analyzedAt,
    ...(options.sender ? { sender: options.sender } : {}),
  });
  const parsed = (verified.headers?.parsed ?? []) as unknown as HeaderLine[];
  const headers = parsed.filter(isHeaderField);
  if (headers.length === 0) {
    throw invalidMessage(
      'The message has no header fields: paste the whole message as received, starting at its first header line (such as Received: or From:)',
    );
  }

  const addresses = verified.headerFrom;
  const fromAddress = addresses.length === 1 ? (addresses[0] ?? null) : null;
  const fromDomain = fromAddress ? domainOf(fromAddress) : null;

  const hops = parseHops(
    headers.filter((h) => h.key === 'received').map((h) => h.line.toString('utf8')),
  );
  const hop = givenIp ? null : clientHop(hops);
  const ip = givenIp ?? hop?.ip ?? null;
  const helo = options.helo ?? hop?.helo ?? null;
  let ipSource: MessageAnalysis['envelope']['ipSource'] = 'none';
  if (givenIp) ipSource = 'given';
  else if (hop) ipSource = 'received';
  const nullReturnPath = headers.some(
    (h) => h.key === 'return-path' && fieldValue(h).replace(/\s+/g, '') === '<>',
  );
  const { sender, senderSource } = envelopeSender(
    options.sender,
    nullReturnPath ? null : verified.envelopeFrom,
    fromAddress,
  );

  const spf = await spfOf({
    ip,
    sender,
    helo,
    resolver,
    hopNumber: hop?.hop ?? null,
    given: Boolean(givenIp),
  });
  const arcResult = await arc(verified.arc as Parameters<typeof arc>[0], { resolver });
  const dmarcResponse = fromAddress
    ? await dmarc({
        headerFrom: fromAddress,
        spfDomains: spf.result === 'pass' && spf.domain ? [spf.domain] : [],
        dkimDomains: verified.results
          .filter((result) => result.status.result === 'pass')
          .map((result) => ({
            id: result.id,
            domain: result.signingDomain,
            aligned: result.status.aligned,
            underSized: result.status.underSized,
          })),
        arcResult,
        resolver,
      } as Parameters<typeof dmarc>[0])
    : false;
  const dmarcSummary = dmarcOf(dmarcResponse, fromDomain, addresses);
  const adkim = dmarcResponse && dmarcResponse.alignment?.dkim.strict ? 's' : 'r';
  const aspf = dmarcResponse && dmarcResponse.alignment?.spf.strict ? 's' : 'r';
  spf.aligned = Boolean(fromDomain && spf.domain && isAligned(spf.domain, fromDomain, aspf));

  const verifiedSignatures = new Set(
    verified.results.map((result) => (result as { signature?: string }).signature ?? ''),
  );
  const dkim: DkimSignature[] = [
    ...dkimSignatures(verified.results, fromDomain, adkim),
    ...skippedSignatures(
      headers.filter((h) => h.key === 'dkim-signature').map(fieldValue),
      verifiedSignatures,
    ),
  ];
  const method = detectMethod(
    {
      fromDomain,
      envelopeSender: sender,
      clientIp: ip,
      dkim,
      headerNames: new Set(headers.map((h) => h.key)),
      receivedHosts: hops.flatMap((h) =>
        [h.helo, h.by].filter((name): name is string => Boolean(name)),
      ),
    },
    platform,
  );
  const findings = {
    from: { address: fromAddress, domain: fromDomain, addresses },
    envelope: {
      sender,
      senderSource,
      ip,
      ipSource,
      ipHop: hop?.hop ?? null,
      helo,
    },
    spf,
    dkim,
    dmarc: dmarcSummary,
    arc: arcOf(arcResult),
    hops: hops.map(({ helo: _helo, envelopeFrom: _envelopeFrom, ...rest }) => rest),
    method,
  };
  return {
    analyzedAt: analyzedAt.toISOString(),
    ...findings,
    diagnosis: diagnose(findings, platform),
  };
}

/**
 * Chooses the envelope sender: the given one, else Return-Path, else From. `returnPath` is null
 * for `Return-Path: <>` (a bounce), whose sender stays null so that SPF checks the HELO name.
 */
function envelopeSender(
  given: string | undefined,
  returnPath: string | false | null,
  fromAddress: string | null,
): { sender: string | null; senderSource: MessageAnalysis['envelope']['senderSource'] } {
  if (given) return { sender: given, senderSource: 'given' };
  if (returnPath === null) return { sender: null, senderSource: 'return-path' };
  if (returnPath) return { sender: returnPath, senderSource: 'return-path' };
  if (fromAddress) return { sender: fromAddress, senderSource: 'from' };
  return { sender: null, senderSource: 'none' };
}

async function spfOf(input: {
  ip: string | null;
  sender: string | null;
  helo: string | null;
  resolver: Resolver;
  hopNumber: number | null;
  given: boolean;
}): Promise<MessageAnalysis['spf']> {
  const { ip, helo, resolver } = input;
  if (!ip) {
    return {
      evaluated: false,
      result: null,
      domain: null,
      aligned: false,
      explanation:
        'SPF was not evaluated: no Received field names a public client IP and none was given. Give the IP the receiver saw (the Client IP field, --ip, or ip in the request) to evaluate it.',
    };
  }
  // RFC 7208 2.4: with an empty MAIL FROM (a bounce), SPF checks postmaster@ the HELO name.
  const sender = input.sender ?? (helo ? `postmaster@${helo}` : null);
  if (!sender) {
    return {
      evaluated: false,
      result: null,
      domain: null,
      aligned: false,
      explanation: `SPF was not evaluated for ${ip}: there is no envelope sender (an empty Return-Path, as a bounce has, or none at all), so SPF checks the HELO name, and no Received field gives one; give it with --helo, or helo in the request`,
    };
  }
  const evaluation = await evaluateSpf({ ip, sender, ...(helo ? { helo } : {}), resolver });
  const source = input.given ? 'the given client IP' : `the client IP of hop ${input.hopNumber}`;
  return {
    evaluated: true,
    result: evaluation.result,
    domain: evaluation.domain,
    aligned: false,
    explanation: `${evaluation.result} for ${ip} (${source}) against ${evaluation.domain}${evaluation.explanation ? `: ${evaluation.explanation}` : ''}`,
  };
}
