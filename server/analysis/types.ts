import type { DmarcResult, SpfResult } from '../checks/types.js';

/** The sending methods, and `unknown` when the headers do not tell which one sent the message. */
export type DetectedMethod = 'default' | 'smtp' | 'mandrill' | 'unknown';

/** A problem or an observation of the diagnosis, with a stable code listed in docs/analyze.md. */
export interface Cause {
  code: string;
  message: string;
}

/** One Received header field, in the order the message travelled (hop 1 is the first relay). */
export interface Hop {
  hop: number;
  /** The host that handed the message over, as it named itself and as the receiver saw it. */
  from: string | null;
  by: string | null;
  /** The protocol, such as ESMTPS or SMTP. */
  with: string | null;
  /** The client IP address the receiving server recorded, if the field names one. */
  ip: string | null;
  /** The date of the field as an ISO 8601 UTC timestamp, or null when it is missing or invalid. */
  at: string | null;
  /** Seconds since the previous hop's date; null for the first hop or a hop without a date. */
  delaySeconds: number | null;
}

export interface DkimSignature {
  domain: string;
  selector: string;
  /** The RFC 8601 result as mailauth 4.13 reports it, such as `neutral` for a body hash mismatch. */
  result: 'pass' | 'fail' | 'neutral' | 'policy' | 'temperror' | 'permerror';
  /** True when `domain` aligns with the From domain under the DMARC record's adkim mode. */
  aligned: boolean;
  /** The a= tag, such as rsa-sha256. */
  algorithm: string | null;
  keyBits?: number;
  /** The reason the signature did not pass, in words; absent when it passed. */
  reason?: string;
  /** A stable code for `reason`, the same as the matching diagnosis cause. */
  reasonCode?: string;
  signedAt: string | null;
  expiresAt: string | null;
}

export interface MessageAnalysis {
  analyzedAt: string;
  from: {
    /** The header From address; null when there is none or more than one. */
    address: string | null;
    domain: string | null;
    /** Every address in the From header fields. */
    addresses: string[];
  };
  envelope: {
    sender: string | null;
    senderSource: 'given' | 'return-path' | 'from' | 'none';
    ip: string | null;
    ipSource: 'given' | 'received' | 'none';
    /** The hop number whose Received field gave `ip`, when `ipSource` is `received`. */
    ipHop: number | null;
    helo: string | null;
  };
  spf: {
    /** False when no client IP was given or found, so no SPF result exists. */
    evaluated: boolean;
    result: SpfResult | null;
    /** The domain whose record was evaluated: the envelope sender's, else the HELO name. */
    domain: string | null;
    /** True when `domain` aligns with the From domain under the DMARC record's aspf mode. */
    aligned: boolean;
    explanation: string;
  };
  dkim: DkimSignature[];
  dmarc: {
    result: DmarcResult;
    /** The policy that applies to the From domain: p, or sp for a subdomain. */
    policy: 'none' | 'quarantine' | 'reject' | null;
    /** The From domain DMARC was evaluated for. */
    domain: string | null;
    record: string | null;
    pct: number | null;
    /** The domains that produced an aligned pass; null when none did. */
    alignment: { spf: string | null; dkim: string | null };
    /** The action of a receiver that enforces DMARC (RFC 7489 6.3 policy names). */
    disposition: 'none' | 'quarantine' | 'reject';
    explanation: string;
  };
  arc: {
    result: 'none' | 'pass' | 'fail';
    /** The number of ARC sets (i=1..n) on the message. */
    chainLength: number;
    explanation: string | null;
  };
  hops: Hop[];
  method: { method: DetectedMethod; evidence: string[] };
  diagnosis: {
    summary: string;
    /** The problems that make the message fail or put it at risk, most serious first. */
    causes: Cause[];
    /** Observations that are not faults, such as SPF not evaluated for lack of a client IP. */
    notes: Cause[];
  };
}
