import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AccountRecord, Store } from '../../db/types.js';
import { AppError } from '../errors.js';
import { recordEvents, type EventInput } from '../events/record.js';
import type { ReplyClassifier } from '../sending/service.js';
import { sendFor } from './ingest.js';
import type { MandrillMessageInfo } from './types.js';

/** One event of a webhook batch, as Mandrill posts it in `mandrill_events`. */
export interface WebhookEvent {
  event: string;
  ts: number;
  _id?: string;
  url?: string;
  msg?: Partial<MandrillMessageInfo> & { _id?: string; email?: string };
}

/** Mandrill posts at most this many events in one batch. */
export const MAX_BATCH = 1000;

/**
 * Computes X-Mandrill-Signature: base64 of HMAC-SHA1 with the webhook key
 * over the URL exactly as registered, then each POST key and its value,
 * keys sorted (Mandrill's "Authenticating webhook requests").
 */
export function mandrillSignature(
  key: string,
  url: string,
  params: Record<string, string>,
): string {
  let signed = url;
  for (const name of Object.keys(params).sort()) signed += name + params[name];
  return createHmac('sha1', key).update(signed, 'utf8').digest('base64');
}

/** Compares the header with the expected signature in constant time. */
export function signatureMatches(expected: string, header: string | undefined): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(header ?? '');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Parses `mandrill_events`; throws a 400 AppError that says what is wrong. */
export function parseWebhookEvents(raw: unknown): WebhookEvent[] {
  if (typeof raw !== 'string') {
    throw new AppError(400, 'invalid_input', 'The form field mandrill_events is missing');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new AppError(400, 'invalid_input', 'The form field mandrill_events is not valid JSON');
  }
  if (!Array.isArray(parsed) || parsed.length > MAX_BATCH) {
    throw new AppError(
      400,
      'invalid_input',
      `mandrill_events must be a JSON array of at most ${MAX_BATCH} events`,
    );
  }
  for (const [index, event] of parsed.entries()) {
    const ok =
      event &&
      typeof event === 'object' &&
      typeof event.event === 'string' &&
      typeof event.ts === 'number';
    if (!ok) {
      throw new AppError(
        400,
        'invalid_input',
        `mandrill_events[${index}] needs a string "event" and a numeric "ts"`,
      );
    }
  }
  return parsed as WebhookEvent[];
}

/**
 * Maps a webhook event onto the event the poller would record for the same
 * change, with the same dedup key, so that both sources count it once. The
 * send is not known yet, so `sendId` is null for the caller to fill in.
 */
function mapEvent(
  accountId: number,
  id: string,
  event: WebhookEvent,
  classify?: ReplyClassifier,
): EventInput | null {
  const key = `mandrill:${accountId}:${id}`;
  const base = {
    sendId: null,
    accountId,
    providerId: id,
    source: 'mandrill-webhook' as const,
    occurredAt: event.ts * 1000,
    data: event,
  };
  // Own properties only, so that an event named "constructor" or "__proto__" is ignored.
  const type = Object.hasOwn(STATE_EVENTS, event.event) ? STATE_EVENTS[event.event] : undefined;
  if (type) {
    const diag = event.msg?.diag ?? event.msg?.bounce_description ?? null;
    const bounce = type === 'bounced' || type === 'soft_bounced';
    const classified =
      bounce && classify ? classify({ diagnostic: event.msg?.diag ?? diag }) : null;
    return {
      ...base,
      type,
      dedupKey: `${key}:${type}`,
      state: type,
      patch: {
        providerStatus: event.msg?.state,
        detail: diag ?? `Mandrill reports the message as ${event.event}`,
        ...(bounce ? { reason: classified?.reason ?? null } : {}),
      },
    };
  }
  const engagement = Object.hasOwn(ENGAGEMENT_EVENTS, event.event)
    ? ENGAGEMENT_EVENTS[event.event]
    : undefined;
  if (!engagement) return null;
  return {
    ...base,
    type: engagement.type,
    dedupKey: `${key}:${engagement.key(event)}`,
    patch: engagement.patch,
  };
}

type StateType = 'delivered' | 'deferred' | 'bounced' | 'soft_bounced' | 'rejected';

/** Mandrill's webhook events that change a send's state, and the state each one means. */
const STATE_EVENTS: Record<string, StateType | undefined> = {
  send: 'delivered',
  deferral: 'deferred',
  hard_bounce: 'bounced',
  soft_bounce: 'soft_bounced',
  reject: 'rejected',
};

/**
 * Engagement events, with the dedup key suffix the poller uses for the same
 * event: opens and clicks by time (and URL), a complaint or unsubscribe once.
 */
const ENGAGEMENT_EVENTS: Record<
  string,
  | { type: EventInput['type']; key: (event: WebhookEvent) => string; patch: EventInput['patch'] }
  | undefined
> = {
  open: { type: 'open', key: (e) => `open:${e.ts}`, patch: { addOpens: 1 } },
  click: { type: 'click', key: (e) => `click:${e.ts}:${e.url ?? ''}`, patch: { addClicks: 1 } },
  spam: { type: 'complaint', key: () => 'complaint', patch: { addComplaints: 1 } },
  unsub: { type: 'unsubscribe', key: () => 'unsubscribe', patch: { addUnsubscribes: 1 } },
};

/** Builds the message record the poller would fetch, from the copy a webhook event carries. */
function messageInfo(event: WebhookEvent, id: string, email: string): MandrillMessageInfo {
  return {
    ts: event.msg?.ts ?? event.ts,
    sender: event.msg?.sender ?? '',
    subject: event.msg?.subject ?? '',
    state: event.msg?.state ?? '',
    opens: 0,
    clicks: 0,
    ...event.msg,
    _id: id,
    email,
  } as MandrillMessageInfo;
}

/**
 * Records a batch of webhook events. Must run inside one transaction, so a
 * batch is stored whole or not at all; a repeated batch records nothing new.
 */
export function ingestWebhookEvents(
  store: Store,
  account: AccountRecord,
  events: WebhookEvent[],
  options: { now: number; classify?: ReplyClassifier },
): { received: number; recorded: number; ignored: number } {
  const counts = { received: events.length, recorded: 0, ignored: 0 };
  // A message's later events in the batch reuse the send its first event found or created.
  const sendIds = new Map<string, number>();
  const inputs: EventInput[] = [];
  for (const event of events) {
    const id = event.msg?._id ?? event._id;
    const email = event.msg?.email;
    const mapped = id && email ? mapEvent(account.id, id, event, options.classify) : null;
    if (!id || !email || !mapped) {
      counts.ignored += 1;
      continue;
    }
    let sendId = sendIds.get(id);
    if (sendId === undefined) {
      sendId = sendFor(store, account, messageInfo(event, id, email)).send.id;
      sendIds.set(id, sendId);
    }
    mapped.sendId = sendId;
    inputs.push(mapped);
  }
  counts.recorded = recordEvents(store, inputs, options.now);
  return counts;
}
