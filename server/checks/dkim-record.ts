import { createPublicKey } from 'node:crypto';
import { finding } from './findings.js';
import type { DkimSelectorReport, Finding } from './types.js';

export type DkimKeyAssessment = Pick<DkimSelectorReport, 'status' | 'keyType' | 'keyBits'> & {
  findings: Finding[];
};

// RFC 8301 3.2: verifiers MUST NOT accept RSA keys under 1024 bits; signers SHOULD use 2048.
const MIN_RSA_BITS = 1024;
const GOOD_RSA_BITS = 2048;
// RFC 6376 3.3 and RFC 8463: the hash algorithms a verifier may accept.
const KNOWN_HASHES = new Set(['sha1', 'sha256']);

/**
 * Parses a DKIM tag-list (RFC 6376 3.2): `tag=value` pairs separated by ";", white space
 * around each part ignored. Returns null when a tag name occurs twice, which makes the whole
 * tag-list invalid.
 */
export function parseTagList(text: string): Map<string, string> | null {
  const tags = new Map<string, string>();
  for (const part of text.split(';')) {
    if (part.trim() === '') {
      continue;
    }
    const equals = part.indexOf('=');
    const name = (equals < 0 ? part : part.slice(0, equals)).trim();
    const value = equals < 0 ? '' : part.slice(equals + 1).trim();
    if (tags.has(name)) {
      return null;
    }
    tags.set(name, value);
  }
  return tags;
}

/** Validates a DKIM key record (RFC 6376 3.6.1) and measures its key (RFC 8301). */
export function assessDkimRecord(record: string, name: string): DkimKeyAssessment {
  const invalid = (code: string, message: string, fix?: string): DkimKeyAssessment => ({
    status: 'invalid',
    findings: [finding(code, 'error', `${name}: ${message}`, fix)],
  });
  const tags = parseTagList(record);
  if (!tags) {
    return invalid(
      'dkim.duplicate_tag',
      'a tag appears twice, so the whole key record is invalid (RFC 6376 3.2).',
      'Publish the record with each tag once.',
    );
  }
  const version = tags.get('v');
  if (version !== undefined && (version !== 'DKIM1' || [...tags.keys()][0] !== 'v')) {
    return invalid(
      'dkim.invalid_version',
      `"v=${version}" must be "v=DKIM1" and come first (RFC 6376 3.6.1).`,
    );
  }
  const hashProblem = checkHashList(tags.get('h'), name);
  if (hashProblem) {
    return hashProblem;
  }
  const services = tags.get('s');
  if (
    services !== undefined &&
    !services.split(':').some((item) => ['*', 'email'].includes(item.trim()))
  ) {
    return invalid(
      'dkim.invalid_service',
      `"s=${services}" excludes email, so the key cannot verify mail (RFC 6376 3.6.1).`,
    );
  }
  const publicKey = tags.get('p');
  if (publicKey === undefined) {
    return invalid('dkim.missing_key', 'the record has no "p=" tag.');
  }
  // RFC 6376 3.6.1: an empty p= means the key has been revoked.
  const base64 = publicKey.replace(/\s+/g, '');
  if (base64 === '') {
    return {
      status: 'revoked',
      findings: [
        finding(
          'dkim.revoked',
          'warning',
          `${name}: the key is revoked (empty "p="), so signatures with this selector fail.`,
        ),
      ],
    };
  }
  const keyType = (tags.get('k') ?? 'rsa').toLowerCase();
  const assessment =
    keyType === 'ed25519' ? assessEd25519(base64, name) : assessRsa(keyType, base64, name);
  if (assessment.status === 'valid') {
    assessment.findings.push(...noteFlags(tags, name));
  }
  return assessment;
}

/** Notes the t= flags (RFC 6376 3.6.1) and a hash list that still allows SHA-1 (RFC 8301). */
function noteFlags(tags: Map<string, string>, name: string): Finding[] {
  const findings: Finding[] = [];
  const flags = (tags.get('t') ?? '').split(':').map((flag) => flag.trim());
  if (flags.includes('y')) {
    findings.push(
      finding(
        'dkim.testing',
        'warning',
        `${name}: "t=y" marks the domain as testing DKIM, so verifiers may treat its signatures as unsigned mail (RFC 6376 3.6.1).`,
        'Remove "t=y" once signing works.',
      ),
    );
  }
  if (flags.includes('s')) {
    findings.push(
      finding(
        'dkim.strict_subdomains',
        'info',
        `${name}: "t=s" requires the i= domain of a signature to equal its d= domain, so signatures with an i= in a subdomain fail (RFC 6376 3.6.1).`,
      ),
    );
  }
  const hashes = tags
    .get('h')
    ?.split(':')
    .map((item) => item.trim().toLowerCase());
  if (hashes?.includes('sha1')) {
    const only = !hashes.includes('sha256');
    findings.push(
      finding(
        'dkim.sha1_hash',
        'warning',
        `${name}: "h=${tags.get('h')}" allows SHA-1, which RFC 8301 3.1 forbids for signing and verifying` +
          (only
            ? '; with no sha256 listed, verifiers that follow RFC 8301 verify no signature.'
            : '.'),
        'Use "h=sha256", or remove the h= tag.',
      ),
    );
  }
  return findings;
}

