import type { ConnectionOptions } from 'node:tls';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { AccountRecord, MailboxCursor } from '../../db/types.js';
import type { MailboxSettings } from '../accounts/schema.js';
import { openAccount } from '../accounts/secrets.js';
import type { Logger } from '../logger.js';
import type { SmtpDestination } from '../sending/destination.js';
import { AppError } from '../errors.js';
import { ingestBounce, type BounceIngestDeps } from './ingest.js';
import { describeMailboxError, FolderOpenError } from './mailbox-errors.js';
import { parseBounce } from './parse.js';

/** Messages read per account and run; the next run goes on where this one stopped. */
export const DEFAULT_MAX_MESSAGES = 500;
/** Messages larger than this are skipped with a recorded error; bounces are far smaller. */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** The part of imapflow's client that the reader uses, so tests can pass another. */
export type MailboxClient = Pick<
  ImapFlow,
  'connect' | 'mailboxOpen' | 'fetch' | 'fetchOne' | 'list' | 'logout' | 'close' | 'on'
>;

export type MailboxClientFactory = (options: ImapFlowOptions) => MailboxClient;

export interface MailboxDeps extends BounceIngestDeps {
  logger: Logger;
  /** Resolves and checks the IMAP host, as the SMTP host is checked; throws an AppError. */
  checkDestination: (host: string, port: number) => Promise<SmtpDestination>;
  /** Extra TLS options, such as a private CA to trust. */
  tls?: ConnectionOptions;
  /** Default: imapflow's ImapFlow. */
  createClient?: MailboxClientFactory;
  maxMessages?: number;
  maxMessageBytes?: number;
}

export interface MailboxReadResult {
  accountId: number;
  folder: string;
  /** Messages read in this run, ignored ones included. */
  read: number;
  /** Bounces stored for the first time; a message read before counts 0. */
  created: number;
  /** Events recorded on sends. */
  events: number;
  /** Messages skipped for their size. */
  skipped: number;
  /** Ordinary mail that is no automatic message, left out of the bounces. */
  ignored: number;
  /** Whether messages newer than the last one read remain for the next run. */
  more: boolean;
  error?: string;
}

interface MailboxLogin {
  mailbox: MailboxSettings;
  password: string;
}

interface PendingMessage {
  uid: number;
  size: number;
}

const createImapFlow: MailboxClientFactory = (options) => new ImapFlow(options);

/** Reads every smtp account that has a mailbox, one after another. */
export async function readAllMailboxes(deps: MailboxDeps): Promise<MailboxReadResult[]> {
  const results: MailboxReadResult[] = [];
  for (const account of deps.store.accounts.listByMethod('smtp')) {
    if (!account.settings.mailbox) continue;
    results.push(await readMailbox(deps, account));
  }
  return results;
}

/**
 * Reads the new messages of the account's mailbox folder over IMAP and hands each to
 * bounce ingestion with source `imap`. The folder is opened read-only (EXAMINE) and bodies
 * are fetched with BODY.PEEK, so no flag changes and nothing is moved or deleted. The
 * cursor stores the folder's UIDVALIDITY and the highest UID read. When UIDVALIDITY
 * changes, the folder is read again from the start, and the SHA-256 dedup of ingestion
 * keeps a message read twice from counting twice.
 *
 * Errors of the read (refused host, connection, TLS, login, missing folder, ingestion) are
 * recorded on the cursor, logged once until the error changes, and returned instead of
 * thrown. Only an error of the database writing the cursor itself is thrown.
 */
