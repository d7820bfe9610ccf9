import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AccountRecord, Store } from '../../db/types.js';
import { AppError } from '../errors.js';
import { recordEvent, type EventInput } from '../events/record.js';
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

type Mapped = Omit<EventInput, 'sendId' | 'accountId' | 'providerId' | 'source'>;

/**
 * Maps a webhook event onto the event the poller would record for the same
 * change, with the same dedup key, so that both sources count it once.
 */
function mapEvent(
  accountId: number,
  id: string,
  event: WebhookEvent,
  classify?: ReplyClassifier,
): Mapped | null {
  const key = `mandrill:${accountId}:${id}`;
  const at = event.ts * 1000;
  const diag = event.msg?.diag ?? event.msg?.bounce_description ?? null;
  const state = (
    type: 'delivered' | 'deferred' | 'bounced' | 'soft_bounced' | 'rejected',
  ): Mapped => {
    const bounce = type === 'bounced' || type === 'soft_bounced';
    const classified =
      bounce && classify ? classify({ diagnostic: event.msg?.diag ?? diag }) : null;
    return {
      type,
      occurredAt: at,
      dedupKey: `${key}:${type}`,
      state: type,
      data: event,
      patch: {
        providerStatus: event.msg?.state,
        detail: diag ?? `Mandrill reports the message as ${event.event}`,
        ...(bounce ? { reason: classified?.reason ?? null } : {}),
      },
    };
  };
  switch (event.event) {
    case 'send':
      return state('delivered');
    case 'deferral':
      return state('deferred');
    case 'hard_bounce':
      return state('bounced');
    case 'soft_bounce':
      return state('soft_bounced');
    case 'reject':
      return state('rejected');
    case 'open':
      return {
        type: 'open',
        occurredAt: at,
        dedupKey: `${key}:open:${event.ts}`,
        data: event,
        patch: { addOpens: 1 },
      };
    case 'click':
      return {
        type: 'click',
        occurredAt: at,
        dedupKey: `${key}:click:${event.ts}:${event.url ?? ''}`,
        data: event,
        patch: { addClicks: 1 },
      };
    case 'spam':
      return {
        type: 'complaint',
        occurredAt: at,
        dedupKey: `${key}:complaint`,
        data: event,
        patch: { addComplaints: 1 },
      };
    case 'unsub':
      return {
        type: 'unsubscribe',
        occurredAt: at,
        dedupKey: `${key}:unsubscribe`,
        data: event,
        patch: { addUnsubscribes: 1 },
      };
    default:
      return null;
  }
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
  for (const event of events) {
    const id = event.msg?._id ?? event._id;
    const email = event.msg?.email;
    const mapped = id && email ? mapEvent(account.id, id, event, options.classify) : null;
    if (!id || !email || !mapped) {
      counts.ignored += 1;
      continue;
    }
    const info = {
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
    const { send } = sendFor(store, account, info);
    const input: EventInput = {
      ...mapped,
      sendId: send.id,
      accountId: account.id,
      providerId: id,
      source: 'mandrill-webhook',
    };
    if (recordEvent(store, input, options.now).event) counts.recorded += 1;
  }
  return counts;
}
