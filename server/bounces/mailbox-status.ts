import type { AccountRecord, MailboxCursor, Store } from '../../db/types.js';
import type { MailboxSettings } from '../accounts/schema.js';
import { mailboxServer } from './mailbox.js';

/** `not_configured`: no mailbox; `never_read`: not read yet; `failing`: the latest run failed. */
export type MailboxState = 'not_configured' | 'never_read' | 'ok' | 'failing';

export interface MailboxStatus {
  accountId: number;
  method: string;
  state: MailboxState;
  /** The configured folder; null without a mailbox. */
  folder: string | null;
  uidValidity: number | null;
  lastUid: number;
  messagesRead: number;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  lastErrorAt: string | null;
  /** The state in one sentence, for the dashboard. */
  message: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Returns the mailbox reader's state of an account, from its cursor. */
export function mailboxStatus(store: Store, account: AccountRecord): MailboxStatus {
  const mailbox = account.settings.mailbox as MailboxSettings | null | undefined;
  const stored = store.mailboxCursors.get(account.id);
  // A cursor of an earlier server or folder is not the state of the configured one.
  const current =
    mailbox && stored?.server === mailboxServer(mailbox) && stored.folder === mailbox.folder;
  const cursor: MailboxCursor | null = current ? stored : null;
  const state = stateOf(account, mailbox, cursor);
  return {
    accountId: account.id,
    method: account.method,
    state,
    folder: mailbox?.folder ?? null,
    uidValidity: cursor?.uidValidity ?? null,
    lastUid: cursor?.lastUid ?? 0,
    messagesRead: cursor?.messagesRead ?? 0,
    lastRunAt: iso(cursor?.lastRunAt ?? null),
    lastSuccessAt: iso(cursor?.lastSuccessAt ?? null),
    lastError: cursor?.lastError ?? null,
    lastErrorAt: iso(cursor?.lastErrorAt ?? null),
    message: messageOf(state, cursor),
  };
}

function stateOf(
  account: AccountRecord,
  mailbox: MailboxSettings | null | undefined,
  cursor: MailboxCursor | null,
): MailboxState {
  if (account.method !== 'smtp' || !mailbox) return 'not_configured';
  if (!cursor || cursor.lastRunAt === null) return 'never_read';
  const failedLast =
    cursor.lastErrorAt !== null &&
    (cursor.lastSuccessAt === null || cursor.lastErrorAt > cursor.lastSuccessAt);
  return failedLast ? 'failing' : 'ok';
}

function messageOf(state: MailboxState, cursor: MailboxCursor | null): string {
  switch (state) {
    case 'not_configured':
      return 'No mailbox is set: bounces of this account are not read over IMAP.';
    case 'never_read':
      return 'Not read yet.';
    case 'failing':
      return `The last read failed: ${cursor?.lastError ?? 'unknown error'} The next run retries.`;
    default:
      return cursor?.lastError ?? 'Reading works.';
  }
}
