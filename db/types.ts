/**
 * The storage contract. Services depend on these types and on `Store` only,
 * so that another engine can implement it without touching them.
 */

export type Method = 'default' | 'smtp' | 'mandrill';
export type SendKind = 'manual' | 'automated' | 'external';

/**
 * A send's state. It moves forward only (see server/events/states.ts):
 * queued -> accepted -> delivered | deferred | soft_bounced | bounced | rejected,
 * or straight from queued to rejected, failed, unknown or suppressed (held
 * back before the hand-off by the account's suppression list).
 */
export type SendState =
  | 'queued'
  | 'accepted'
  | 'delivered'
  | 'deferred'
  | 'soft_bounced'
  | 'bounced'
  | 'rejected'
  | 'failed'
  | 'unknown'
  | 'suppressed';

/** Times are Unix milliseconds throughout. */
export interface AccountRecord {
  id: number;
  name: string;
  sendingAddress: string;
  replyTo: string | null;
  method: Method;
  settings: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

export type NewAccount = Omit<AccountRecord, 'id' | 'createdAt' | 'updatedAt'>;
export type AccountPatch = Partial<NewAccount>;

export interface SendRecord {
  id: number;
  accountId: number;
  messageId: string;
  method: Method;
  kind: SendKind;
  headerFrom: string;
  replyTo: string | null;
  envelopeFrom: string | null;
  recipient: string;
  subject: string | null;
  state: SendState;
  providerId: string | null;
  providerStatus: string | null;
  replyCode: number | null;
  statusCode: string | null;
  reason: string | null;
  detail: string | null;
  opens: number;
  clicks: number;
  complaints: number;
  unsubscribes: number;
  /** Whether the message carried the product's open pixel (default and smtp sends only). */
  opensTracked: boolean;
  /** Whether the message's links went through the product's click redirect (the same). */
  clicksTracked: boolean;
  createdAt: number;
  updatedAt: number;
}

export type NewSend = Pick<
  SendRecord,
  | 'accountId'
  | 'messageId'
  | 'method'
  | 'kind'
  | 'headerFrom'
  | 'replyTo'
  | 'envelopeFrom'
  | 'recipient'
  | 'subject'
  | 'state'
  | 'createdAt'
> &
  Partial<Pick<SendRecord, 'providerId' | 'providerStatus' | 'opensTracked' | 'clicksTracked'>>;

/** Fields an event may change on its send; counters are added, not set. */
export interface SendPatch {
  state?: SendState;
  providerId?: string;
  providerStatus?: string;
  replyCode?: number | null;
  statusCode?: string | null;
  reason?: string | null;
  detail?: string | null;
  addOpens?: number;
  addClicks?: number;
  addComplaints?: number;
  addUnsubscribes?: number;
  updatedAt: number;
}

/** The filters of the message log; every one given must hold. */
export interface SendSearch {
  limit: number;
  scope?: AccountScope;
  accountId?: number;
  /** One address, compared without case. */
  recipient?: string;
  /** The domain of the recipient's address, such as `gmail.com`. */
  recipientDomain?: string;
  /** The header From address. */
  sender?: string;
  method?: Method;
  /** The state the send is in now. */
  state?: SendState;
  /** A state the send has been in at some time, as its events record. */
  everState?: SendState;
  messageId?: string;
  /** Created at or after this time. */
  from?: number;
  /** Created before this time. */
  to?: number;
  /** The page after this send (newest first). */
  before?: { createdAt: number; id: number };
}

export interface SendWithAccount extends SendRecord {
  accountName: string;
}

export type EventSource =
  | 'api'
  | 'smtp'
  | 'mandrill-send'
  | 'mandrill-poll'
  | 'mandrill-webhook'
  | 'bounce'
  | 'imap'
  | 'tracking';

export interface EventRecord {
  id: number;
  sendId: number | null;
  accountId: number;
  providerId: string | null;
  type: string;
  source: EventSource;
  occurredAt: number;
  recordedAt: number;
  stateBefore: SendState | null;
  stateAfter: SendState | null;
  data: unknown;
  /** Unique per real-world event, so that a repeated delivery of it is ignored. */
  dedupKey: string;
}

export type NewEvent = Omit<EventRecord, 'id'>;

export interface MandrillCursor {
  accountId: number;
  /** Every message sent before this time has been fetched at least once. */
  syncedUntil: number;
  lastRunAt: number | null;
  lastError: string | null;
}

/** The mailbox reader's position in one smtp account's mailbox folder, read over IMAP. */
export interface MailboxCursor {
  accountId: number;
  /** The login and server the cursor belongs to, as `user@host:port`. */
  server: string;
  /** The folder the cursor belongs to. A cursor of another server or folder starts over. */
  folder: string;
  /** The folder's UIDVALIDITY when `lastUid` was read; null before the first read. */
  uidValidity: number | null;
  /** Every message with a UID up to this one has been read (0: none yet). */
  lastUid: number;
  lastRunAt: number | null;
  /** The end of the latest run that finished without an error. */
  lastSuccessAt: number | null;
  /** The error of the latest run, or null when it succeeded. Never contains the password. */
  lastError: string | null;
  lastErrorAt: number | null;
  /** Messages read from this folder since the cursor was created, bounces or not. */
  messagesRead: number;
}

/** The poller's status of one Mandrill account, beside its cursor. */
export interface MandrillSyncRecord {
  accountId: number;
  /** When Mandrill rejected the account's key with Invalid_Key; null while the key works. */
  keyRejectedAt: number | null;
  /**
   * The account's `updatedAt` when the key was rejected. The poller skips
   * the account until an update of the account changes it.
   */
  keyRejectedAccountVersion: number | null;
  /** Consecutive runs that ended in an error. */
  failedRuns: number;
  /** The latest warning, such as a one-second window that reached the search cap. */
  warning: string | null;
  warningAt: number | null;
}

export interface MethodCounts {
  method: Method;
  counts: Partial<Record<SendState, number>>;
  opened: number;
  clicked: number;
  complained: number;
  unsubscribed: number;
  /** Sends with the open pixel that were accepted or delivered. */
  openTrackedDelivered: number;
  /** Of those, the ones opened at least once by a reader. */
  openTrackedOpened: number;
  /** Sends with tracked links that were accepted or delivered. */
  clickTrackedDelivered: number;
  /** Of those, the ones clicked at least once by a reader. */
  clickTrackedClicked: number;
}

export interface MethodBucketCounts extends MethodCounts {
  bucketStart: number;
}

export type Role = 'admin' | 'support' | 'manager';

export interface UserRecord {
  id: number;
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
  /** The accounts a manager owns; empty for admin and support, who see all. */
  accountIds: number[];
  createdAt: number;
  disabledAt: number | null;
}

export type NewUser = Omit<UserRecord, 'id' | 'disabledAt'>;

export interface SessionRecord {
  id: number;
  userId: number;
  createdAt: number;
  expiresAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

export interface ApiTokenRecord {
  id: number;
  name: string;
  /** The token's first characters, shown in lists so a token can be recognized. */
  prefix: string;
  accountIds: number[];
  createdBy: number | null;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Counts of one method's sends that reached a server, for one recipient domain or account. */
export interface BreakdownRow {
  key: string;
  method: Method;
  sent: number;
  delivered: number;
  bounced: number;
  softBounced: number;
  rejected: number;
  opened: number;
}

/** One bounce reason of a period, with its most recent examples. */
export interface ReasonRow {
  reason: string;
  count: number;
  /** Of `count`, the hard bounces and the refusals during the hand-off. */
  hard: number;
  rejected: number;
  examples: { recipient: string; detail: string | null; status: string | null }[];
}

export type BounceSource = 'api' | 'import' | 'inbound-smtp' | 'imap';

/** One recipient of a stored bounce, with the send it was matched to. */
export interface StoredBounceRecipient {
  address: string | null;
  action: string | null;
  status: string | null;
  replyCode: number | null;
  diagnostic: string | null;
  remoteHost: string | null;
  reason: string;
  hardBounce: boolean;
  sendId: number | null;
  /** The way the send was found: by the VERP return path, the quoted Message-ID, or recipient and time. */
  matchedBy: 'verp' | 'message-id' | 'recipient-time' | null;
}

/** A bounce, complaint or other automatic message, as received. */
export interface BounceRecord {
  id: number;
  rawSha256: string;
  receivedAt: number;
  source: BounceSource;
  /** `bounce`, `feedback`, `auto-reply`, `delivery-report` or `unknown`. */
  kind: string;
  /** The account of the matched sends, or the one it was submitted for; null when unknown. */
  accountId: number | null;
  envelopeTo: string | null;
  fromAddress: string | null;
  subject: string | null;
  originalMessageId: string | null;
  recipients: StoredBounceRecipient[];
  /** How many recipients were matched to a send. */
  matched: number;
  size: number;
}

export type NewBounce = Omit<BounceRecord, 'id'> & { raw: Buffer };

export type SuppressionReason = 'hard_bounce' | 'complaint' | 'unsubscribe' | 'manual';

export interface SuppressionRecord {
  accountId: number;
  address: string;
  reason: SuppressionReason;
  sendId: number | null;
  detail: string | null;
  createdAt: number;
}

export interface StoredCheck {
  id: number;
  accountId: number | null;
  domain: string;
  /** The account's sending method when it was checked. */
  method: string | null;
  checkedAt: number;
  /** The outcome per sending method, e.g. `{ "smtp": "deliver" }`. */
  outcomes: Record<string, string>;
  /** Whether the outcome for the account's method differs from the check before. */
  changed: boolean;
  result: unknown;
}

/** Account ids a query is limited to; undefined means every account. */
export type AccountScope = number[] | undefined;

/**
 * Counts of the sends created in [from, to), by the state they are in now. They must reflect
 * every send created and updated through `sends` as soon as the change commits.
 */
export interface ReportQueries {
  countsByMethod(from: number, to: number, scope?: AccountScope): MethodCounts[];
  countsByMethodAndBucket(
    from: number,
    to: number,
    bucketMs: number,
    scope?: AccountScope,
  ): MethodBucketCounts[];
}

export interface Store {
  users: {
    create(user: NewUser): UserRecord;
    get(id: number): UserRecord | null;
    findByEmail(email: string): UserRecord | null;
    list(): UserRecord[];
    count(): number;
    update(
      id: number,
      patch: Partial<
        Pick<UserRecord, 'name' | 'role' | 'passwordHash' | 'accountIds' | 'disabledAt'>
      >,
    ): UserRecord | null;
  };
  sessions: {
    create(tokenHash: string, userId: number, now: number, expiresAt: number): SessionRecord;
    /** The live session with this token hash: not revoked and not expired at `now`. */
    findLive(tokenHash: string, now: number): SessionRecord | null;
    touch(id: number, now: number): void;
    revoke(id: number, now: number): void;
    revokeForUser(userId: number, now: number): number;
  };
  tokens: {
    create(
      token: Omit<ApiTokenRecord, 'id' | 'lastUsedAt' | 'revokedAt'> & { tokenHash: string },
    ): ApiTokenRecord;
    findLive(tokenHash: string): ApiTokenRecord | null;
    get(id: number): ApiTokenRecord | null;
    list(): ApiTokenRecord[];
    touch(id: number, now: number): void;
    revoke(id: number, now: number): void;
  };
  checks: {
    add(check: Omit<StoredCheck, 'id'>): StoredCheck;
    latestForAccount(accountId: number): StoredCheck | null;
    listForAccount(accountId: number, limit: number): StoredCheck[];
  };
  bounces: {
    /** Stores the bounce; returns null when a message with the same SHA-256 is stored already. */
    add(bounce: NewBounce): BounceRecord | null;
    get(id: number): BounceRecord | null;
    getBySha256(sha256: string): BounceRecord | null;
    raw(id: number): Buffer | null;
    /** Newest first, within `scope`; bounces of no account are seen only by an unlimited scope. */
    list(options: {
      limit: number;
      scope?: AccountScope;
      unmatchedOnly?: boolean;
      before?: number;
    }): BounceRecord[];
  };
  suppressions: {
    /** Adds the address unless it is suppressed already; returns whether it was added. */
    add(suppression: SuppressionRecord): boolean;
    find(accountId: number, addresses: string[]): SuppressionRecord[];
    list(accountId: number): SuppressionRecord[];
    remove(accountId: number, address: string): boolean;
  };
  accounts: {
    create(account: NewAccount, now: number): AccountRecord;
    get(id: number): AccountRecord | null;
    list(scope?: AccountScope): AccountRecord[];
    listByMethod(method: Method): AccountRecord[];
    update(id: number, patch: AccountPatch, now: number): AccountRecord | null;
  };
  sends: {
    /** Creates the send; with `patch`, as if `update` had applied it right after. */
    create(send: NewSend, patch?: SendPatch): SendRecord;
    get(id: number): SendRecord | null;
    findByProviderId(accountId: number, providerId: string): SendRecord | null;
    /** The account's Mandrill sends with any of these provider ids, in no set order. */
    findByProviderIds(accountId: number, providerIds: string[]): SendRecord[];
    /** Every send (one per recipient) of the message with this Message-ID, within `scope`. */
    listByMessageId(messageId: string, scope?: AccountScope): SendRecord[];
    /** The newest send to `recipient` created in [since, until], within `scope`. */
    findLatestToRecipient(
      recipient: string,
      since: number,
      until: number,
      scope?: AccountScope,
    ): SendRecord | null;
    /** The send of one recipient of a message, by the Message-ID the product gave it. */
    findByMessageRecipient(
      accountId: number,
      messageId: string,
      recipient: string,
    ): SendRecord | null;
    /** Sends recorded but never handed off, oldest first. */
    listQueued(limit: number): SendRecord[];
    listRecent(options: {
      limit: number;
      accountId?: number;
      scope?: AccountScope;
    }): SendWithAccount[];
    /** The message log: sends that match every filter given, newest first. */
    search(search: SendSearch): SendWithAccount[];
    /** Counts the automated sends of an account created at or after `since`, not counting suppressed ones. */
    countAutomatedSince(accountId: number, since: number): number;
    /**
     * Applies the patch. `current`, the send as stored now and read in the same transaction,
     * saves reading it again to update the report counts. A stale one would miscount them.
     */
    update(id: number, patch: SendPatch, current?: SendRecord): void;
    /**
     * Runs `write`, which creates and updates sends, as one batch for the report counts: they
     * are written once at the end, with the same result as after each write. Must run inside
     * a transaction, which must roll back if `write` throws.
     */
    batch<T>(write: () => T): T;
  };
  events: {
    /** Appends the event; returns null when an event with its dedup key exists already. */
    append(event: NewEvent): EventRecord | null;
    listForSend(sendId: number): EventRecord[];
    /** Attaches events stored before their send was known; returns how many. */
    linkUnlinked(accountId: number, providerId: string, sendId: number): number;
    /** Whether the account has events stored before their send was known. */
    hasUnlinked(accountId: number): boolean;
    /**
     * The latest `occurredAt` among the send's events that moved its state (the state before
     * and after differ), or null when none did.
     */
    lastStateChangeAt(sendId: number): number | null;
  };
  cursors: {
    get(accountId: number): MandrillCursor | null;
    save(cursor: MandrillCursor): void;
  };
  mailboxCursors: {
    get(accountId: number): MailboxCursor | null;
    save(cursor: MailboxCursor): void;
  };
  mandrillSync: {
    getStatus(accountId: number): MandrillSyncRecord | null;
    saveStatus(status: MandrillSyncRecord): void;
    /**
     * Ids of the account's Mandrill sends still open (accepted, deferred,
     * soft_bounced) that were created at or after `createdSince`, never
     * given up on and not checked since `checkedBefore`, least recently
     * checked first.
     */
    listOpenSendIds(
      accountId: number,
      options: { createdSince: number; checkedBefore: number; limit: number },
    ): number[];
    /** Records a messages/info check of the send; `gaveUp` stops further checks. */
    markChecked(sendId: number, now: number, gaveUp: boolean): void;
  };
  breakdowns: {
    /**
     * Counts of the sends created in [from, to) per recipient domain and per account (whose
     * `key` is the account id), read together because they share their scan of `sends`.
     */
    byDomainAndAccount(
      from: number,
      to: number,
      scope?: AccountScope,
    ): { byRecipientDomain: BreakdownRow[]; byAccount: BreakdownRow[] };
    topReasons(from: number, to: number, scope: AccountScope, limit: number): ReasonRow[];
  };
  reports: ReportQueries & {
    /**
     * Counts every send again into new report rows, for after sends were written outside this
     * store. Holds the write lock until done. Returns the sends counted and the rows written.
     */
    rebuild(): { sends: number; rows: number };
  };
  /**
   * Runs `fn` in one transaction that is on disk when it returns, even
   * across a power loss (synchronous=FULL), for batches that are
   * acknowledged to a sender who will not send them again.
   */
  durableTransaction<T>(fn: () => T): T;
  /**
   * Runs `fn` in one transaction; `fn` must be synchronous. A call inside
   * another transaction joins it, so an error rolls back the outer one too.
   */
  transaction<T>(fn: () => T): T;
  /** Returns "ok" or the problems SQLite's integrity check found. */
  integrityCheck(): string;
  close(): void;
}
