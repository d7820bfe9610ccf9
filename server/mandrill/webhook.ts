import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AccountRecord, SendRecord, Store } from '../../db/types.js';
import { AppError } from '../errors.js';
import { formText, type FormField } from './webhook-form.js';
import { createWithEvents } from '../events/project.js';
import { recordEvents, type EventInput } from '../events/record.js';
import type { ReplyClassifier } from '../sending/service.js';
import { externalSend, findSends, sendFor } from './ingest.js';
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

/** Orders two field names by their UTF-16 code units, as `<` compares strings. */
function compareNames(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/**
 * Computes X-Mandrill-Signature: base64 of HMAC-SHA1 with the webhook key
 * over the URL exactly as registered, then each POST key and its value,
 * keys sorted (Mandrill's "Authenticating webhook requests"). Values are
 * hashed as the UTF-8 bytes the form decoded to.
 */
export function mandrillSignature(key: string, url: string, fields: FormField[]): string {
  const hmac = createHmac('sha1', key).update(url, 'utf8');
  const sorted = [...fields].sort((a, b) => compareNames(a.name, b.name));
  for (const field of sorted) hmac.update(field.name, 'utf8').update(field.value);
  return hmac.digest('base64');
}

/** Compares the header with the expected signature in constant time. */
export function signatureMatches(expected: string, header: string | undefined): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(header ?? '');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Parses `mandrill_events`; throws a 400 AppError that says what is wrong. */
export function parseWebhookEvents(fields: FormField[]): WebhookEvent[] {
  const field = fields.find((f) => f.name === 'mandrill_events');
  if (!field) {
    throw new AppError(400, 'invalid_input', 'The form field mandrill_events is missing');
  }
  const raw = formText(field);
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
  const input = (
    fields: Pick<EventInput, 'type' | 'dedupKey' | 'state' | 'patch'>,
  ): EventInput => ({
    sendId: null,
    accountId,
    providerId: id,
    source: 'mandrill-webhook',
    occurredAt: event.ts * 1000,
    data: event,
    ...fields,
  });
  // Own properties only, so that an event named "constructor" or "__proto__" is ignored.
  const type = Object.hasOwn(STATE_EVENTS, event.event) ? STATE_EVENTS[event.event] : undefined;
  if (type) {
    const diag = event.msg?.diag ?? event.msg?.bounce_description ?? null;
    const bounce = type === 'bounced' || type === 'soft_bounced';
    const classified =
      bounce && classify ? classify({ diagnostic: event.msg?.diag ?? diag }) : null;
    const detail = diag ?? `Mandrill reports the message as ${STATE_WORDS[type]}`;
    return input({
      type,
      dedupKey: `${key}:${type}`,
      state: type,
      patch: bounce
        ? { providerStatus: event.msg?.state, detail, reason: classified?.reason ?? null }
        : { providerStatus: event.msg?.state, detail },
    });
  }
  const engagement = Object.hasOwn(ENGAGEMENT_EVENTS, event.event)
    ? ENGAGEMENT_EVENTS[event.event]
    : undefined;
  if (!engagement) return null;
  return input({
    type: engagement.type,
    dedupKey: `${key}:${engagement.key(event)}`,
    patch: engagement.patch,
  });
}

type StateType = 'delivered' | 'deferred' | 'bounced' | 'soft_bounced' | 'rejected';

/** Each state in the words of Mandrill's own message states, for a detail without a diagnostic. */
const STATE_WORDS: Record<StateType, string> = {
  delivered: 'sent',
  deferred: 'deferred',
  bounced: 'bounced',
  soft_bounced: 'soft-bounced',
  rejected: 'rejected',
};

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
 * The sends of all its messages are found with one lookup, and the report
 * counts are brought up to date once for the batch.
 */
export function ingestWebhookEvents(
  store: Store,
  account: AccountRecord,
  events: WebhookEvent[],
  options: { now: number; classify?: ReplyClassifier },
): { received: number; recorded: number; ignored: number } {
  const counts = { received: events.length, recorded: 0, ignored: 0 };
  const inputs: EventInput[] = [];
  const ids: string[] = [];
  // Each message's first event supplies the copy of the message that creates an unknown send.
  const firstEvents = new Map<string, WebhookEvent>();
  for (const event of events) {
    const id = event.msg?._id ?? event._id;
    const input = id && event.msg?.email ? mapEvent(account.id, id, event, options.classify) : null;
    if (!id || !input) {
      counts.ignored += 1;
      continue;
    }
    if (!firstEvents.has(id)) firstEvents.set(id, event);
    inputs.push(input);
    ids.push(id);
  }
  const infoOf = (id: string) => {
    const event = firstEvents.get(id) as WebhookEvent;
    return messageInfo(event, id, event.msg?.email as string);
  };
  return store.sends.batch(() => {
    const { sends, missing } = findSends(store, account, [...firstEvents.keys()], infoOf);
    const created = createMissing(store, account, missing, inputs, ids, infoOf, options.now);
    counts.recorded += created.recorded;
    for (const send of created.sends) sends.set(send.providerId as string, send);

    const known = new Map<number, SendRecord>();
    const rest: EventInput[] = [];
    inputs.forEach((input, i) => {
      if (created.handled.has(ids[i] as string)) return;
      const send = sends.get(ids[i] as string) as SendRecord;
      input.sendId = send.id;
      known.set(send.id, send);
      rest.push(input);
    });
    counts.recorded += recordEvents(store, rest, options.now, { sends: known });
    return counts;
  });
}

/**
 * Records the messages that have no send as external sends. Unless the account has events
 * stored before their send, which must be linked and counted first, each send is created in
 * the state its events in this batch leave it in, with them. Returns the sends, the ids whose
 * events are recorded and how many were.
 */
function createMissing(
  store: Store,
  account: AccountRecord,
  missing: string[],
  inputs: EventInput[],
  ids: string[],
  infoOf: (id: string) => MandrillMessageInfo,
  now: number,
): { sends: SendRecord[]; handled: Set<string>; recorded: number } {
  if (missing.length === 0) return { sends: [], handled: new Set(), recorded: 0 };
  if (store.events.hasUnlinked(account.id)) {
    const sends = missing.map((id) => sendFor(store, account, infoOf(id)).send);
    return { sends, handled: new Set(), recorded: 0 };
  }
  const byId = new Map<string, EventInput[]>(missing.map((id) => [id, []]));
  inputs.forEach((input, i) => byId.get(ids[i] as string)?.push(input));
  const entries = missing.map((id) => ({
    send: externalSend(account, infoOf(id)),
    inputs: byId.get(id) as EventInput[],
  }));
  const created = createWithEvents(store, entries, now);
  return { sends: created.sends, handled: new Set(missing), recorded: created.recorded };
}
