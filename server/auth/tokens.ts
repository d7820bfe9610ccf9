import { createHash, randomBytes } from 'node:crypto';

/** API tokens start with this, so a leaked one is easy to recognize in code or logs. */
export const API_TOKEN_PREFIX = 'ddt_';

/** A session or API token: 32 random bytes, base64url. Only its hash is stored. */
export function newToken(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** SHA-256 is enough here: the token has 256 bits of entropy, so it cannot be guessed from its hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
