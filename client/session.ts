// Calls of the session routes. They use requestJson, not getJson, so their 401 responses (no
// session yet, wrong password) never count as a session that ended.

import { ApiError, requestJson } from './api.js';
import type { Session, SetupStatus } from './types.js';

/**
 * Returns the current session, or null when the server returns 401 because there is none. A
 * session whose user no longer exists comes back with `user: null` and also counts as none.
 */
export async function fetchSession(): Promise<Session | null> {
  try {
    const session = (await requestJson('GET', '/api/session')) as Partial<Session> | null;
    return session?.user ? (session as Session) : null;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** Logs in. Throws ApiError with code `invalid_credentials` (401) or `rate_limited` (429). */
export async function createSession(email: string, password: string): Promise<Session> {
  return (await requestJson('POST', '/api/session', { body: { email, password } })) as Session;
}

/** Logs out. A 401 means the session had already ended, which counts as logged out. */
export async function deleteSession(): Promise<void> {
  try {
    await requestJson('DELETE', '/api/session');
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
    throw error;
  }
}

export async function fetchSetupStatus(): Promise<SetupStatus> {
  return (await requestJson('GET', '/api/setup')) as SetupStatus;
}
