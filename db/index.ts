import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { accountQueries } from './accounts.js';
import { bounceQueries } from './bounces.js';
import { breakdownQueries } from './breakdowns.js';
import { checkQueries } from './checks.js';
import { cursorQueries } from './cursors.js';
import { eventQueries } from './events.js';
import { mailboxCursorQueries } from './mailbox-cursors.js';
import { mandrillSyncQueries } from './mandrill-sync.js';
import { migrate } from './migrate.js';
import { rebuildReportRows, reportCounts } from './report-counts.js';
import { reportQueries } from './reports.js';
import { sendQueries } from './sends.js';
import { sessionQueries } from './sessions.js';
import { suppressionQueries } from './suppressions.js';
import { tokenQueries } from './tokens.js';
import { userQueries } from './users.js';
import type { Store } from './types.js';

export type * from './types.js';
export { initialSendRecord, patchedSendRecord } from './send-record.js';

export interface OpenStoreOptions {
  /**
   * `full` makes every commit durable across power loss. `normal`, the
   * default in WAL mode, survives a process crash, but a power loss may
   * roll back the latest commits.
   */
  synchronous?: 'normal' | 'full';
  /** How long a write waits for another writer's lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** The page cache per connection, in KiB. */
const PAGE_CACHE_KIB = 64 * 1024;

/** The database file cannot be created or opened: a wrong path, a folder, or not SQLite. */
export class DatabaseOpenError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`Cannot open the database ${file}: ${reason}`);
    this.name = 'DatabaseOpenError';
  }
}

/**
 * Creates the missing folders of `dir` one level at a time. In a trial, Node's recursive mkdir
 * looped without end under /proc, where creating a folder fails with ENOENT.
 */
function makeFolders(dir: string): void {
  const missing: string[] = [];
  let current = path.resolve(dir);
  while (!fs.existsSync(current)) {
    missing.unshift(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const folder of missing) fs.mkdirSync(folder, { mode: 0o700 });
}

const SQLITE_HEADER = 'SQLite format 3\u0000';

/** Returns true when `file` is missing, empty or starts with SQLite's file header. */
function isEmptyOrSqlite(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
  try {
    const header = Buffer.alloc(SQLITE_HEADER.length);
    const read = fs.readSync(fd, header, 0, header.length, 0);
    return read === 0 || header.toString('latin1', 0, read) === SQLITE_HEADER;
  } finally {
    fs.closeSync(fd);
  }
}

/** Opens the file as SQLite in WAL mode, or throws DatabaseOpenError saying why it cannot. */
function openFile(file: string): Database.Database {
  try {
    if (file !== ':memory:') makeFolders(path.dirname(file));
    if (file !== ':memory:' && !isEmptyOrSqlite(file)) {
      // Checked before the chmod below, which would change another file's permissions.
      throw new Error('the file is not a SQLite database');
    }
    const db = new Database(file);
    // The file contains password hashes and recipients: owner only. SQLite gives
    // the -wal and -shm files the permissions of the database file.
    if (file !== ':memory:') fs.chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    return db;
  } catch (error) {
    throw new DatabaseOpenError(file, (error as Error).message);
  }
}

/** Opens (creating it if needed) the SQLite database at `file` and applies pending migrations. */
export function openStore(file: string, options: OpenStoreOptions = {}): Store {
  const db = openFile(file);
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  const synchronous = options.synchronous === 'full' ? 'FULL' : 'NORMAL';
  db.pragma(`synchronous = ${synchronous}`);
  // The reports read tens of thousands of day and hour rows a call. SQLite's default page
  // cache of 2 MiB cannot hold them, so each call decoded them again from the OS cache.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  migrate(db);

  return {
    accounts: accountQueries(db),
    sends: sendQueries(db, reportCounts(db)),
    events: eventQueries(db),
    cursors: cursorQueries(db),
    mailboxCursors: mailboxCursorQueries(db),
    mandrillSync: mandrillSyncQueries(db),
    reports: { ...reportQueries(db), rebuild: () => rebuildReportRows(db) },
    users: userQueries(db),
    sessions: sessionQueries(db),
    tokens: tokenQueries(db),
    suppressions: suppressionQueries(db),
    checks: checkQueries(db),
    bounces: bounceQueries(db),
    breakdowns: breakdownQueries(db),
    // Inside an open transaction, run `fn` in it directly: a nested one would add a savepoint per call.
    transaction: <T>(fn: () => T): T => (db.inTransaction ? fn() : db.transaction(fn)()),
    durableTransaction: <T>(fn: () => T): T => {
      db.pragma('synchronous = FULL');
      try {
        return db.transaction(fn)();
      } finally {
        db.pragma(`synchronous = ${synchronous}`);
      }
    },
    integrityCheck: () => {
      const rows = db.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((row) => row.integrity_check).join('\n');
    },
    close: () => db.close(),
  };
}
