import type {
  AccountRecord,
  EventSource,
  NewSend,
  SendRecord,
  SendState,
  Store,
} from '../../db/types.js';
import { recordEvent, type EventInput } from '../events/record.js';
import type { ReplyClassifier } from '../sending/service.js';
import { bounceReason } from './bounce-reasons.js';
import type { MandrillMessageInfo } from './types.js';

/** Mandrill's message states (search and info) and the send state each one means. */
const STATE_OF: Record<string, SendState> = {
  sent: 'delivered',
  bounced: 'bounced',
  'soft-bounced': 'soft_bounced',
  deferred: 'deferred',
  rejected: 'rejected',
  spam: 'delivered',
  unsub: 'delivered',
  queued: 'accepted',
  scheduled: 'accepted',
  canceled: 'rejected',
};

export interface IngestCounts {
  messages: number;
  newEvents: number;
  externalSends: number;
}

/**
 * Finds the send of a Mandrill message, or records the message as an
 * external send: it went through the same Mandrill account outside this
 * product, and reports must still match Mandrill's own.
 */
export function sendFor(
  store: Store,
  account: AccountRecord,
  info: MandrillMessageInfo,
): { send: SendRecord; created: boolean } {
  const existing =
    store.sends.findByProviderId(account.id, info._id) ?? adoptSend(store, account.id, info);
  if (existing) return { send: existing, created: false };
  const send = store.sends.create(externalSend(account, info));
  store.events.linkUnlinked(account.id, info._id, send.id);
  return { send, created: true };
}

/**
 * Finds the sends of many Mandrill messages of one account: by Mandrill id with one lookup,
 * then as `sendFor` does, with the message that `infoOf` returns. Returns the sends found by
 * Mandrill id and the ids of the messages that have none.
 */
export function findSends(
  store: Store,
  account: AccountRecord,
  ids: string[],
  infoOf: (id: string) => MandrillMessageInfo,
): { sends: Map<string, SendRecord>; missing: string[] } {
  const sends = new Map<string, SendRecord>();
  for (const send of store.sends.findByProviderIds(account.id, ids)) {
    sends.set(send.providerId as string, send);
  }
  const missing: string[] = [];
  for (const id of ids) {
    if (sends.has(id)) continue;
    const ours = adoptSend(store, account.id, infoOf(id));
    if (ours) sends.set(id, ours);
    else missing.push(id);
  }
  return { sends, missing };
}

/**
 * Returns the product's own send of a message not yet known by its Mandrill id, giving it
 * that id. A message the product sent carries its Message-ID in the metadata, and its send
 * exists from before the hand-off, even when this report arrives before the send call has
 * returned.
 */
function adoptSend(store: Store, accountId: number, info: MandrillMessageInfo): SendRecord | null {
  const messageId = info.metadata?.message_id;
  if (!messageId) return null;
  const ours = store.sends.findByMessageRecipient(accountId, messageId, info.email);
  if (!ours) return null;
  if (!ours.providerId) {
    store.sends.update(ours.id, { providerId: info._id, updatedAt: ours.updatedAt });
  }
  return { ...ours, providerId: info._id };
}

/** Builds the send to record for a message sent through the account outside this product. */
export function externalSend(account: AccountRecord, info: MandrillMessageInfo): NewSend {
  return {
    accountId: account.id,
    messageId: info.metadata?.message_id ?? `mandrill-${info._id}`,
    method: 'mandrill',
    kind: 'external',
    headerFrom: info.sender,
    replyTo: null,
    envelopeFrom: null,
    recipient: info.email,
    subject: info.subject ?? null,
    state: 'accepted',
    providerId: info._id,
    providerStatus: info.state,
    createdAt: info.ts * 1000,
  };
}

/**
 * Dates a state that Mandrill reports. Mandrill gives no time for the state itself, so the best
 * one is the ts of the last smtp_event (the delivery attempt behind it), or else the message's
 * ts (its send time), in whole seconds. The state cannot precede the send's creation or its
 * latest state change, so the time is raised to those. `send.updatedAt` plays no part, because
 * it is when the product last wrote the send, not a time Mandrill gave. A webhook dates the same
 * change by the event's ts, the time Mandrill gives for it. Both share a dedup key, so whichever
 * arrives first sets the time.
 */
