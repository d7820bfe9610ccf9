import { domainOf, isAligned, normalizeDomain } from '../checks/alignment.js';
import { MANDRILL } from '../checks/providers.js';
import type { PlatformIdentity } from '../checks/types.js';
import type { DetectedMethod, DkimSignature } from './types.js';

/** The identities in a message that show who sent it. */
export interface SenderTraces {
  fromDomain: string | null;
  envelopeSender: string | null;
  clientIp: string | null;
  dkim: DkimSignature[];
  /** Lower-case names of every header field in the message. */
  headerNames: Set<string>;
  /** The hosts named in the Received fields' from- and by-parts. */
  receivedHosts: string[];
}

// Mandrill adds X-Mandrill-User to every message and X-MC-User to some.
const MANDRILL_HEADERS = ['x-mandrill-user', 'x-mc-user'];
const MANDRILL_HOSTS = /(^|\.)(mandrillapp\.com|mcsv\.net|mcdlv\.net)\.?$/i;

function isMandrillDomain(domain: string): boolean {
  return isAligned(domain, MANDRILL.envelopeDomain, 'r');
}

function mandrillEvidence(traces: SenderTraces): string[] {
  const evidence: string[] = [];
  for (const name of MANDRILL_HEADERS) {
    if (traces.headerNames.has(name)) evidence.push(`the message has Mandrill's ${name} header`);
  }
  for (const signature of traces.dkim) {
    if (isMandrillDomain(signature.domain)) {
      evidence.push(`a DKIM signature is from Mandrill's domain ${signature.domain}`);
    }
  }
  if (traces.envelopeSender && isMandrillDomain(domainOf(traces.envelopeSender))) {
    evidence.push(`the envelope sender ${traces.envelopeSender} is at Mandrill's bounce domain`);
  }
  const host = traces.receivedHosts.find((name) => MANDRILL_HOSTS.test(name));
  if (host) evidence.push(`a Received field names Mandrill's server ${host}`);
  return evidence;
}

function platformEvidence(traces: SenderTraces, platform: PlatformIdentity): string[] {
  const evidence: string[] = [];
  const dkimDomain = normalizeDomain(platform.dkimDomain);
  for (const signature of traces.dkim) {
    if (normalizeDomain(signature.domain) === dkimDomain) {
      evidence.push(`a DKIM signature is from the platform's DKIM domain ${signature.domain}`);
    }
  }
  if (
    traces.envelopeSender &&
    domainOf(traces.envelopeSender) === normalizeDomain(platform.envelopeDomain)
  ) {
    evidence.push(
      `the envelope sender ${traces.envelopeSender} is at the platform's return-path domain`,
    );
  }
  if (traces.fromDomain && traces.fromDomain === domainOf(platform.fromAddress)) {
    evidence.push(`the From domain is the platform's shared sending domain ${traces.fromDomain}`);
  }
  if (traces.clientIp && platform.relayIps.includes(traces.clientIp)) {
    evidence.push(`the client IP ${traces.clientIp} is one of the platform relay's addresses`);
  }
  return evidence;
}

/**
 * Decides which sending method sent the message. Mandrill's headers, DKIM domain, return path
 * or servers mean `mandrill`. The platform's DKIM domain, return-path domain, From domain or
 * relay IPs mean `default`. A message with neither is `smtp`, and one with both, or with no
 * sender identity at all, is `unknown`.
 */
export function detectMethod(
  traces: SenderTraces,
  platform: PlatformIdentity,
): { method: DetectedMethod; evidence: string[] } {
  const mandrill = mandrillEvidence(traces);
  const platformTraces = platformEvidence(traces, platform);
  if (mandrill.length > 0 && platformTraces.length > 0) {
    return { method: 'unknown', evidence: [...mandrill, ...platformTraces] };
  }
  if (mandrill.length > 0) return { method: 'mandrill', evidence: mandrill };
  if (platformTraces.length > 0) return { method: 'default', evidence: platformTraces };
  if (!traces.fromDomain && traces.dkim.length === 0 && !traces.envelopeSender) {
    return {
      method: 'unknown',
      evidence: ['the message has no From, DKIM signature or envelope sender'],
    };
  }
  const evidence = ['no trace of the platform relay or of Mandrill'];
  const own = traces.dkim.find(
    (signature) => traces.fromDomain && isAligned(signature.domain, traces.fromDomain, 'r'),
  );
  if (own) evidence.push(`a DKIM signature is from the From domain's own ${own.domain}`);
  return { method: 'smtp', evidence };
}
