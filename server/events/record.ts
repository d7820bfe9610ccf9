import type { EventRecord, EventSource, SendPatch, SendState, Store } from '../../db/types.js';
import { canMove } from './states.js';
import { suppressAfterEvent } from './suppression.js';

export type EventType = SendState | 'open' | 'click' | 'complaint' | 'unsubscribe';

/** Events that may put the recipient on the suppression list. */
const SUPPRESSING_EVENTS = new Set<EventType>(['bounced', 'rejected', 'complaint', 'unsubscribe']);

export interface EventInput {
  /** The send, or null when the provider reported a message the store does not know yet. */
  sendId: number | null;
  accountId: number;
  providerId?: string | null;
  type: EventType;
  source: EventSource;
  occurredAt: number;
  /** The provider's raw data, kept for support. */
  data?: unknown;
  dedupKey: string;
  /** The state this event moves the send to, if it is a state change. */
  state?: SendState;
  /** Other fields of the send to change along with the state. */
  patch?: Omit<SendPatch, 'state' | 'updatedAt'>;
}

export interface RecordResult {
  /** The stored event, or null when the same event had been recorded already. */
  event: EventRecord | null;
  stateChanged: boolean;
}

/**
 * Appends an event and projects it onto its send in one transaction. The
 * send's state changes only when the move is allowed; the event keeps the
 * state before and after, so every change leaves a trace. The store updates
 * the report counts of the send in the same transaction (in SQLite, triggers
 * on `sends` do).
 */
export function recordEvent(store: Store, input: EventInput, now: number): RecordResult {
  return store.transaction(() => {
    const send = input.sendId === null ? null : store.sends.get(input.sendId);
    const before = send?.state ?? null;
    const moves = Boolean(send && input.state && canMove(send.state, input.state));
    const after = moves ? (input.state as SendState) : before;
    const event = store.events.append({
      sendId: input.sendId,
      accountId: input.accountId,
      providerId: input.providerId ?? null,
      type: input.type,
      source: input.source,
      occurredAt: input.occurredAt,
      recordedAt: now,
      stateBefore: before,
      stateAfter: after,
      data: input.data ?? null,
      dedupKey: input.dedupKey,
    });
    if (!event || !send) return { event, stateChanged: false };

    const patch: SendPatch = { updatedAt: now };
    if (moves) Object.assign(patch, input.patch, { state: after });
    else if (input.patch) {
      // A state event that may not move the send keeps only its counters.
      patch.addOpens = input.patch.addOpens;
      patch.addClicks = input.patch.addClicks;
      patch.addComplaints = input.patch.addComplaints;
      patch.addUnsubscribes = input.patch.addUnsubscribes;
      if (!input.state) Object.assign(patch, input.patch);
    }
    store.sends.update(send.id, patch);
    if (SUPPRESSING_EVENTS.has(input.type) && (moves || !input.state)) {
      suppressAfterEvent(store, input.type, send.id, now);
    }
    return { event, stateChanged: moves };
  });
}

const COUNTERS = ['addOpens', 'addClicks', 'addComplaints', 'addUnsubscribes'] as const;

/** Adds an event's changes to a send's pending patch: counters add up, other fields replace. */
function mergePatch(into: SendPatch, patch: Omit<SendPatch, 'updatedAt'>): void {
  const { addOpens, addClicks, addComplaints, addUnsubscribes, ...fields } = patch;
  const added = { addOpens, addClicks, addComplaints, addUnsubscribes };
  for (const key of COUNTERS) {
    if (added[key] !== undefined) into[key] = (into[key] ?? 0) + added[key];
  }
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) Object.assign(into, { [key]: value });
  }
}

/**
 * Records a batch of events with the same results as `recordEvent` on each in turn, but
 * reads and writes each send once. The state moves are applied to a copy in memory, and the
 * send is written at the end, or before a suppression, which reads it. Must run inside one transaction. Returns how many events were new.
 */
export function recordEvents(store: Store, inputs: EventInput[], now: number): number {
  return store.transaction(() => {
    const sends = new Map<number, { state: SendState; patch: SendPatch | null }>();
    const flush = (sendId: number): void => {
      const pending = sends.get(sendId);
      if (pending?.patch) store.sends.update(sendId, pending.patch);
      if (pending) pending.patch = null;
    };
    let recorded = 0;
    for (const input of inputs) {
      let cached = input.sendId === null ? undefined : sends.get(input.sendId);
      if (input.sendId !== null && !cached) {
        const send = store.sends.get(input.sendId);
        cached = send ? { state: send.state, patch: null } : undefined;
        if (cached) sends.set(input.sendId, cached);
      }
      const before = cached?.state ?? null;
      const moves = Boolean(cached && input.state && canMove(cached.state, input.state));
      const after = moves ? (input.state as SendState) : before;
      const event = store.events.append({
        sendId: input.sendId,
        accountId: input.accountId,
        providerId: input.providerId ?? null,
        type: input.type,
        source: input.source,
        occurredAt: input.occurredAt,
        recordedAt: now,
        stateBefore: before,
        stateAfter: after,
        data: input.data ?? null,
        dedupKey: input.dedupKey,
      });
      if (!event) continue;
      recorded += 1;
      if (!cached || input.sendId === null) continue;
      const patch: SendPatch = cached.patch ?? { updatedAt: now };
      if (moves) {
        mergePatch(patch, { ...input.patch, state: after as SendState });
        cached.state = after as SendState;
      } else if (input.patch) {
        mergePatch(
          patch,
          input.state
            ? {
                addOpens: input.patch.addOpens,
                addClicks: input.patch.addClicks,
                addComplaints: input.patch.addComplaints,
                addUnsubscribes: input.patch.addUnsubscribes,
              }
            : input.patch,
        );
      }
      cached.patch = patch;
      if (SUPPRESSING_EVENTS.has(input.type) && (moves || !input.state)) {
        flush(input.sendId);
        suppressAfterEvent(store, input.type, input.sendId, now);
      }
    }
    for (const sendId of sends.keys()) flush(sendId);
    return recorded;
  });
}