function stateTime(store: Store, send: SendRecord, info: MandrillMessageInfo): number {
  const reported = (info.smtp_events?.at(-1)?.ts ?? info.ts) * 1000;
  return Math.max(reported, send.createdAt, store.events.lastStateChangeAt(send.id) ?? 0);
}

function stateEvent(
  store: Store,
  account: AccountRecord,
  send: SendRecord,
  info: MandrillMessageInfo,
  source: EventSource,
  classify?: ReplyClassifier,
): EventInput | null {
  const state = STATE_OF[info.state];
  if (!state || state === 'accepted') return null;
  const diagnostic = info.bounce_description ?? info.diag ?? null;
  const bounce = state === 'bounced' || state === 'soft_bounced';
  const classified = bounce && classify ? classify({ diagnostic: info.diag ?? diagnostic }) : null;
  return {
    sendId: send.id,
    accountId: account.id,
    providerId: info._id,
    type: state,
    source,
    occurredAt: stateTime(store, send, info),
    data: {
      state: info.state,
      diag: info.diag,
      bounce_description: info.bounce_description,
      smtp_events: info.smtp_events,
    },
    // The key names the real-world event and its account, not the way it
    // arrived, so a poll and a webhook reporting the same change count once,
    // and two accounts never share an event.
    dedupKey: `mandrill:${account.id}:${info._id}:${state}`,
    state,
    patch: {
      providerStatus: info.state,
      detail: diagnostic ?? `Mandrill reports the message as ${info.state}`,
      reason: bounce ? bounceReason(classified?.reason, info.bounce_description) : undefined,
    },
  };
}

function engagementEvents(
  account: AccountRecord,
  send: SendRecord,
  info: MandrillMessageInfo,
  source: EventSource,
): EventInput[] {
  const base = { sendId: send.id, accountId: account.id, providerId: info._id, source };
  const events: EventInput[] = [];
  for (const open of info.opens_detail ?? []) {
    events.push({
      ...base,
      type: 'open',
      occurredAt: open.ts * 1000,
      data: open,
      dedupKey: `mandrill:${account.id}:${info._id}:open:${open.ts}`,
      patch: { addOpens: 1 },
    });
  }
  for (const click of info.clicks_detail ?? []) {
    events.push({
      ...base,
      type: 'click',
      occurredAt: click.ts * 1000,
      data: click,
      dedupKey: `mandrill:${account.id}:${info._id}:click:${click.ts}:${click.url}`,
      patch: { addClicks: 1 },
    });
  }
  if (info.state === 'spam') {
    events.push({
      ...base,
      type: 'complaint',
      occurredAt: info.ts * 1000,
      data: { state: info.state },
      dedupKey: `mandrill:${account.id}:${info._id}:complaint`,
      patch: { addComplaints: 1 },
    });
  }
  if (info.state === 'unsub') {
    events.push({
      ...base,
      type: 'unsubscribe',
      occurredAt: info.ts * 1000,
      data: { state: info.state },
      dedupKey: `mandrill:${account.id}:${info._id}:unsubscribe`,
      patch: { addUnsubscribes: 1 },
    });
  }
  return events;
}

/**
 * Records what Mandrill reports of some messages as events. Each event has a
 * key of its own, so fetching the same messages again records nothing new.
 * Must run inside a transaction together with the cursor that covers them.
 */
export function ingestMessages(
  store: Store,
  account: AccountRecord,
  messages: MandrillMessageInfo[],
  options: { source: EventSource; now: number; classify?: ReplyClassifier },
): IngestCounts {
  const counts: IngestCounts = { messages: messages.length, newEvents: 0, externalSends: 0 };
  // One batch, so that the report rows are written once for all the messages.
  store.sends.batch(() => {
    for (const info of messages) {
      const { send, created } = sendFor(store, account, info);
      if (created) counts.externalSends += 1;
      const state = stateEvent(store, account, send, info, options.source, options.classify);
      const events = [
        ...(state ? [state] : []),
        ...engagementEvents(account, send, info, options.source),
      ];
      for (const event of events) {
        if (recordEvent(store, event, options.now).event) counts.newEvents += 1;
      }
    }
  });
  return counts;
}
