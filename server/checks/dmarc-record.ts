import {
  checkEnumTags,
  checkUnknownTags,
  readFailureOptions,
  readReportInterval,
  readReportUris,
  readTestingFlag,
} from './dmarc-tags.js';
import type { ReportUri } from './dmarc-tags.js';
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
  ruf: string[];
  /** The rua and ruf entries with their mailto addresses, for the external destination check. */
  reportUris: { tag: 'rua' | 'ruf'; entry: ReportUri }[];
  /** fo (RFC 7489 6.3), default `['0']`. */
  failureOptions: string[];
  /** ri in seconds (RFC 7489 6.3), default 86400. */
  reportInterval: number;
  /** np, the DMARCbis policy for non-existent subdomains; null when absent or invalid. */
  nonexistentPolicy: DmarcPolicy | null;
  /** t=y, the DMARCbis test mode. */
  testing: boolean;
  findings: Finding[];
}

interface TagList {
  tags: Map<string, string>;
  order: string[];
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
  const { tags, order } = readTagList(text, name, findings);

  const rua = splitUris(tags.get('rua'));
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

  const reportUris = [
    ...readReportUris('rua', tags.get('rua'), name, findings).map((entry) => ({
      tag: 'rua' as const,
      entry,
    })),
    ...readReportUris('ruf', tags.get('ruf'), name, findings).map((entry) => ({
      tag: 'ruf' as const,
      entry,
    })),
  ];
  const ruf = splitUris(tags.get('ruf'));
  checkEnumTags(tags, name, findings);
  checkUnknownTags(order, name, findings);
  return {
    valid,
    policy,
    subdomainPolicy,
    pct: readPct(tags.get('pct'), name, findings),
    adkim: readAlignment('adkim', tags.get('adkim'), name, findings),
    aspf: readAlignment('aspf', tags.get('aspf'), name, findings),
    rua,
    ruf,
    reportUris,
    failureOptions: readFailureOptions(tags.get('fo'), ruf.length > 0, name, findings),
    reportInterval: readReportInterval(tags.get('ri'), name, findings),
    nonexistentPolicy: readNonexistentPolicy(tags.get('np'), name, findings),
    testing: readTestingFlag(tags.get('t'), name, findings),
    findings,
  };
}

/**
 * Splits the record into tags (RFC 7489 6.4 `dmarc-record`). Tag names are read in lower case;
 * the first of duplicate tags wins, and parts that are not `name=value` are reported.
 */
function readTagList(text: string, name: string, findings: Finding[]): TagList {
  const tags = new Map<string, string>();
  const order: string[] = [];
  let upperCaseTags = false;
  for (const part of text.split(';')) {
    const match = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(part);
    if (!match) {
      if (part.trim() !== '') {
        findings.push(syntaxFinding(name, part.trim()));
      }
      continue;
    }
    const rawName = match[1] ?? '';
    const tagName = rawName.toLowerCase();
    upperCaseTags ||= rawName !== tagName;
    if (tags.has(tagName)) {
      findings.push(duplicateFinding(name, tagName));
      continue;
    }
    tags.set(tagName, match[2] ?? '');
    order.push(tagName);
  }
  if (upperCaseTags) {
    findings.push(upperCaseFinding(name));
  }
  return { tags, order };
}

function splitUris(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((uri) => uri.trim())
    .filter((uri) => uri !== '');
}

function syntaxFinding(name: string, part: string): Finding {
  return finding(
    'dmarc.invalid_tag_syntax',
    'warning',
    `${name}: "${part}" is not a tag=value pair, so receivers ignore it or discard the record (RFC 7489 6.4).`,
    'Separate tags with ";" and write each as name=value, such as "p=reject".',
  );
}

function duplicateFinding(name: string, tag: string): Finding {
  // RFC 7489 6.3 adopts DKIM's tag-value syntax, and RFC 6376 3.2 makes a tag list with a
  // duplicate tag invalid as a whole. Lenient receivers read the first occurrence, as we do.
  return finding(
    'dmarc.duplicate_tag',
    'warning',
    `${name}: "${tag}=" appears more than once. We read the first one, but receivers that follow RFC 6376 3.2 discard the whole record.`,
    `Keep one "${tag}=" tag.`,
  );
}

function readNonexistentPolicy(
  value: string | undefined,
  name: string,
  findings: Finding[],
): DmarcPolicy | null {
  if (value === undefined) {
    return null;
  }
  const policy = readPolicy(value);
  findings.push(
    policy === null
      ? finding(
          'dmarc.invalid_np',
          'warning',
          `${name}: "np=${value}" is not none, quarantine or reject, so receivers that implement DMARCbis use sp instead.`,
        )
      : finding(
          'dmarc.np_dmarcbis',
          'info',
          `${name}: "np=${policy}" is the policy for subdomains that do not exist. It comes from the DMARCbis draft, so receivers that implement only RFC 7489 ignore it and apply sp.`,
        ),
  );
  return policy;
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
