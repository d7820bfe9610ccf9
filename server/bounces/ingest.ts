import { createHash } from 'node:crypto';
import type {
  AccountScope,
  BounceRecord,
  BounceSource,
  SendRecord,
  SendState,
  Store,
  StoredBounceRecipient,
} from '../../db/types.js';
import { AppError } from '../errors.js';
import { recordEvent } from '../events/record.js';
import type { SecretKeyring } from '../secrets/index.js';
import { parseBounce } from './parse.js';
import type { BounceRecipient, BounceReport } from './types.js';
import { messageIdFromVerp } from './verp.js';

/** The part of a bounce kept with it for support to read: enough for any report's headers. */
const KEPT_RAW_BYTES = 256 * 1024;
/** How far back a bounce is matched by recipient alone: bounces arrive within days. */
const RECIPIENT_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export interface BounceIngestDeps {
  store: Store;
  keyring: SecretKeyring;
  /** The platform's From and envelope domains, which VERP addresses are built on. */
  platform: { fromAddress: string; envelopeFrom: string };
  now: () => number;
}

export interface BounceInput {
  raw: Buffer;
  source: BounceSource;
  /** The SMTP envelope recipient, when the bounce came to the inbound listener. */
  envelopeTo?: string | null;
  /** The account the submitter files it under; matching then looks only there. */
  accountId?: number | null;
  /** The accounts the submitter may see; matching never reaches outside them. */
  scope?: AccountScope;
}

export interface BounceIngestResult {
  bounce: BounceRecord;
  /** False when the same message had been ingested before; nothing changed then. */
  created: boolean;
  /** Events recorded on matched sends. */
  events: number;
}

/**
 * Classifies one automatic message and records it. The bounce itself is always kept, so
 * support can see one that matches no send. Each recipient matched to a send gets an event
 * that moves the send to bounced, soft_bounced or deferred, or counts a complaint. Matching
 * tries the VERP return path, then the quoted Message-ID, then the recipient's latest send
 * of the last 7 days. The same message ingested twice changes nothing the second time.
 */
export async function ingestBounce(
  deps: BounceIngestDeps,
  input: BounceInput,
): Promise<BounceIngestResult> {
  if (!hasHeaderFields(input.raw)) {
    throw new AppError(
      400,
      'invalid_input',
      input.raw.length === 0
        ? 'The message is empty: give the raw bounce message, headers included.'
        : 'The message has no header fields, so it is not an email message: give the raw bounce message, headers included.',
    );
  }
  const sha256 = createHash('sha256').update(input.raw).digest('hex');
  const known = deps.store.bounces.getBySha256(sha256);
  if (known) return { bounce: known, created: false, events: 0 };

  const report = await parseBounce(input.raw);
  const now = deps.now();
  const scope = input.accountId ? [input.accountId] : input.scope;
  const verpMessageId = findVerpMessageId(deps, input, report);
  const counted = report.kind === 'bounce' || report.kind === 'feedback';
  const recipients = report.recipients.map((recipient) => {
    const match = counted
      ? matchSend(deps.store, recipient, report, verpMessageId, scope, now)
      : null;
    return stored(recipient, match);
  });
  const accountIds = new Set(
    recipients.flatMap((r) => (r.sendId ? [deps.store.sends.get(r.sendId)?.accountId ?? 0] : [])),
  );
  const accountId = accountIds.size === 1 ? [...accountIds][0] : (input.accountId ?? null);

  return deps.store.transaction(() => {
    const bounce = deps.store.bounces.add({
      rawSha256: sha256,
      receivedAt: now,
      source: input.source,
      kind: report.kind,
      accountId: accountId ?? null,
      envelopeTo: input.envelopeTo ?? null,
      fromAddress: report.headers?.from ?? null,
      subject: report.headers?.subject ?? null,
      originalMessageId: report.originalMessageId,
      recipients,
      matched: recipients.filter((r) => r.sendId !== null).length,
      size: input.raw.length,
      raw: input.raw.subarray(0, KEPT_RAW_BYTES),
    });
    // Another request stored the same message between the lookup and here.
    if (!bounce) {
      const existing = deps.store.bounces.getBySha256(sha256) as BounceRecord;
      return { bounce: existing, created: false, events: 0 };
    }
    let events = 0;
    for (const recipient of recipients) {
      if (recipient.sendId === null) continue;
      if (recordBounceEvent(deps.store, bounce, recipient, report, now)) events += 1;
    }
    return { bounce, created: true, events };
  });
}

