import net from 'node:net';
import { finding } from './findings.js';
import type { Finding } from './types.js';

export type Qualifier = '+' | '-' | '~' | '?';

export type MechanismName = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

export interface SpfMechanism {
  kind: 'mechanism';
  qualifier: Qualifier;
  name: MechanismName;
  /** The domain-spec argument, when the mechanism has one. */
  domain?: string;
  raw: string;
  /** 1-based index of the term after `v=spf1`. */
  position: number;
}

export interface SpfModifier {
  kind: 'modifier';
  name: string;
  value: string;
  raw: string;
  /** 1-based index of the term after `v=spf1`. */
  position: number;
}

export type SpfTerm = SpfMechanism | SpfModifier;

export interface ParsedSpf {
  terms: SpfTerm[];
  /** False when a syntax error makes receivers return permerror (RFC 7208 4.6). */
  valid: boolean;
  findings: Finding[];
}

const MECHANISMS: MechanismName[] = ['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists'];

// Misspellings seen in published records, mapped to the mechanism meant.
const KNOWN_MISSPELLINGS: Record<string, string> = {
  ipv4: 'ip4',
  ipv6: 'ip6',
  ip: 'ip4',
  includes: 'include',
  inc: 'include',
  exist: 'exists',
};

/** True when a TXT string is an SPF record: `v=spf1` followed by a space or the end (RFC 7208 4.5). */
export function isSpfRecord(text: string): boolean {
  return /^v=spf1( |$)/i.test(text.trim());
}

/**
 * Parses one SPF record (character-strings already joined) into terms and syntax findings.
 * `domain` is the name the record was fetched from, used in messages and fixes.
 */
export function parseSpfRecord(text: string, domain: string): ParsedSpf {
  const parts = text.trim().split(/ +/).slice(1);
  const findings: Finding[] = [];
  const terms: SpfTerm[] = [];
  for (const [index, raw] of parts.entries()) {
    const term = parseTerm(raw, index + 1, domain, text, findings);
    if (term) {
      terms.push(term);
    }
  }
  checkModifiers(terms, domain, findings);
  return { terms, valid: !findings.some((item) => item.severity === 'error'), findings };
}

function parseTerm(
  raw: string,
  position: number,
  domain: string,
  record: string,
  findings: Finding[],
): SpfTerm | null {
  // RFC 7208 12: a modifier is name "=" macro-string, and a name starts with a letter.
  const modifier = /^([a-z][a-z0-9_.-]*)=(.*)$/i.exec(raw);
  if (modifier) {
    return {
      kind: 'modifier',
      name: (modifier[1] ?? '').toLowerCase(),
      value: modifier[2] ?? '',
      raw,
      position,
    };
  }
  const first = raw[0] ?? '';
  const qualifier: Qualifier = '+-~?'.includes(first) ? (first as Qualifier) : '+';
  const body = '+-~?'.includes(first) ? raw.slice(1) : raw;
  const nameMatch = /^[^:/]*/.exec(body);
  const name = (nameMatch?.[0] ?? '').toLowerCase();
  const argument = body.slice(name.length);

  if (!MECHANISMS.includes(name as MechanismName)) {
    findings.push({ ...unknownMechanism(raw, name, domain, record), position });
    return null;
  }
  const mechanism: SpfMechanism = {
    kind: 'mechanism',
    qualifier,
    name: name as MechanismName,
    raw,
    position,
  };
  const problem = validateArgument(mechanism.name, argument, mechanism);
  if (problem) {
    findings.push({
      ...finding(
        'spf.invalid_term',
        'error',
        `The SPF record of ${domain} has an invalid term "${raw}": ${problem}. Receivers return ` +
          'permerror for the whole record (RFC 7208 4.6).',
      ),
      position,
    });
  }
  return mechanism;
}

/** Mechanisms whose value is required (RFC 7208 5.3 to 5.7). */
const VALUE_REQUIRED = new Set(['ip4', 'ip6', 'include', 'exists']);

