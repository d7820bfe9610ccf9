import { z } from 'zod';
import type { Store, UserRecord } from '../../db/types.js';
import type { Principal } from '../access/principal.js';
import { AppError } from '../errors.js';
import { parseInput } from '../validation.js';
import { dummyHash, MIN_PASSWORD_LENGTH, verifyPassword } from './passwords.js';
import { API_TOKEN_PREFIX, hashToken, newToken } from './tokens.js';

export interface AuthDeps {
  store: Store;
  now: () => number;
  /** Lifetime of a session from its login, in milliseconds. */
  sessionTtlMs: number;
  loginAttemptsPer15Minutes: number;
  domainChecksPerMinute: number;
  /** Mark the session cookie Secure even on plain HTTP requests (behind a TLS proxy). */
  secureCookies: boolean;
}

export const loginSchema = z.strictObject({
  email: z.email('must be an email address'),
  password: z.string().min(1, 'is required').max(1024),
});

export const passwordSchema = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must have at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1024);

export function principalOfUser(user: UserRecord): Principal {
  return {
    kind: 'user',
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    accountIds: user.accountIds,
  };
}

/**
 * Checks the credentials and opens a new session: every login gets a new
 * token, so a token seen before the login is worthless after it. Returns
 * the token, which is stored only as its hash.
 */
export async function login(
  deps: AuthDeps,
  input: unknown,
): Promise<{ token: string; user: UserRecord; expiresAt: number }> {
  const { email, password } = parseInput(loginSchema, input, 'login');
  const user = deps.store.users.findByEmail(email);
  const valid = await verifyPassword(password, user?.passwordHash ?? (await dummyHash()));
  if (!user || !valid || user.disabledAt !== null) {
    throw new AppError(401, 'invalid_credentials', 'The email or password is wrong');
  }
  const token = newToken();
  const now = deps.now();
  const expiresAt = now + deps.sessionTtlMs;
  deps.store.sessions.create(hashToken(token), user.id, now, expiresAt);
  return { token, user, expiresAt };
}

export function logout(deps: AuthDeps, sessionToken: string): void {
  const session = deps.store.sessions.findLive(hashToken(sessionToken), deps.now());
  if (session) deps.store.sessions.revoke(session.id, deps.now());
}

export interface Authenticated {
  principal: Principal;
  sessionExpiresAt?: number;
}

/** Resolves a session cookie or a bearer token to its principal, or null when neither is live. */
export function authenticate(
  deps: AuthDeps,
  credentials: { sessionToken?: string; bearerToken?: string },
): Authenticated | null {
  const now = deps.now();
  // An Authorization header means token authentication: it never falls back to the cookie.
  if (credentials.bearerToken !== undefined) {
    if (!credentials.bearerToken.startsWith(API_TOKEN_PREFIX)) return null;
    const token = deps.store.tokens.findLive(hashToken(credentials.bearerToken));
    if (!token) return null;
    deps.store.tokens.touch(token.id, now);
    return { principal: { kind: 'token', tokenId: token.id, accountIds: token.accountIds } };
  }
  if (!credentials.sessionToken) return null;
  const session = deps.store.sessions.findLive(hashToken(credentials.sessionToken), now);
  if (!session) return null;
  const user = deps.store.users.get(session.userId);
  if (!user || user.disabledAt !== null) return null;
  deps.store.sessions.touch(session.id, now);
  return { principal: principalOfUser(user), sessionExpiresAt: session.expiresAt };
}

export { API_TOKEN_PREFIX };
