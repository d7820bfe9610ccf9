import type { DKIMResult } from 'mailauth';
import { isAligned } from '../checks/alignment.js';
import type { DkimSignature } from './types.js';

/** mailauth's per-signature result, with the fields its type declarations leave out. */
type VerifiedSignature = DKIMResult & {
  signature?: string;
  algo?: string;
  signTime?: string | null;
  expiresAfter?: string | null;
  modulusLength?: number;
};

interface Reason {
  code: string;
  text: string;
}

/** mailauth 4.13's status comments (lib/dkim/dkim-verifier.js) mapped to stable codes. */
const COMMENT_REASONS: Record<string, Reason> = {
  'body hash did not verify': {
    code: 'dkim.body_hash_mismatch',
    text: 'body hash did not verify: the body changed after it was signed',
  },
  'bad signature': {
    code: 'dkim.bad_signature',
    text: 'signature did not verify with the published key: the headers changed after signing, or the key in DNS is not the one that signed',
  },
  'no key': { code: 'dkim.key_missing', text: 'key not found in DNS' },
  'invalid public key': {
    code: 'dkim.key_invalid',
    text: 'the key record has no usable p= value (revoked or malformed)',
  },
  'unknown key version': {
    code: 'dkim.key_invalid',
    text: 'the key record has an unknown v= version',
  },
  'unknown key type': {
    code: 'dkim.key_invalid',
    text: 'the key record has a key type that does not match the signature',
  },
  expired: { code: 'dkim.expired', text: 'signature expired (its x= date has passed)' },
  'invalid expiration': {
    code: 'dkim.expired',
    text: 'signature expiration (x=) is before its signing time (t=)',
  },
};

function reasonOf(status: VerifiedSignature['status']): Reason | undefined {
  if (status.result === 'pass') return undefined;
  if (status.result === 'policy' && status.policy?.['dkim-rules'] === 'weak-key') {
    return { code: 'dkim.key_too_short', text: 'the RSA key is shorter than 1024 bits' };
  }
  if (status.result === 'temperror') {
    return {
      code: 'dkim.temperror',
      text: `the key lookup failed: ${status.comment ?? 'DNS error'}`,
    };
  }
  const comment = status.comment ?? '';
  return (
    COMMENT_REASONS[comment] ?? {
      code: 'dkim.invalid',
      text: comment || `verification gave ${status.result}`,
    }
  );
}

const RESULTS = new Set<DkimSignature['result']>([
  'pass',
  'fail',
  'neutral',
  'policy',
  'temperror',
  'permerror',
]);

/** Turns mailauth's verified signatures into the analysis's list, aligned against `fromDomain`. */
export function dkimSignatures(
  results: DKIMResult[],
  fromDomain: string | null,
  adkim: 'r' | 's',
): DkimSignature[] {
  return (results as VerifiedSignature[])
    .filter((result) => Boolean(result.signingDomain))
    .map((result) => {
      const reason = reasonOf(result.status);
      const raw = result.status.result as DkimSignature['result'];
      const signature: DkimSignature = {
        domain: result.signingDomain,
        selector: result.selector ?? '',
        result: RESULTS.has(raw) ? raw : 'permerror',
        aligned: fromDomain ? isAligned(result.signingDomain, fromDomain, adkim) : false,
        algorithm: result.algo ?? null,
        signedAt: result.signTime ?? null,
        expiresAt: result.expiresAfter ?? null,
      };
      if (result.modulusLength) signature.keyBits = result.modulusLength;
      if (reason) {
        signature.reason = reason.text;
        signature.reasonCode = reason.code;
      }
      return signature;
    });
}

function tag(value: string, name: string): string | null {
  const match = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*([^;]*)`, 'i').exec(value);
  return match?.[1]?.replace(/\s+/g, '') || null;
}

/**
 * Lists the DKIM-Signature fields that mailauth skipped without a result: those missing d= or
 * s=, or naming an algorithm or canonicalization it does not support. `verified` contains the b=
 * values of the signatures mailauth did evaluate.
 */
export function skippedSignatures(fieldValues: string[], verified: Set<string>): DkimSignature[] {
  const skipped: DkimSignature[] = [];
  for (const value of fieldValues) {
    const b = tag(value, 'b');
    if (b && verified.has(b)) continue;
    skipped.push({
      domain: tag(value, 'd') ?? '',
      selector: tag(value, 's') ?? '',
      result: 'permerror',
      aligned: false,
      algorithm: tag(value, 'a'),
      reason:
        'the signature was not evaluated: it lacks d= or s=, or names an algorithm or canonicalization that DKIM does not define',
      reasonCode: 'dkim.unsupported',
      signedAt: null,
      expiresAt: null,
    });
  }
  return skipped;
}
