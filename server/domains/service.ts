import { isIP } from 'node:net';
import { z } from 'zod';
import { checkDomain } from '../checks/index.js';
import type { DomainCheck, PlatformIdentity } from '../checks/types.js';
import type { Resolver } from '../dns/types.js';
import { parseInput } from '../validation.js';

export interface DomainCheckDeps {
  /** Returns a fresh resolver per check run, so each name is asked once per run. */
  createResolver: () => Resolver;
  platform: PlatformIdentity;
}

/** A domain name, lower-cased and without a trailing dot. */
export const domainName = z
  .string()
  .trim()
  .toLowerCase()
  .transform((value) => value.replace(/\.$/, ''))
  .pipe(
    z
      .string()
      .regex(
        /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)+$/,
        'must be a domain name such as example.com (use punycode, xn--, for non-ASCII names)',
      )
      .refine((value) => !isIP(value), 'must be a domain name, not an IP address'),
  );

export const checkRequestSchema = z.object({
  domain: domainName,
  smtpHost: domainName.optional(),
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
  });
}