/** True when the message starts with a header field (RFC 5322 2.2: a name, then a colon). */
function hasHeaderFields(raw: Buffer): boolean {
  // An mbox separator line or leading blank lines may come first.
  const head = raw
    .subarray(0, 1000)
    .toString('latin1')
    .replace(/^(\r?\n)+/, '')
    .replace(/^From [^\n]*\n/, '');
  return /^[\x21-\x39\x3b-\x7e]+:/.test(head);
}

function findVerpMessageId(
  deps: BounceIngestDeps,
  input: BounceInput,
  report: BounceReport,
): string | null {
  const messageDomain = deps.platform.fromAddress.split('@')[1] ?? '';
  const envelopeDomain = deps.platform.envelopeFrom.split('@')[1] ?? '';
  const candidates = [input.envelopeTo ?? '', ...(report.headers?.deliveredTo ?? [])];
  for (const address of candidates) {
    const messageId = messageIdFromVerp(address, messageDomain, envelopeDomain, deps.keyring);
    if (messageId) return messageId;
  }
  return null;
}

interface Match {
  send: SendRecord;
  by: NonNullable<StoredBounceRecipient['matchedBy']>;
}

function matchSend(
  store: Store,
  recipient: BounceRecipient,
  report: BounceReport,
  verpMessageId: string | null,
  scope: AccountScope,
  now: number,
): Match | null {
  const address = recipient.address?.toLowerCase() ?? null;
  const pick = (sends: SendRecord[]): SendRecord | null => {
    // A message to one recipient needs no address; otherwise the address picks the send.
    if (sends.length === 1 && (!address || sends[0]?.recipient.toLowerCase() === address)) {
      return sends[0] ?? null;
    }
    return sends.find((send) => send.recipient.toLowerCase() === address) ?? null;
  };
  if (verpMessageId) {
    const send = pick(store.sends.listByMessageId(verpMessageId, scope));
    if (send) return { send, by: 'verp' };
  }
  if (report.originalMessageId) {
    // Sends keep the Message-ID without its angle brackets.
    const messageId = report.originalMessageId.replace(/^<|>$/g, '');
    const send = pick(store.sends.listByMessageId(messageId, scope));
    if (send) return { send, by: 'message-id' };
  }
  if (address) {
    const send = store.sends.findLatestToRecipient(address, now - RECIPIENT_WINDOW_MS, now, scope);
    if (send) return { send, by: 'recipient-time' };
  }
  return null;
}

function stored(recipient: BounceRecipient, match: Match | null): StoredBounceRecipient {
  return {
    address: recipient.address,
    action: recipient.action,
    status: recipient.status,
    replyCode: recipient.replyCode,
    diagnostic: recipient.diagnostic,
    remoteHost: recipient.remoteHost,
    reason: recipient.reason,
    hardBounce: recipient.hardBounce,
    sendId: match?.send.id ?? null,
    matchedBy: match?.by ?? null,
  };
}

/** Returns the state a bounce moves its send to: a delay defers, a permanent failure bounces. */
function stateFor(recipient: StoredBounceRecipient): SendState {
  if (recipient.action === 'delayed') return 'deferred';
  return recipient.hardBounce ? 'bounced' : 'soft_bounced';
}

function recordBounceEvent(
  store: Store,
  bounce: BounceRecord,
  recipient: StoredBounceRecipient,
  report: BounceReport,
  now: number,
): boolean {
  const send = store.sends.get(recipient.sendId ?? 0);
  if (!send) return false;
  const data = { bounceId: bounce.id, ...recipient };
  const common = {
    sendId: send.id,
    accountId: send.accountId,
    source: 'bounce' as const,
    occurredAt: now,
    data,
    dedupKey: `bounce:${bounce.rawSha256}:${send.id}`,
  };
  if (report.kind === 'feedback') {
    return (
      recordEvent(store, { ...common, type: 'complaint', patch: { addComplaints: 1 } }, now)
        .event !== null
    );
  }
  const state = stateFor(recipient);
  return (
    recordEvent(
      store,
      {
        ...common,
        type: state,
        state,
        patch: {
          replyCode: recipient.replyCode,
          statusCode: recipient.status,
          detail: recipient.diagnostic,
          reason: recipient.reason,
        },
      },
      now,
    ).event !== null
  );
}