export async function readMailbox(
  deps: MailboxDeps,
  account: AccountRecord,
): Promise<MailboxReadResult> {
  const configured = account.settings.mailbox as MailboxSettings | null | undefined;
  const folder = configured?.folder ?? 'INBOX';
  const result: MailboxReadResult = {
    accountId: account.id,
    folder,
    read: 0,
    created: 0,
    events: 0,
    skipped: 0,
    ignored: 0,
    more: false,
  };
  if (!configured) return result;

  const log = deps.logger.child({ module: 'mailbox-reader', accountId: account.id });
  const stored = deps.store.mailboxCursors.get(account.id);
  const previousError = stored?.lastError ?? null;
  const startedAt = deps.now();
  const start = { ...cursorFor(stored, account.id, configured), lastRunAt: startedAt };
  let login: MailboxLogin | null = null;
  const warnings: string[] = [];
  let cursor: MailboxCursor;
  try {
    login = openLogin(deps, account);
    cursor = await readNew(deps, login, start, result, warnings, log);
  } catch (error) {
    const message = describeMailboxError(error, {
      host: configured.host,
      port: configured.port,
      user: configured.user,
      folder,
      password: login?.password ?? '',
    });
    result.error = message;
    // readOne saved the cursor after each message, so the stored one has this run's progress.
    const latest = cursorFor(deps.store.mailboxCursors.get(account.id), account.id, configured);
    deps.store.mailboxCursors.save({
      ...latest,
      lastRunAt: startedAt,
      lastError: message,
      lastErrorAt: deps.now(),
    });
    logOnce(log, previousError, message);
    return result;
  }

  const finished = deps.now();
  const warning = warnings.length > 0 ? warnings.join(' ') : null;
  deps.store.mailboxCursors.save({
    ...cursor,
    lastSuccessAt: finished,
    lastError: warning,
    lastErrorAt: warning ? finished : null,
  });
  if (warning) {
    result.error = warning;
    logOnce(log, previousError, warning);
  }
  if (result.read > 0) {
    log.info(
      { folder, read: result.read, created: result.created, events: result.events },
      'mailbox read',
    );
  }
  return result;
}

/** Returns the login and server of a mailbox as `user@host:port`, which a cursor belongs to. */
export function mailboxServer(mailbox: MailboxSettings): string {
  return `${mailbox.user}@${mailbox.host}:${mailbox.port}`;
}

/**
 * Returns the stored cursor when it belongs to the configured server, login and folder,
 * else an empty one: UIDs of another folder or server do not apply to this one.
 */
export function cursorFor(
  stored: MailboxCursor | null,
  accountId: number,
  mailbox: MailboxSettings,
): MailboxCursor {
  const server = mailboxServer(mailbox);
  if (stored && stored.server === server && stored.folder === mailbox.folder) return stored;
  return emptyCursor(accountId, server, mailbox.folder);
}

function emptyCursor(accountId: number, server: string, folder: string): MailboxCursor {
  return {
    accountId,
    server,
    folder,
    uidValidity: null,
    lastUid: 0,
    lastRunAt: null,
    lastSuccessAt: null,
    lastError: null,
    lastErrorAt: null,
    messagesRead: 0,
  };
}

function openLogin(deps: MailboxDeps, account: AccountRecord): MailboxLogin {
  const settings = openAccount(deps.keyring, account).settings;
  return {
    mailbox: settings.mailbox as MailboxSettings,
    password: typeof settings.mailboxPassword === 'string' ? settings.mailboxPassword : '',
  };
}

/** Logs an error at warn the first time it appears, and at debug while it repeats. */
function logOnce(log: Logger, previous: string | null, message: string): void {
  if (message === previous) {
    log.debug({ error: message }, 'mailbox read failed again with the same error');
  } else {
    log.warn({ error: message }, 'mailbox read failed');
  }
}

async function readNew(
  deps: MailboxDeps,
  login: MailboxLogin,
  start: MailboxCursor,
  result: MailboxReadResult,
  warnings: string[],
  log: Logger,
): Promise<MailboxCursor> {
  const { mailbox } = login;
  const destination = await deps.checkDestination(mailbox.host, mailbox.port);
  const client = connectClient(deps, login, destination);
  let cursor = start;
  try {
    await client.connect();
    const opened = await openFolder(client, mailbox.folder);
    const uidValidity = Number(opened.uidValidity);
    if (cursor.uidValidity !== null && cursor.uidValidity !== uidValidity) {
      log.info(
        { folder: mailbox.folder, before: cursor.uidValidity, now: uidValidity },
        'the folder UIDVALIDITY changed; reading it again from the start',
      );
      cursor = { ...cursor, lastUid: 0 };
    }
    cursor = { ...cursor, uidValidity };
    if (opened.exists === 0 || opened.uidNext <= cursor.lastUid + 1) return cursor;

    const pending = await listNewMessages(client, cursor.lastUid);
    const maxMessages = deps.maxMessages ?? DEFAULT_MAX_MESSAGES;
    result.more = pending.length > maxMessages;
    for (const message of pending.slice(0, maxMessages)) {
      cursor = await readOne(deps, client, message, cursor, result, warnings);
    }
    return cursor;
  } finally {
    await client.logout().catch(() => client.close());
  }
}

