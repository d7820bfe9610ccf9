import net from 'node:net';
import { finding } from './findings.js';
import type { SpfMechanism, SpfTerm } from './spf-record.js';
import type { Finding, SpfNode } from './types.js';

/** How the record was reached, which decides whether a missing `all` matters. */
export type RecordRole = 'top' | 'include' | 'redirect';

/**
 * Lints the terms of one parsed record for what is valid but risky or dead: a redirect beside
 * `all`, terms after `all`, `ptr`, permissive `all`, networks that cover every address and a
 * missing `all`. Each finding carries the position of the term it is about.
 */
export function lintTerms(node: SpfNode, terms: SpfTerm[], role: RecordRole): void {
  const allIndex = terms.findIndex((term) => term.kind === 'mechanism' && term.name === 'all');
  const all = allIndex >= 0 ? (terms[allIndex] as SpfMechanism) : undefined;
  const redirect = terms.find((term) => term.kind === 'modifier' && term.name === 'redirect');
  if (all && redirect) {
    node.findings.push(redirectIgnored(node.domain, redirect.raw, all.raw, redirect.position));
  }
  const afterAll = all
    ? terms.slice(allIndex + 1).find((term) => term.kind === 'mechanism')
    : undefined;
  if (all && afterAll) {
    node.findings.push(
      at(
        finding(
          'spf.terms_after_all',
          'warning',
          `${node.domain}: mechanisms after "${all.raw}" are never evaluated (RFC 7208 5.1).`,
        ),
        afterAll.position,
      ),
    );
  }
  for (const term of terms) {
    if (term.kind === 'mechanism') {
      lintMechanism(node, term);
    }
  }
  if (all) {
    lintAll(node, all);
  } else if (!redirect && role !== 'include') {
    node.findings.push(missingAll(node.domain));
  }
}

function lintMechanism(node: SpfNode, term: SpfMechanism): void {
  if (term.name === 'ptr') {
    node.findings.push(
      at(
        finding(
          'spf.ptr',
          'warning',
          `${node.domain}: "${term.raw}" is slow and unreliable, RFC 7208 5.5 says it SHOULD NOT be used, and some receivers ignore it.`,
          'Replace ptr with ip4:/ip6: ranges or an include of the sending service.',
        ),
        term.position,
      ),
    );
  }
  if (
    (term.name === 'ip4' || term.name === 'ip6') &&
    term.qualifier === '+' &&
    coversEverything(term)
  ) {
    node.findings.push(
      at(
        finding(
          'spf.allows_everyone',
          'error',
          `${node.domain}: "${term.raw}" matches every IPv${term.name === 'ip4' ? 4 : 6} address, so any server on the internet passes SPF for this domain.`,
          `Replace "${term.raw}" with the networks of the servers that send your mail.`,
        ),
        term.position,
      ),
    );
  }
}

/** True for a `/0` network: `ip4:0.0.0.0/0`, `ip6:::/0` or any address with prefix length 0. */
export function coversEverything(term: SpfMechanism): boolean {
  const match = /^[+~?-]?ip[46]:(.+)\/0$/i.exec(term.raw);
  return match !== null && net.isIP(match[1] ?? '') !== 0;
}

function lintAll(node: SpfNode, all: SpfMechanism): void {
  if (all.qualifier === '+') {
    node.findings.push(
      at(
        finding(
          'spf.pass_all',
          'warning',
          `${node.domain}: "${all.raw}" lets every server on the internet pass SPF for this domain.`,
          'End the record with ~all or -all.',
        ),
        all.position,
      ),
    );
  } else if (all.qualifier === '?') {
    node.findings.push(
      at(
        finding(
          'spf.neutral_all',
          'warning',
          `${node.domain}: "${all.raw}" gives unlisted servers neutral, which protects nothing.`,
          'End the record with ~all or -all.',
        ),
        all.position,
      ),
    );
  }
}

function redirectIgnored(domain: string, redirect: string, all: string, position: number): Finding {
  return at(
    finding(
      'spf.redirect_ignored',
      'warning',
      `${domain}: "${redirect}" is never used because the record has "${all}" (RFC 7208 6.1); ` +
        `mail from servers not listed in the record gets the "${all}" result.`,
      'Remove the "all" term to use the redirect, or remove the redirect.',
    ),
    position,
  );
}

function missingAll(domain: string): Finding {
  // RFC 7208 4.7: with no match and no redirect the result is neutral, the same as "?all".
  return finding(
    'spf.missing_all',
    'warning',
    `${domain}: the record has no "all" term and no redirect, so servers it does not list get neutral (RFC 7208 4.7), which protects nothing.`,
    'End the record with ~all or -all.',
  );
}

/** Returns `item` with the 1-based term position attached. */
export function at(item: Finding, position: number | undefined): Finding {
  return position === undefined ? item : { ...item, position };
}
