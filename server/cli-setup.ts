import { Writable } from 'node:stream';
import { createInterface } from 'node:readline/promises';
import { openStore } from '../db/index.js';
import { setupFirstAdmin } from './auth/users.js';
import { loadConfig } from './config.js';

/** Reads the password: one line from a pipe, or typed at a terminal without echo. */
async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) process.stdout.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  const answer = rl.question('Password for the first admin: ');
  muted = true;
  const password = await answer;
  rl.close();
  process.stdout.write('\n');
  return password;
}

/** Creates the first admin in the configured database; refused once any user exists. */
export async function setup(options: { email: string; name?: string }): Promise<void> {
  const config = loadConfig();
  const store = openStore(config.databasePath);
  try {
    const password = await readPassword();
    const user = await setupFirstAdmin(
      store,
      { email: options.email, name: options.name ?? options.email, password },
      Date.now(),
    );
    process.stdout.write(`Created admin ${user.email}. Log in at the dashboard.\n`);
  } finally {
    store.close();
  }
}
