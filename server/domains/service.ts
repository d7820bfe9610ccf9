import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { checkDomain } from '../checks/index.js';
import type { RelatedOptions } from '../checks/related/types.js';
import type { DomainCheck, PlatformIdentity } from '../checks/types.js';
import type { Resolver } from '../dns/types.js';
import { parseInput } from '../validation.js';

export interface DomainCheckDeps {
  /** Returns a fresh resolver per check run, so each name is asked once per run. */
  createResolver: () => Resolver;
  platform: PlatformIdentity;
  /** Blocklist zones and the MTA-STS policy fetcher for the related checks. */
  related?: RelatedOptions;
}

// RFC 1035 2.3.4: at most 63 octets per label and 255 on the wire, which is 253 characters
// written without the trailing dot.
const MAX_NAME_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9])?$/;

/**
 * Converts a name to A-labels (RFC 5890 2.3.2.1) by UTS #46 as browsers do, so `bücher.example`
 * becomes `xn--bcher-kva.example`. ASCII names are only lower-cased, because URL host parsing
 * would also read `a/b` as `a` or `1.2` as an IPv4 address. Returns null for a name that has
 * no A-label form, including invalid `xn--` labels.
 */
function toALabels(value: string): string | null {
  const lower = value.toLowerCase();
  // eslint-disable-next-line no-control-regex
  const ascii = /^[\x00-\x7f]*$/.test(lower);
  if (ascii && !lower.split('.').some((label) => label.startsWith('xn--'))) {
    return lower;
  }
  // Only the characters of a host name may reach domainToASCII, which would otherwise cut the
  // value at "/", "?" or "#" and decode "%" escapes.
  if (/[^a-z0-9._\-\u0080-\uffff]/.test(lower) || /[\ud800-\udfff]/.test(lower)) {
    return null;
  }
  const converted = domainToASCII(lower);
  if (converted === '') {
    return null;
  }
  return ascii ? lower : converted;
}

function checkDomainSyntax(value: string, context: z.RefinementCtx): void {
  const issue = (message: string): void => {
    context.addIssue({ code: 'custom', message });
  };
  if (Buffer.byteLength(value) > MAX_NAME_LENGTH) {
    issue(
      `must be at most ${MAX_NAME_LENGTH} characters long (RFC 1035), and this name has ${value.length} in A-label form`,
    );
    return;
  }
  const long = value.split('.').find((label) => label.length > MAX_LABEL_LENGTH);
  if (long !== undefined) {
    issue(
      `each label must be at most ${MAX_LABEL_LENGTH} characters long (RFC 1035), and "${long.slice(0, 20)}..." has ${long.length}`,
    );
    return;
  }
  if (isIP(value)) {
    issue('must be a domain name, not an IP address');
    return;
  }
  const labels = value.split('.');
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    issue('must be a domain name such as example.com');
  }
}

/**
 * A domain name in A-label form, lower-cased and without a trailing dot. Internationalized
 * names are converted to A-labels before the length limits of RFC 1035 are checked.
 */
export const domainName = z
  .string()
  .trim()
  .transform((value, context) => {
    const withoutDot = value.endsWith('.') ? value.slice(0, -1) : value;
    const converted = toALabels(withoutDot);
    if (converted === null) {
      context.addIssue({
        code: 'custom',
        message: 'must be a domain name such as example.com or bücher.example',
      });
      return z.NEVER;
    }
    return converted;
  })
  .pipe(z.string().superRefine(checkDomainSyntax));

/** An SMTP host: a domain name, or an IP address, which then is the sending IP itself. */
const smtpHostName = z.union(
  [
    z
      .string()
      .trim()
      .refine((value) => isIP(value) !== 0)
      .transform((value) => value),
    domainName,
  ],
  { error: 'must be a host name such as smtp.example.com, or an IP address' },
);

export const checkRequestSchema = z.strictObject({
  domain: domainName,
  smtpHost: smtpHostName.optional(),
  selectors: z
    .string()
    .optional()
    .transform((value) =>
      value
        ? value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [],
    ),
});

/** Validates the request and runs the SPF, DKIM, DMARC and per-method checks. */
export async function runDomainCheck(deps: DomainCheckDeps, input: unknown): Promise<DomainCheck> {
  const request = parseInput(checkRequestSchema, input, 'domain check');
  return checkDomain(request.domain, {
    resolver: deps.createResolver(),
    platform: deps.platform,
    smtpHost: request.smtpHost,
    extraSelectors: request.selectors,
    related: deps.related,
  });
}
