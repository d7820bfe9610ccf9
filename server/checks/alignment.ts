import { getDomain } from 'tldts';

/**
 * Returns the organizational domain (RFC 7489 3.2) by the Public Suffix List, private
 * suffixes included as mailauth does, or the name itself when it is a suffix.
 */
export function organizationalDomain(domain: string): string {
  const name = normalizeDomain(domain);
  return getDomain(name, { allowPrivateDomains: true }) ?? name;
}

/** True when `identifier` aligns with the From domain: same name (strict) or same org domain (relaxed), RFC 7489 3.1. */
export function isAligned(identifier: string | null, fromDomain: string, mode: 'r' | 's'): boolean {
  if (!identifier) {
    return false;
  }
  const a = normalizeDomain(identifier);
  const b = normalizeDomain(fromDomain);
  return mode === 's' ? a === b : organizationalDomain(a) === organizationalDomain(b);
}

export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

/** Returns the domain of an address, or the value itself when it has no "@". */
export function domainOf(address: string): string {
  return normalizeDomain(address.slice(address.lastIndexOf('@') + 1));
}