function checkHashList(hashes: string | undefined, name: string): DkimKeyAssessment | undefined {
  if (hashes === undefined) {
    return undefined;
  }
  const listed = hashes.split(':').map((item) => item.trim().toLowerCase());
  // RFC 6376 3.6.1: unknown algorithms are ignored, so a list with none known allows nothing.
  if (listed.some((item) => KNOWN_HASHES.has(item))) {
    return undefined;
  }
  const meant = listed.map((item) => item.replace(/^(rsa|ed25519)-/, '')).join(':');
  return {
    status: 'invalid',
    findings: [
      finding(
        'dkim.invalid_hash_list',
        'error',
        `${name}: "h=${hashes}" names no hash algorithm a verifier knows (h= takes hash names such as sha256, not signing algorithms), so no signature can verify.`,
        `Change "h=${hashes}" to "h=${KNOWN_HASHES.has(meant) ? meant : 'sha256'}", or remove the h= tag.`,
      ),
    ],
  };
}

function assessRsa(keyType: string, base64: string, name: string): DkimKeyAssessment {
  if (keyType !== 'rsa') {
    return {
      status: 'invalid',
      findings: [
        finding(
          'dkim.unknown_key_type',
          'error',
          `${name}: key type "k=${keyType}" is unknown (RFC 6376 3.6.1 defines rsa; RFC 8463 adds ed25519).`,
        ),
      ],
    };
  }
  const bits = rsaModulusBits(base64);
  if (bits === undefined) {
    return {
      status: 'invalid',
      keyType: 'rsa',
      findings: [
        finding(
          'dkim.invalid_key',
          'error',
          `${name}: "p=" is not a valid base64 RSA public key.`,
          'Copy the key again from the sending service; a character was probably lost.',
        ),
      ],
    };
  }
  if (bits < MIN_RSA_BITS) {
    return {
      status: 'invalid',
      keyType: 'rsa',
      keyBits: bits,
      findings: [
        finding(
          'dkim.key_too_short',
          'error',
          `${name}: the RSA key has ${bits} bits; receivers reject keys under ${MIN_RSA_BITS} bits (RFC 8301 3.2).`,
          `Generate a ${GOOD_RSA_BITS}-bit key and publish it.`,
        ),
      ],
    };
  }
  const findings: Finding[] = [];
  if (bits < GOOD_RSA_BITS) {
    findings.push(
      finding(
        'dkim.key_weak',
        'warning',
        `${name}: the RSA key has ${bits} bits; RFC 8301 3.2 says signers SHOULD use ${GOOD_RSA_BITS}.`,
        `Rotate to a ${GOOD_RSA_BITS}-bit key.`,
      ),
    );
  }
  return { status: 'valid', keyType: 'rsa', keyBits: bits, findings };
}

function assessEd25519(base64: string, name: string): DkimKeyAssessment {
  // RFC 8463 4.2: p= contains the raw 32-byte public key, not an SPKI structure.
  const key = Buffer.from(base64, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || key.length !== 32) {
    return {
      status: 'invalid',
      keyType: 'ed25519',
      findings: [
        finding(
          'dkim.invalid_key',
          'error',
          `${name}: an ed25519 key must be 32 bytes, got ${key.length}.`,
        ),
      ],
    };
  }
  return { status: 'valid', keyType: 'ed25519', keyBits: 256, findings: [] };
}

function rsaModulusBits(base64: string): number | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    return undefined;
  }
  const der = Buffer.from(base64, 'base64');
  // RFC 6376 3.6.1 requires SubjectPublicKeyInfo; some publishers use a bare RSAPublicKey.
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      if (key.asymmetricKeyType === 'rsa') {
        return key.asymmetricKeyDetails?.modulusLength;
      }
    } catch {
      // Try the next encoding.
    }
  }
  return undefined;
}
