/**
 * The storage contract. Services depend on these types and on `Store` only,
 * so that another engine can implement it without touching them.
 */

export type Method = 'default' | 'smtp' | 'mandrill';
export type SendKind = 'manual' | 'automated' | 'external';

/**
 * A send's state. It moves forward only (see server/events/states.ts):
 * queued -> accepted -> delivered | deferred | soft_bounced | bounced | rejected,
 * or straight from queued to rejected, failed or unknown.
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
  | 'unknown';

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
  Partial<Pick<SendRecord, 'providerId' | 'providerStatus'>>;

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

export interface SendWithAccount extends SendRecord {
  accountName: string;
}

export type EventSource =
  'api' | 'smtp' | 'mandrill-send' | 'mandrill-poll' | 'mandrill-webhook' | 'bounce' | 'imap';

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

export interface MethodCounts {
  method: Method;
  counts: Partial<Record<SendState, number>>;
  opened: number;
  clicked: number;
  complained: number;
}

export interface MethodBucketCounts extends MethodCounts {
  bucketStart: number;
}

export interface Store {
  accounts: {
    create(account: NewAccount, now: number): AccountRecord;
    get(id: number): AccountRecord | null;
    list(): AccountRecord[];
    listByMethod(method: Method): AccountRecord[];
    update(id: number, patch: AccountPatch, now: number): AccountRecord | null;
  };
  sends: {
    create(send: NewSend): SendRecord;
    get(id: number): SendRecord | null;
    findByProviderId(accountId: number, providerId: string): SendRecord | null;
    /** Sends recorded but never handed off, oldest first. */
    listQueued(limit: number): SendRecord[];
    listRecent(options: { limit: number; accountId?: number }): SendWithAccount[];
    update(id: number, patch: SendPatch): void;
  };
  events: {
    /** Appends the event; returns null when an event with its dedup key exists already. */
    append(event: NewEvent): EventRecord | null;
    listForSend(sendId: number): EventRecord[];
    /** Attaches events stored before their send was known; returns how many. */
    linkUnlinked(accountId: number, providerId: string, sendId: number): number;
  };
  cursors: {
    get(accountId: number): MandrillCursor | null;
    save(cursor: MandrillCursor): void;
  };
  reports: {
    countsByMethod(from: number, to: number): MethodCounts[];
    countsByMethodAndBucket(from: number, to: number, bucketMs: number): MethodBucketCounts[];
  };
  /**
   * Runs `fn` in one transaction; `fn` must be synchronous. A call inside
   * another transaction joins it, so an error rolls back the outer one too.
   */
  transaction<T>(fn: () => T): T;
  /** Returns "ok" or the problems SQLite's integrity check found. */
  integrityCheck(): string;
  close(): void;
}