/**
 * The term `raw`, whose mechanism name `name` is unknown, with the name corrected, or
 * undefined when no mechanism is near or the near one needs a value the term lacks ("ip"
 * alone is no valid "ip4"). The name is spliced by length, because it may contain regex syntax.
 */
export function correctedTerm(raw: string, name: string): string | undefined {
  const suggestion = suggestMechanism(name.toLowerCase());
  if (!suggestion) return undefined;
  const qualifier = /^[+~?-]/.test(raw) ? raw.charAt(0) : '';
  const rest = raw.slice(qualifier.length + name.length);
  if (VALUE_REQUIRED.has(suggestion) && !rest.startsWith(':')) return undefined;
  return `${qualifier}${suggestion}${rest}`;
}

function unknownMechanism(raw: string, name: string, domain: string, record: string): Finding {
  const suggestion = suggestMechanism(name);
  const message =
    `The SPF record of ${domain} contains the unknown mechanism "${raw}", so receivers return ` +
    'permerror for the whole record (RFC 7208 4.6).' +
    (suggestion ? ` Did you mean "${suggestion}:"?` : '');
  const replacement = correctedTerm(raw, name);
  if (!replacement) return finding('spf.unknown_mechanism', 'error', message);
  // Replace the whole term (terms are separated by spaces, RFC 7208 4.6.1), not its first
  // occurrence as a substring, which may sit inside an earlier term.
  const fixed = record
    .split(/ +/)
    .map((term) => (term === raw ? replacement : term))
    .join(' ');
  return finding('spf.unknown_mechanism', 'error', message, `TXT ${domain} "${fixed.trim()}"`);
}

