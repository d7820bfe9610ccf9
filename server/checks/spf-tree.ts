import type { Resolver } from '../dns/types.js';
import { errorCode, isVoidError, joinTxt } from './dns-errors.js';
import { finding } from './findings.js';
import { countLookup, countVoid } from './spf-limits.js';
import type { LimitCounters } from './spf-limits.js';
import { lintPublishing } from './spf-publish.js';
import { hasMacro, isSpfRecord, mergeSpfRecords, parseSpfRecord } from './spf-record.js';
import type { SpfMechanism, SpfTerm } from './spf-record.js';
import { at, lintTerms } from './spf-terms.js';
import type { RecordRole } from './spf-terms.js';
import type { SpfNode } from './types.js';

// RFC 7208 4.6.4: an "mx" term may resolve at most 10 MX names.
const MAX_MX_NAMES = 10;
// Walking stops past this many DNS-querying terms, far beyond the limit of 10, so that a
// record with runaway includes cannot make the check send hundreds of queries.
const MAX_WALKED_LOOKUPS = 60;

export interface FetchedSpf {
  records: string[];
  /** TXT records that look like a misspelt SPF record (`v=spfl`, `v=spf 1`, `spf1`), which receivers ignore. */
  lookalikes: string[];
  /** The character-strings of each record in `records`, as published. */
  strings: string[][];
  /** True when the TXT query returned NXDOMAIN or no answers: a void lookup. */
  isVoid: boolean;
  /** The DNS error code when the query failed for another reason. */
  tempError?: string;
}

export interface WalkState extends LimitCounters {
  resolver: Resolver;
  permerror: boolean;
  temperror: boolean;
  /** Every include and redirect target met in the tree, lower case. */
  targets: Set<string>;
}

type Role = RecordRole;

/** Fetches the TXT records of `domain` and keeps those that are SPF records (RFC 7208 4.5). */
export async function fetchSpf(resolver: Resolver, domain: string): Promise<FetchedSpf> {
  try {
    const answer: unknown = await resolver(domain, 'TXT');
    const all = Array.isArray(answer) ? answer.map(toStrings) : [];
    const strings = all.filter((chunks) => isSpfRecord(chunks.join('')));
    const lookalikes = joinTxt(all).filter((text) => !isSpfRecord(text) && looksLikeSpf(text));
    return { records: joinTxt(strings), strings, lookalikes, isVoid: false };
  } catch (error) {
    if (isVoidError(error)) {
      return { records: [], strings: [], lookalikes: [], isVoid: true };
    }
    return { records: [], strings: [], lookalikes: [], isVoid: false, tempError: errorCode(error) };
  }
}

// The start of a record meant as SPF: `v=spf1`, `v=spfl`, `v = spf1`, `spf1`.
const SPF_LOOKALIKE = /^"?(v ?= ?)?spf ?[1il] ?/i;

/**
 * True for a TXT record that was meant as SPF but does not start with exactly `v=spf1` and a
 * space: `v=spfl`, `v=spf 1`, `v= spf1`, `spf1 ...`, `v=spf1include:...`. SPF2.0 (Sender ID)
 * records are a different, retired protocol and are not counted.
 */
function looksLikeSpf(text: string): boolean {
  const head = text.trim().toLowerCase();
  if (head.startsWith('spf2.0')) return false;
  return SPF_LOOKALIKE.test(head) && /all|include:|ip4:|ip6:|mx|a:/.test(head);
}

function lookalikeFinding(domain: string, lookalike: string): ReturnType<typeof finding> {
  return finding(
    'spf.malformed_version',
    'error',
    `${domain} publishes "${lookalike}", which receivers do not read as SPF: an SPF record starts with exactly "v=spf1" and a space (RFC 7208 4.5).`,
    `Correct the start of the record: TXT ${domain} "${lookalike.trim().replace(SPF_LOOKALIKE, 'v=spf1 ')}"`,
  );
}

function toStrings(chunks: unknown): string[] {
  return Array.isArray(chunks) ? chunks.map(String) : [String(chunks)];
}

/**
 * Builds the node for `domain` from its fetched TXT records and walks every include and
 * redirect below it, counting the DNS-querying terms and void lookups of each node.
 */
export async function walkSpfNode(
  domain: string,
  fetched: FetchedSpf,
  state: WalkState,
  path: string[],
  role: Role,
  position?: number,
): Promise<SpfNode> {
  const node = await buildNode(domain, fetched, state, path, role, position);
  node.runningLookups = state.walkedLookups;
  node.runningVoidLookups = state.walkedVoidLookups;
  return node;
}

