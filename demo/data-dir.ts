import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** The lock file in the demo's data folder. It contains the pid of the demo that uses the folder. */
export const LOCK_FILE = 'demo.lock';

/** The file that marks a folder as the demo's, so that the next demo may delete what is in it. */
export const MARKER_FILE = '.deliverability-demo';

/** An error that stops the demo before it has changed anything, with a message for the user. */
export class DemoStartError extends Error {
  override name = 'DemoStartError';
}

export interface DemoDataLock {
  /** The lock file's path. */
  readonly path: string;
  /** Deletes the lock file if it still contains this process's pid. Safe to call more than once. */
  release(): void;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Returns the lock file's text, or null when the file does not exist. */
function readLockText(lockPath: string): string | null {
  try {
    return fs.readFileSync(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function parsePid(text: string): number | null {
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

function lockedFolderMessage(dir: string, lockPath: string, pid: number): string {
  return (
    `Another demo (pid ${pid}) is running with the data folder ${dir}, and starting this one ` +
    'would delete its database. Stop that demo first (Ctrl-C in its terminal, or ' +
    `kill ${pid}), or give this demo its own folder and port, such as ` +
    'DEMO_DATA_DIR=demo-data-2 DEMO_PORT=3001 npm run demo. ' +
    `If no demo is running, delete ${lockPath}.`
  );
}

/**
 * Takes the demo's lock on `dir`, creating the folder when it does not exist. The lock file is
 * created exclusively and contains this process's pid. A lock whose pid is no longer running is
 * left by a demo that was killed, and is taken over.
 *
 * Throws DemoStartError naming the holder's pid when a running process holds the lock, and when
 * the lock file does not contain a pid.
 */
export function acquireDataLock(dir: string): DemoDataLock {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new DemoStartError(
      `Cannot use ${dir} as the demo's data folder (${(error as Error).message}). Set ` +
        'DEMO_DATA_DIR to a folder the demo may create or write to.',
    );
  }
  const lockPath = path.join(dir, LOCK_FILE);
  // Two tries: the second follows the removal of a lock that its killed demo left behind.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx' });
      return lockOf(lockPath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = readLockText(lockPath);
    // The holder released the lock between the two calls: try again.
    if (text === null) continue;
    const pid = parsePid(text);
    if (pid === null) {
      throw new DemoStartError(
        `The demo's lock file ${lockPath} does not contain a pid (it contains ` +
          `${JSON.stringify(text.slice(0, 40))}). If no demo is running, delete the file.`,
      );
    }
    if (isRunning(pid)) throw new DemoStartError(lockedFolderMessage(dir, lockPath, pid));
    // NOTE: two demos that start at the same moment beside a killed demo's lock can both get
    // here, and the later removal then deletes the lock that the other has just created.
    fs.rmSync(lockPath, { force: true });
  }
  throw new DemoStartError(
    `Another demo took the lock ${lockPath} while this one started. Stop it first, or give ` +
      'this demo its own folder with DEMO_DATA_DIR.',
  );
}

function lockOf(lockPath: string): DemoDataLock {
  return {
    path: lockPath,
    release() {
      if (parsePid(readLockText(lockPath) ?? '') === process.pid) fs.rmSync(lockPath);
    },
  };
}

/**
 * Deletes the files of the previous demo in `dir`, which this process must hold the lock of,
 * and marks the folder as the demo's. A folder that is neither empty nor marked is left as it
 * is, unless `unmarkedIsDemo` is true: the default folder is the demo's even without the marker,
 * which older versions of the demo did not write.
 *
 * Throws DemoStartError, before deleting anything, when the folder is not the demo's.
 */
export function emptyDataDir(dir: string, unmarkedIsDemo: boolean): void {
  const entries = fs.readdirSync(dir).filter((entry) => entry !== LOCK_FILE);
  if (entries.length > 0 && !entries.includes(MARKER_FILE) && !unmarkedIsDemo) {
    throw new DemoStartError(
      `The folder ${dir} contains files that the demo did not write, such as ` +
        `${entries.slice(0, 3).join(', ')}, and the demo deletes every file in its data folder. ` +
        'Set DEMO_DATA_DIR to a new or empty folder.',
    );
  }
  for (const entry of entries) {
    fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  fs.writeFileSync(
    path.join(dir, MARKER_FILE),
    'This folder contains the data of npm run demo, which deletes its files at every start.\n',
  );
}

/**
 * Resolves when nothing listens on `host`:`port`, by listening there and closing at once.
 * Rejects with the listen error, EADDRINUSE when the port is in use. Port 0 always resolves.
 */
export async function checkPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
