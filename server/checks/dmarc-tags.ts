import { finding } from './findings.js';
import type { Finding } from './types.js';

/** One rua or ruf entry (RFC 7489 6.2 `dmarc-uri`), as published and as understood. */
export interface ReportUri {
  /** The entry as published, size limit included, such as `mailto:a@example.com!10m`. */
  uri: string;
  /** The address of a mailto URI, lower-cased; null for other schemes and invalid entries. */
  address: string | null;
  /** The domain of `address`; null when there is no address. */
  domain: string | null;
}

/** The tags of RFC 7489 6.3 and of the DMARCbis drafts (`np`, `t`, `psd`). */
const KNOWN_TAGS = new Set([
  'v',
  'p',
  'sp',
  'np',
  'adkim',
  'aspf',
  'fo',
  'rua',
  'ruf',
  'pct',
  'ri',
  'rf',
  't',
  'psd',
]);

// RFC 7489 6.3 fo: "0", "1", "d" and "s", separated by ":".
const FAILURE_OPTIONS = new Set(['0', '1', 'd', 's']);
// RFC 7489 6.3 ri is a 32-bit unsigned integer number of seconds.
const MAX_RI = 4294967295;
// RFC 7489 6.2: `URI [ "!" 1*DIGIT [ "k" / "m" / "g" / "t" ] ]`.
const SIZE_SUFFIX = /!\d+[kmgt]?$/i;
const URI_SCHEME = /^([a-z][a-z0-9+.-]*):(.+)$/i;
const MAILBOX = /^[^\s@]+@((?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63})$/i;

/**
 * Parses and validates the rua or ruf list (RFC 7489 6.2, 6.3). RFC 7489 6.2 requires receivers
 * to support only mailto, so other schemes draw a warning.
 */
export function readReportUris(
  tag: 'rua' | 'ruf',
  value: string | undefined,
  name: string,
  findings: Finding[],
): ReportUri[] {
  if (value === undefined) {
    return [];
  }
  const entries = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) {
    findings.push(invalidUri(tag, value, name, 'lists no URI'));
  }
  return entries.map((entry) => readReportUri(tag, entry, name, findings));
}

function readReportUri(
  tag: 'rua' | 'ruf',
  entry: string,
  name: string,
  findings: Finding[],
): ReportUri {
  const withoutSize = entry.replace(SIZE_SUFFIX, '');
  const invalid: ReportUri = { uri: entry, address: null, domain: null };
  const match = URI_SCHEME.exec(withoutSize);
  if (!match || withoutSize.includes('!')) {
    findings.push(invalidUri(tag, entry, name, 'is not a URI with an optional size limit'));
    return invalid;
  }
  const scheme = (match[1] ?? '').toLowerCase();
  if (scheme !== 'mailto') {
    findings.push(
      finding(
        'dmarc.unsupported_report_uri',
        'warning',
        `${name}: "${tag}=${entry}" uses the ${scheme}: scheme. RFC 7489 6.2 requires receivers to support only mailto:, so receivers may send no reports to it.`,
        `Use a mailto: address, such as ${tag}=mailto:dmarc-reports@${name.replace(/^_dmarc\./, '')}.`,
      ),
    );
    return invalid;
  }
  const address = decodeMailbox((match[2] ?? '').split('?')[0] ?? '');
  const mailbox = address === null ? null : MAILBOX.exec(address);
  if (!mailbox || address === null) {
    findings.push(invalidUri(tag, entry, name, 'does not contain one email address'));
    return invalid;
  }
  return { uri: entry, address: address.toLowerCase(), domain: (mailbox[1] ?? '').toLowerCase() };
}

function decodeMailbox(text: string): string | null {
  try {
    return decodeURIComponent(text);
  } catch {
    return null;
  }
}

function invalidUri(tag: string, entry: string, name: string, problem: string): Finding {
  return finding(
    'dmarc.invalid_report_uri',
    'warning',
    `${name}: "${tag}=${entry}" ${problem}, so receivers send no reports to it (RFC 7489 6.2).`,
    `Write ${tag} as comma-separated mailto: URIs, such as ${tag}=mailto:dmarc-reports@${name.replace(/^_dmarc\./, '')}!10m (the size limit is optional).`,
  );
}

