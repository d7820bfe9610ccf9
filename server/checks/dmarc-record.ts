import { finding } from './findings.js';
import type { Finding } from './types.js';

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

export interface ParsedDmarc {
  /** False when receivers apply no DMARC processing with this record (RFC 7489 6.6.3). */
  valid: boolean;
  policy: DmarcPolicy | null;
  subdomainPolicy: DmarcPolicy | null;
  pct: number;
  adkim: 'r' | 's';
  aspf: 'r' | 's';
  rua: string[];
  findings: Finding[];
}

const POLICIES: DmarcPolicy[] = ['none', 'quarantine', 'reject'];

/**
 * True when a TXT string starts with the DMARC version tag. RFC 7489 6.4 writes the tag name
 * as an ABNF string, which RFC 5234 2.3 makes case-insensitive, and allows white space around
 * "=". It writes the value `DMARC1` in hexadecimal, so the value must be upper case.
 */
export function isDmarcRecord(text: string): boolean {
  return /^[vV]\s*=\s*DMARC1\s*(;|$)/.test(text.trim());
}

/** True for a record that was meant as DMARC but that receivers discard, such as `v=dmarc1`. */
export function isNearDmarcRecord(text: string): boolean {
  return /^v\s*=\s*dmarc/i.test(text.trim()) && !isDmarcRecord(text);
}

/** Parses a DMARC record (RFC 7489 6.3, 6.4) found at `name`, tolerating case and spacing. */
export function parseDmarcRecord(text: string, name: string): ParsedDmarc {
  const findings: Finding[] = [];
  const tags = new Map<string, string>();
  const order: string[] = [];
  let upperCaseTags = false;
  for (const part of text.split(';')) {
    const match = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(part);
    if (!match) {
      continue;
    }
    const rawName = match[1] ?? '';
    const tagName = rawName.toLowerCase();
    upperCaseTags ||= rawName !== tagName;
    if (!tags.has(tagName)) {
      tags.set(tagName, match[2] ?? '');
      order.push(tagName);
    }
  }
  if (upperCaseTags) {
    findings.push(upperCaseFinding(name));
  }

  const rua = (tags.get('rua') ?? '')
    .split(',')
    .map((uri) => uri.trim())
    .filter((uri) => uri !== '');
  const validRua = rua.filter((uri) => /^[a-z][a-z0-9+.-]*:\S+$/i.test(uri));
  let policy = readPolicy(tags.get('p'));
  const sp = tags.get('sp');
  let subdomainPolicy = sp === undefined ? policy : readPolicy(sp);
  let valid = true;

  if (policy === null || (sp !== undefined && subdomainPolicy === null)) {
    // RFC 7489 6.6.3: a bad p or sp reads as p=none when rua has a valid URI; else no DMARC.
    const bad = policy === null ? `p=${tags.get('p') ?? '(missing)'}` : `sp=${sp}`;
    valid = validRua.length > 0;
    policy = valid ? (policy ?? 'none') : null;
    subdomainPolicy = valid ? (subdomainPolicy ?? 'none') : null;
    findings.push(
      finding(
        'dmarc.invalid_policy',
        'error',
        `${name}: "${bad}" is not none, quarantine or reject, so receivers ` +
          (valid ? 'treat the record as p=none.' : 'apply no DMARC policy.'),
        `TXT ${name} "v=DMARC1; p=none; rua=mailto:dmarc-reports@${name.replace(/^_dmarc\./, '')}"`,
      ),
    );
  } else if (order[1] !== 'p') {
    findings.push(
      finding(
        'dmarc.tag_order',
        'info',
        `${name}: "p=" should follow "v=DMARC1" directly (RFC 7489 6.3).`,
      ),
    );
  }

  return {
    valid,
    policy,
    subdomainPolicy,
    pct: readPct(tags.get('pct'), name, findings),
    adkim: readAlignment('adkim', tags.get('adkim'), name, findings),
    aspf: readAlignment('aspf', tags.get('aspf'), name, findings),
    rua,
    findings,
  };
}

function upperCaseFinding(name: string): Finding {
  return finding(
    'dmarc.uppercase_tag',
    'warning',
    `${name}: tag names are written in upper case (such as "V=" or "P="). We read them as lower case, ` +
      'because RFC 7489 6.4 writes tag names as ABNF strings and RFC 5234 2.3 makes those ' +
      "case-insensitive. But RFC 7489 6.3 also adopts DKIM's tag-value syntax, whose tag names " +
      'are case-sensitive (RFC 6376 3.2), so a strict receiver may ignore the record.',
    'Write every tag name in lower case, as in "v=DMARC1; p=reject".',
  );
}

function readPolicy(value: string | undefined): DmarcPolicy | null {
  const lower = value?.toLowerCase();
  return POLICIES.find((policy) => policy === lower) ?? null;
}

function readPct(value: string | undefined, name: string, findings: Finding[]): number {
  if (value === undefined) {
    return 100;
  }
  const pct = /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(pct) || pct > 100) {
    findings.push(
      finding(
        'dmarc.invalid_pct',
        'warning',
        `${name}: "pct=${value}" is not a whole number from 0 to 100, so receivers use 100.`,
      ),
    );
    return 100;
  }
  if (pct < 100) {
    findings.push(
      finding(
        'dmarc.partial_pct',
        'info',
        `${name}: "pct=${pct}" applies the policy to ${pct}% of failing mail; the rest gets the next milder policy (RFC 7489 6.6.4).`,
      ),
    );
  }
  return pct;
}

function readAlignment(
  tag: 'adkim' | 'aspf',
  value: string | undefined,
  name: string,
  findings: Finding[],
): 'r' | 's' {
  const lower = value?.toLowerCase();
  if (lower === undefined || lower === 'r' || lower === 's') {
    return lower ?? 'r';
  }
  findings.push(
    finding(
      'dmarc.invalid_alignment',
      'warning',
      `${name}: "${tag}=${value}" is not r or s, so receivers use relaxed alignment.`,
    ),
  );
  return 'r';
}
