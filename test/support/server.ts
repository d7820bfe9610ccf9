import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setupFirstAdmin } from '../../server/auth/users.js';
import { loadConfig } from '../../server/config.js';
import { silentLogger } from '../../server/logger.js';
import { startServer, type RunningServer, type ServerOverrides } from '../../server/main.js';

export function makeTempDir(prefix = 'deliverability-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

export type RequestFn = (
  method: string,
  urlPath: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<ApiResponse>;

export interface TestServer extends RunningServer {
  databasePath: string;
  /** Requests as the admin created at start-up. */
  request: RequestFn;
  /** Requests with a session cookie, a bearer token, or no credentials at all. */
  as(credentials: { cookie?: string; bearer?: string }): RequestFn;
  /** Logs in and returns requests with that user's session. */
  login(email: string, password: string): Promise<RequestFn>;
}

export const ADMIN = { email: 'admin@desk.example', password: 'admin-password-123' };

function requester(baseUrl: string, credentials: { cookie?: string; bearer?: string }): RequestFn {
  return async (method, urlPath, body, headers = {}) => {
    const response = await fetch(`${baseUrl}${urlPath}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(credentials.cookie ? { cookie: credentials.cookie } : {}),
        ...(credentials.bearer ? { authorization: `Bearer ${credentials.bearer}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the assertion message.
    }
    return { status: response.status, headers: response.headers, body: parsed as any };
  };
}

/** Reads the session cookie from a login response, as `name=value`. */
export function sessionCookieOf(response: ApiResponse): string {
  const header = response.headers.get('set-cookie') ?? '';
  const cookie = header.split(';')[0] ?? '';
  if (!cookie.startsWith('dd_session='))
    throw new Error(`no session cookie in ${JSON.stringify(header)}`);
  return cookie;
}

/**
 * Starts the real server on 127.0.0.1 with a fresh SQLite file, configured
 * through the same `DELIVERABILITY_*` variables as production, with an
 * admin created and logged in. Background jobs are off: tests run them
 * with `runJobsOnce`.
 */
export async function startTestServer(
  env: Record<string, string>,
  overrides: ServerOverrides = {},
): Promise<TestServer> {
  const dir = makeTempDir();
  const databasePath = env.DELIVERABILITY_DATABASE ?? path.join(dir, 'test.sqlite');
  const config = loadConfig({
    DELIVERABILITY_PORT: '0',
    DELIVERABILITY_HOST: '127.0.0.1',
    DELIVERABILITY_DATABASE: databasePath,
    DELIVERABILITY_LOG_LEVEL: 'silent',
    // Nothing in a test may reach a public resolver.
    DELIVERABILITY_DNS: '127.0.0.1:9',
    DELIVERABILITY_MANDRILL_BASE_URL: 'http://127.0.0.1:9/api/1.3',
    DELIVERABILITY_SMTP_ALLOW: '127.0.0.1',
    ...env,
  });
  const server = await startServer(config, { logger: silentLogger(), jobs: false, ...overrides });
  const { store } = server.services;
  if (store.users.count() === 0) {
    await setupFirstAdmin(store, { ...ADMIN, name: 'Admin' }, Date.now());
  }
  const login = async (email: string, password: string): Promise<RequestFn> => {
    const response = await requester(server.url, {})('POST', '/api/session', { email, password });
    if (response.status !== 200) throw new Error(`login failed: ${JSON.stringify(response.body)}`);
    return requester(server.url, { cookie: sessionCookieOf(response) });
  };
  const request = await login(ADMIN.email, ADMIN.password);
  return {
    ...server,
    databasePath,
    request,
    as: (credentials) => requester(server.url, credentials),
    login,
  };
}
