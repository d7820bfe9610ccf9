import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config.js';
import { silentLogger } from '../../server/logger.js';
import { startServer, type RunningServer, type ServerOverrides } from '../../server/main.js';

export function makeTempDir(prefix = 'deliverability-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TestServer extends RunningServer {
  databasePath: string;
  request(method: string, urlPath: string, body?: unknown): Promise<{ status: number; body: any }>;
}

/**
 * Starts the real server on 127.0.0.1 with a fresh SQLite file, configured
 * through the same `DELIVERABILITY_*` variables as production. Background
 * jobs are off: tests run them with `runJobsOnce`.
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
    ...env,
  });
  const server = await startServer(config, { logger: silentLogger(), jobs: false, ...overrides });
  const request = async (method: string, urlPath: string, body?: unknown) => {
    const response = await fetch(`${server.url}${urlPath}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: keep the text for the assertion message.
    }
    return { status: response.status, body: parsed as any };
  };
  return { ...server, databasePath, request };
}