async function buildNode(
  domain: string,
  fetched: FetchedSpf,
  state: WalkState,
  path: string[],
  role: Role,
  position: number | undefined,
): Promise<SpfNode> {
  const node: SpfNode = {
    domain,
    record: fetched.records[0] ?? null,
    lookups: 0,
    voidLookups: 0,
    children: [],
    findings: [],
  };
  if (role !== 'top') {
    node.via = role;
  }
  if (position !== undefined) {
    node.position = position;
  }
  if (fetched.tempError) {
    state.temperror = true;
    node.findings.push(
      finding(
        'spf.temperror',
        'error',
        `The TXT lookup of ${domain} failed (${fetched.tempError}); receivers return temperror.`,
      ),
    );
    return node;
  }
  if (fetched.records.length === 0) {
    for (const lookalike of fetched.lookalikes) {
      node.findings.push(at(lookalikeFinding(domain, lookalike), position));
    }
    if (role !== 'top') {
      state.permerror = true;
      node.findings.push(at(missingTargetFinding(domain, role, fetched.isVoid), position));
    }
    return node;
  }
  if (fetched.records.length > 1) {
    state.permerror = true;
    node.record = fetched.records.join(' | ');
    node.findings.push(at(multipleRecordsFinding(domain, fetched.records), position));
    return node;
  }
  node.findings.push(...lintPublishing(fetched.strings[0] ?? [], domain));
  await walkRecord(node, fetched.records[0] ?? '', state, path, role);
  return node;
}

function missingTargetFinding(
  domain: string,
  role: Role,
  isVoid: boolean,
): ReturnType<typeof finding> {
  const cause = isVoid
    ? 'the name does not exist or has no TXT records'
    : 'none of its TXT records starts with "v=spf1"';
  // RFC 7208 5.2 (include) and 6.1 (redirect): a target without an SPF record is permerror.
  return finding(
    role === 'include' ? 'spf.include_without_spf' : 'spf.redirect_without_spf',
    'error',
    `The ${role} target ${domain} has no SPF record (${cause}), so receivers return permerror.`,
    `Publish an SPF record at ${domain} or remove the ${role} term that points to it.`,
  );
}

function multipleRecordsFinding(domain: string, records: string[]): ReturnType<typeof finding> {
  return finding(
    'spf.multiple_records',
    'error',
    `${domain} publishes ${records.length} SPF records; receivers return permerror when there is more than one (RFC 7208 4.5).`,
    `Replace them with one record: TXT ${domain} "${mergeSpfRecords(records, domain)}"`,
  );
}

async function walkRecord(
  node: SpfNode,
  record: string,
  state: WalkState,
  path: string[],
  role: Role,
): Promise<void> {
  const parsed = parseSpfRecord(record, node.domain);
  node.findings.push(...parsed.findings);
  if (!parsed.valid) {
    state.permerror = true;
  }
  const allIndex = parsed.terms.findIndex(
    (term) => term.kind === 'mechanism' && term.name === 'all',
  );
  // RFC 7208 5.1: terms after "all" are never evaluated, so they cause no lookups.
  const evaluated = allIndex >= 0 ? parsed.terms.slice(0, allIndex + 1) : parsed.terms;
  lintTerms(node, parsed.terms, role);
  prefetchTerms(evaluated, node.domain, state.resolver);

  for (const term of evaluated) {
    if (term.kind === 'mechanism') {
      await walkMechanism(node, term, state, path);
    }
  }
  const redirect = parsed.terms.find(
    (term) => term.kind === 'modifier' && term.name === 'redirect',
  );
  // RFC 7208 6.1: redirect is used only when no mechanism matches, so "all" makes it dead.
  if (redirect && redirect.kind === 'modifier' && allIndex < 0) {
    await followTarget(node, redirect.value, 'redirect', state, path, redirect.position);
  }
}

/** The queries a term's evaluation makes, as [name, type] pairs. */
function termQueries(term: SpfTerm, domain: string): [string, string][] {
  if (term.kind === 'modifier') {
    return term.name === 'redirect' && !hasMacro(term.value) ? [[term.value, 'TXT']] : [];
  }
  const target = term.domain ?? domain;
  if (hasMacro(target)) return [];
  switch (term.name) {
    case 'include':
      return [[target, 'TXT']];
    case 'a':
      return [
        [target, 'A'],
        [target, 'AAAA'],
      ];
    case 'mx':
      return [[target, 'MX']];
    case 'exists':
      return [[target, 'A']];
    default:
      return [];
  }
}

/**
 * Starts every query the record's terms will make at once. The walk below
 * still goes term by term, so lookups are counted in evaluation order, but
 * the resolver's in-flight de-duplication turns its waits into one round
 * trip instead of one per term. Failures are left for the walk to report.
 */
function prefetchTerms(terms: SpfTerm[], domain: string, resolver: Resolver): void {
  for (const term of terms) {
    for (const [name, type] of termQueries(term, domain)) {
      resolver(name, type).catch(() => undefined);
    }
  }
}

async function walkMechanism(
  node: SpfNode,
  term: SpfMechanism,
  state: WalkState,
  path: string[],
): Promise<void> {
  switch (term.name) {
    case 'include':
      await followTarget(node, term.domain ?? '', 'include', state, path, term.position, term.raw);
      return;
    case 'a':
      countLookup(node, state, term);
      await lookupAddresses(node, term, state);
      return;
    case 'mx':
      countLookup(node, state, term);
      await lookupMx(node, term, state);
      return;
    case 'exists':
      countLookup(node, state, term);
      if (term.domain && hasMacro(term.domain)) {
        macroNotChecked(node, term.raw, term.position);
      } else if (term.domain) {
        await lookupVoid(node, term, term.domain, 'A', state);
      }
      return;
    case 'ptr':
      // The PTR query depends on the client IP, so only the lookup itself is counted here.
      countLookup(node, state, term);
      return;
    default:
      return;
  }
}