/** Validates fo (RFC 7489 6.3) and returns its options, or the default `['0']` when invalid. */
export function readFailureOptions(
  value: string | undefined,
  hasRuf: boolean,
  name: string,
  findings: Finding[],
): string[] {
  if (value === undefined) {
    return ['0'];
  }
  const options = value.split(':').map((option) => option.trim().toLowerCase());
  if (options.some((option) => !FAILURE_OPTIONS.has(option))) {
    findings.push(
      finding(
        'dmarc.invalid_fo',
        'warning',
        `${name}: "fo=${value}" is not a colon-separated list of 0, 1, d and s, so receivers use fo=0.`,
        'Write fo=1 to ask for a failure report when any check fails, or leave fo out.',
      ),
    );
    return ['0'];
  }
  if (!hasRuf) {
    findings.push(
      finding(
        'dmarc.fo_without_ruf',
        'info',
        `${name}: "fo=${value}" has no effect without ruf, because fo selects which failure reports are sent to the ruf addresses (RFC 7489 6.3).`,
      ),
    );
  }
  return options;
}

/** Validates ri (RFC 7489 6.3) and returns the interval in seconds, default 86400. */
export function readReportInterval(
  value: string | undefined,
  name: string,
  findings: Finding[],
): number {
  if (value === undefined) {
    return 86400;
  }
  const interval = /^\d{1,10}$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(interval) || interval > MAX_RI) {
    findings.push(
      finding(
        'dmarc.invalid_ri',
        'warning',
        `${name}: "ri=${value}" is not a whole number of seconds, so receivers use 86400 (one day).`,
        'Write ri=86400 or leave ri out.',
      ),
    );
    return 86400;
  }
  return interval;
}

/**
 * Validates t, the DMARCbis test mode flag (`y` or `n`, default `n`). RFC 7489 has no t tag,
 * so receivers that implement only RFC 7489 ignore it.
 */
export function readTestingFlag(
  value: string | undefined,
  name: string,
  findings: Finding[],
): boolean {
  const lower = value?.toLowerCase();
  if (lower === undefined || lower === 'n') {
    return false;
  }
  if (lower === 'y') {
    findings.push(
      finding(
        'dmarc.testing_mode',
        'info',
        `${name}: "t=y" marks the policy as in test, so receivers that implement DMARCbis apply a milder policy than p (DMARCbis draft). Receivers that implement only RFC 7489 ignore t.`,
      ),
    );
    return true;
  }
  findings.push(
    finding(
      'dmarc.invalid_t',
      'warning',
      `${name}: "t=${value}" is not y or n, so receivers that implement DMARCbis use t=n.`,
    ),
  );
  return false;
}

/** Warns about rf values other than afrf (RFC 7489 6.3) and psd values other than y, n, u. */
export function checkEnumTags(tags: Map<string, string>, name: string, findings: Finding[]): void {
  const rf = tags.get('rf');
  if (rf !== undefined && rf.split(':').some((format) => format.trim().toLowerCase() !== 'afrf')) {
    findings.push(
      finding(
        'dmarc.invalid_rf',
        'warning',
        `${name}: "rf=${rf}" lists a failure report format other than afrf, the only one registered (RFC 7489 6.3).`,
        'Leave rf out: afrf is the default.',
      ),
    );
  }
  const psd = tags.get('psd')?.toLowerCase();
  if (psd !== undefined && !['y', 'n', 'u'].includes(psd)) {
    findings.push(
      finding(
        'dmarc.invalid_psd',
        'warning',
        `${name}: "psd=${tags.get('psd')}" is not y, n or u (DMARCbis draft), so receivers use psd=u.`,
      ),
    );
  }
}

/** Warns about each tag that neither RFC 7489 nor DMARCbis defines; RFC 7489 6.3 says to ignore them. */
export function checkUnknownTags(order: string[], name: string, findings: Finding[]): void {
  for (const tag of order.filter((item) => !KNOWN_TAGS.has(item))) {
    findings.push(
      finding(
        'dmarc.unknown_tag',
        'warning',
        `${name}: "${tag}=" is not a DMARC tag, so receivers ignore it (RFC 7489 6.3). Check it for a typo.`,
      ),
    );
  }
}
