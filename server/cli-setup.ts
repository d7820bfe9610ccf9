import { Writable } from 'node:stream';
import { createInterface } from 'node:readline/promises';
import { openStore } from '../db/index.js';
import { hashPassword } from './auth/passwords.js';
import { passwordSchema } from './auth/service.js';
import { setupFirstAdmin } from './auth/users.js';
import { AppError } from './errors.js';
import { parseInput } from './validation.js';
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
  const answer = rl.question('Password: ');
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

/**
 * Makes an existing user an active admin with a new password and ends their
 * sessions: the way back in when no admin can log in. It needs access to
 * the database file, so only an operator of the server can run it.
 */
export async function resetAdmin(options: { email: string }): Promise<void> {
  const config = loadConfig();
  const store = openStore(config.databasePath);
  try {
    const user = store.users.findByEmail(options.email);
    if (!user) throw new AppError(404, 'not_found', `No user has the email ${options.email}`);
    const password = parseInput(passwordSchema, await readPassword(), 'password');
    const now = Date.now();
    store.users.update(user.id, {
      role: 'admin',
      disabledAt: null,
      passwordHash: await hashPassword(password),
    });
    store.sessions.revokeForUser(user.id, now);
    process.stdout.write(`${user.email} is an admin again, with the new password.\n`);
  } finally {
    store.close();
  }
}