async function followTarget(
  node: SpfNode,
  spec: string,
  role: 'include' | 'redirect',
  state: WalkState,
  path: string[],
  position: number,
  raw = `${role}=${spec}`,
): Promise<void> {
  const term = { raw, position };
  countLookup(node, state, term);
  if (hasMacro(spec)) {
    macroNotChecked(node, raw, position);
    return;
  }
  const target = spec.toLowerCase().replace(/\.$/, '');
  state.targets.add(target);
  if (path.includes(target)) {
    state.permerror = true;
    const loop = [...path, target].join(' -> ');
    node.children.push({
      domain: target,
      record: null,
      via: role,
      position,
      lookups: 0,
      voidLookups: 0,
      runningLookups: state.walkedLookups,
      runningVoidLookups: state.walkedVoidLookups,
      children: [],
      findings: [
        at(
          finding(
            'spf.include_loop',
            'error',
            `SPF ${role} loop: ${loop}. Receivers return permerror.`,
            `Remove the ${role} of ${target} from ${node.domain}.`,
          ),
          position,
        ),
      ],
    });
    return;
  }
  if (state.walkedLookups > MAX_WALKED_LOOKUPS) {
    node.findings.push(
      finding(
        'spf.walk_stopped',
        'info',
        `Stopped walking at ${target}: the tree already needs over ${MAX_WALKED_LOOKUPS} lookups.`,
      ),
    );
    return;
  }
  const fetched = await fetchSpf(state.resolver, target);
  if (fetched.isVoid) {
    countVoid(node, state, term);
  }
  node.children.push(await walkSpfNode(target, fetched, state, [...path, target], role, position));
}

/**
 * Notes a term whose name is built from the message (RFC 7208 7: the sender, its IP, the
 * HELO name). No check without a message can resolve it. Receivers do, and each such query
 * still counts toward the limits.
 */
function macroNotChecked(node: SpfNode, raw: string, position: number): void {
  node.findings.push(
    at(
      finding(
        'spf.macro_not_expanded',
        'info',
        `${node.domain}: "${raw}" depends on the sender, so its target was not checked; receivers look it up for each message, and it counts toward the 10 lookups.`,
      ),
      position,
    ),
  );
}

async function lookupAddresses(node: SpfNode, term: SpfMechanism, state: WalkState): Promise<void> {
  const spec = term.domain ?? node.domain;
  if (hasMacro(spec)) {
    macroNotChecked(node, term.raw, term.position);
    return;
  }
  const results = await Promise.allSettled([
    state.resolver(spec, 'A'),
    state.resolver(spec, 'AAAA'),
  ]);
  const errors = results.map((result) =>
    result.status === 'rejected' ? result.reason : undefined,
  );
  // Empty A and AAAA answers for one "a" term are one void lookup, not two.
  if (errors.every((error) => error !== undefined && isVoidError(error))) {
    countVoid(node, state, term);
    return;
  }
  const failure = errors.find((error) => error !== undefined && !isVoidError(error));
  if (failure !== undefined) {
    reportTempError(node, spec, 'A/AAAA', failure, state);
  }
}

async function lookupMx(node: SpfNode, term: SpfMechanism, state: WalkState): Promise<void> {
  const name = term.domain ?? node.domain;
  if (hasMacro(name)) {
    macroNotChecked(node, term.raw, term.position);
    return;
  }
  try {
    const answer = (await state.resolver(name, 'MX')) as unknown[];
    if (answer.length > MAX_MX_NAMES) {
      state.permerror = true;
      node.findings.push(
        at(
          finding(
            'spf.mx_too_many_records',
            'error',
            `${node.domain}: "${term.raw}" resolves ${answer.length} MX names; RFC 7208 4.6.4 allows at most ${MAX_MX_NAMES}, so receivers return permerror.`,
            'Replace the mx term with ip4:/ip6: ranges of the servers that send mail.',
          ),
          term.position,
        ),
      );
    }
  } catch (error) {
    if (isVoidError(error)) {
      countVoid(node, state, term);
    } else {
      reportTempError(node, name, 'MX', error, state);
    }
  }
}

async function lookupVoid(
  node: SpfNode,
  term: SpfMechanism,
  name: string,
  type: string,
  state: WalkState,
): Promise<void> {
  try {
    await state.resolver(name, type);
  } catch (error) {
    if (isVoidError(error)) {
      countVoid(node, state, term);
    } else {
      reportTempError(node, name, type, error, state);
    }
  }
}

function reportTempError(
  node: SpfNode,
  name: string,
  type: string,
  error: unknown,
  state: WalkState,
): void {
  state.temperror = true;
  node.findings.push(
    finding(
      'spf.temperror',
      'error',
      `The ${type} lookup of ${name} failed (${errorCode(error)}); receivers return temperror.`,
    ),
  );
}