function connectClient(
  deps: MailboxDeps,
  login: MailboxLogin,
  destination: SmtpDestination,
): MailboxClient {
  const { mailbox } = login;
  // Connect to the checked address only, and keep the configured name for TLS.
  const servername = destination.host === destination.address ? undefined : destination.host;
  const client = (deps.createClient ?? createImapFlow)({
    host: destination.address,
    port: destination.port,
    secure: mailbox.security === 'tls',
    // STARTTLS is required, never optional: the password must not cross the wire in clear text.
    doSTARTTLS: mailbox.security === 'starttls' ? true : undefined,
    servername,
    tls: { ...deps.tls, ...(servername ? { servername } : {}) },
    auth: { user: mailbox.user, pass: login.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: 30_000,
    greetingTimeout: 16_000,
    socketTimeout: 120_000,
  });
  // imapflow emits 'error' for a socket that fails; without a listener it would end the process.
  client.on('error', () => undefined);
  return client;
}

async function openFolder(client: MailboxClient, folder: string) {
  try {
    return await client.mailboxOpen(folder, { readOnly: true });
  } catch (error) {
    const serverText = (error as { responseText?: string }).responseText ?? '';
    const available = await client
      .list()
      .then((folders) => folders.map((entry) => entry.path).slice(0, 50))
      .catch(() => []);
    throw new FolderOpenError(folder, serverText, available);
  }
}

/** Lists the UIDs and sizes above `lastUid`, ascending. Fetches no message body. */
async function listNewMessages(client: MailboxClient, lastUid: number): Promise<PendingMessage[]> {
  const pending: PendingMessage[] = [];
  const range = `${lastUid + 1}:*`;
  for await (const message of client.fetch(range, { uid: true, size: true }, { uid: true })) {
    // IMAP reads `*` as the highest UID in use, so "N:*" returns that message even below N.
    if (message.uid > lastUid) pending.push({ uid: message.uid, size: message.size ?? 0 });
  }
  return pending.sort((a, b) => a.uid - b.uid);
}

/**
 * Reads one message and moves the cursor past it. ingestBounce commits in its own
 * transaction, so the cursor is saved right after it: a crash in between reads the message
 * again on the next run (at least once), and ingestion's SHA-256 dedup makes the second
 * read change nothing.
 */
async function readOne(
  deps: MailboxDeps,
  client: MailboxClient,
  message: PendingMessage,
  cursor: MailboxCursor,
  result: MailboxReadResult,
  warnings: string[],
): Promise<MailboxCursor> {
  const maxBytes = deps.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  let next: MailboxCursor;
  if (message.size > maxBytes) {
    result.skipped += 1;
    warnings.push(
      `Skipped the message with UID ${message.uid} in "${cursor.folder}": it is ` +
        `${message.size} bytes, over the limit of ${maxBytes} bytes per message.`,
    );
    next = { ...cursor, lastUid: message.uid };
  } else {
    const fetched = await client.fetchOne(String(message.uid), { source: true }, { uid: true });
    // A message expunged since the listing has no source; there is nothing left to read.
    try {
      if (fetched && fetched.source) await handOver(deps, fetched.source, cursor.accountId, result);
    } catch (error) {
      // A message ingestion refuses (not an email, say) would be refused on every run and
      // stop the reader at its UID: it is skipped with a warning. Any other error (the
      // database busy or failing) ends the run, and the next run reads the message again.
      if (!(error instanceof AppError)) throw error;
      result.skipped += 1;
      warnings.push(
        `Skipped the message with UID ${message.uid} in "${cursor.folder}": ${error.message}`,
      );
    }
    next = { ...cursor, lastUid: message.uid, messagesRead: cursor.messagesRead + 1 };
  }
  deps.store.mailboxCursors.save(next);
  return next;
}

/**
 * Hands one message to bounce ingestion. The folder may be the manager's inbox, so ordinary
 * mail (kind `unknown`) is not copied into the bounces, where support staff would read it.
 */
async function handOver(
  deps: MailboxDeps,
  raw: Buffer,
  accountId: number,
  result: MailboxReadResult,
): Promise<void> {
  result.read += 1;
  if ((await parseBounce(raw)).kind === 'unknown') {
    result.ignored += 1;
    return;
  }
  const ingested = await ingestBounce(deps, { raw, source: 'imap', accountId });
  if (ingested.created) result.created += 1;
  result.events += ingested.events;
}
