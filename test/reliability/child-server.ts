import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../server/paths.js';
import { sessionCookieOf } from '../support/server.js';

const cli = path.join(repoRoot, 'dist', 'server', 'cli.js');

export interface ChildServer {
  child: ChildProcess;
  url: string;
}

/**
 * Runs `deliverability serve` as its own process on a free port, so that
 * SIGKILL stops it as a crash would. Resolves with the URL it prints.
 */
export function serveChild(env: NodeJS.ProcessEnv): Promise<ChildServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving the dashboard on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${output}`));
    });
  });
}

/** Creates the first admin with `deliverability setup`, the password given on standard input. */
export function setupAdmin(env: NodeJS.ProcessEnv, email: string, password: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'setup', '--email', email], { env });
    child.stdin.end(`${password}\n`);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`setup exited with ${code}`)),
    );
  });
}

/** Logs in and returns the session cookie as `name=value`. */
export async function loginCookie(url: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${url}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  return sessionCookieOf({ status: response.status, headers: response.headers, body: null });
}

/** Resolves once the child has exited, at once if it already has. */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}