export function suggestMechanism(name: string): string | undefined {
  const known = Object.hasOwn(KNOWN_MISSPELLINGS, name) ? KNOWN_MISSPELLINGS[name] : undefined;
  if (known) {
    return known;
  }
  if (name.length < 3) {
    return undefined;
  }
  return MECHANISMS.find(
    (candidate) => candidate.length >= 3 && editDistance(name, candidate) <= 1,
  );
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** Returns why the argument is invalid, or undefined; stores the domain-spec on `mechanism`. */
function validateArgument(
  name: MechanismName,
  argument: string,
  mechanism: SpfMechanism,
): string | undefined {
  switch (name) {
    case 'all':
      return argument === '' ? undefined : '"all" takes no argument';
    case 'include':
    case 'exists': {
      if (!argument.startsWith(':') || argument.length === 1) {
        return `"${name}" needs a domain, as in ${name}:example.com`;
      }
      mechanism.domain = argument.slice(1);
      return isValidDomainSpec(mechanism.domain)
        ? undefined
        : `"${mechanism.domain}" is not a domain`;
    }
    case 'a':
    case 'mx':
    case 'ptr':
      return validateHostArgument(name, argument, mechanism);
    case 'ip4':
      return validateNetwork(argument, 4);
    case 'ip6':
      return validateNetwork(argument, 6);
  }
}

function validateHostArgument(
  name: MechanismName,
  argument: string,
  mechanism: SpfMechanism,
): string | undefined {
  // RFC 7208 5.3, 5.4: [ ":" domain-spec ] [ dual-cidr-length ]; ptr takes no CIDR (5.5).
  const match = /^(?::([^/]*))?(?:\/(\d+))?(?:\/\/(\d+))?$/.exec(argument);
  if (!match) {
    return `"${argument}" is not ":domain" or "/prefix"`;
  }
  const [, domain, cidr4, cidr6] = match;
  if (domain !== undefined) {
    if (!isValidDomainSpec(domain)) {
      return `"${domain}" is not a domain`;
    }
    mechanism.domain = domain;
  }
  if (name === 'ptr' && (cidr4 !== undefined || cidr6 !== undefined)) {
    return '"ptr" takes no prefix length';
  }
  if (cidr4 !== undefined && Number(cidr4) > 32) {
    return `IPv4 prefix length /${cidr4} is over 32`;
  }
  if (cidr6 !== undefined && Number(cidr6) > 128) {
    return `IPv6 prefix length //${cidr6} is over 128`;
  }
  return undefined;
}

function validateNetwork(argument: string, family: 4 | 6): string | undefined {
  const match = /^:([^/]+)(?:\/(\d+))?$/.exec(argument);
  const address = match?.[1] ?? '';
  const isFamily = family === 4 ? net.isIPv4(address) : net.isIPv6(address);
  if (!match || !isFamily) {
    return `"${argument.slice(1)}" is not an IPv${family} address or network`;
  }
  const prefix = match[2];
  const max = family === 4 ? 32 : 128;
  if (prefix !== undefined && Number(prefix) > max) {
    return `prefix length /${prefix} is over ${max}`;
  }
  return undefined;
}

/** Checks a domain-spec (RFC 7208 7.1, 12): macros are accepted, plain names need a valid top label. */
export function isValidDomainSpec(spec: string): boolean {
  if (spec.includes('%')) {
    const withoutMacros = spec.replace(/%\{[slodiphcrtv]\d*r?[.\-+,/_=]*\}|%%|%_|%-/gi, 'x');
    return !withoutMacros.includes('%') && /^[\x21-\x7e]+$/.test(withoutMacros);
  }
  return isDomainName(spec);
}

export function hasMacro(spec: string): boolean {
  return /%\{/.test(spec);
}

function isDomainName(name: string): boolean {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const labels = trimmed.split('.');
  if (labels.length < 2 || trimmed.length > 253) {
    return false;
  }
  const top = labels[labels.length - 1] ?? '';
  const labelsValid = labels.every(
    (label) => label.length > 0 && label.length <= 63 && /^[\x21-\x7e]+$/.test(label),
  );
  return (
    labelsValid &&
    /^[a-z0-9-]*[a-z][a-z0-9-]*$/i.test(top) &&
    !top.startsWith('-') &&
    !top.endsWith('-')
  );
}

function checkModifiers(terms: SpfTerm[], domain: string, findings: Finding[]): void {
  for (const name of ['redirect', 'exp']) {
    const found = terms.filter((term) => term.kind === 'modifier' && term.name === name);
    const second = found[1];
    if (second) {
      findings.push({
        ...finding(
          'spf.duplicate_modifier',
          'error',
          `The SPF record of ${domain} has "${name}=" ${found.length} times; it may appear once ` +
            '(RFC 7208 6), so receivers return permerror.',
        ),
        position: second.position,
      });
    }
    const invalid = found.find(
      (term) => term.kind === 'modifier' && !isValidDomainSpec(term.value),
    );
    if (invalid) {
      findings.push({
        ...finding(
          'spf.invalid_term',
          'error',
          `The SPF record of ${domain} has an invalid term "${invalid.raw}".`,
        ),
        position: invalid.position,
      });
    }
  }
}

/** Merges several SPF records into one: every mechanism once, then the first record's `all`. */
export function mergeSpfRecords(records: string[], domain: string): string {
  const seen = new Set<string>();
  const terms: string[] = [];
  let all: string | undefined;
  for (const record of records) {
    const parsed = parseSpfRecord(record, domain);
    for (const term of parsed.terms) {
      if (term.kind === 'mechanism' && term.name === 'all') {
        all ??= term.raw;
      } else if (term.kind === 'mechanism' && !seen.has(term.raw.toLowerCase())) {
        seen.add(term.raw.toLowerCase());
        terms.push(term.raw);
      }
    }
  }
  return ['v=spf1', ...terms, all ?? '~all'].join(' ');
}

/** Adds `include:<target>` before the `all` term of a record, or builds a new record. */
export function addInclude(record: string | null, target: string): string {
  if (!record) {
    return `v=spf1 include:${target} ~all`;
  }
  const parts = record.trim().split(/ +/);
  const allIndex = parts.findIndex((part) => /^[+~?-]?all$/i.test(part));
  const redirectIndex = parts.findIndex((part) => /^redirect=/i.test(part));
  let insertAt = parts.length;
  if (allIndex >= 0) {
    insertAt = allIndex;
  } else if (redirectIndex >= 0) {
    insertAt = redirectIndex;
  }
  parts.splice(insertAt, 0, `include:${target}`);
  return parts.join(' ');
}
