import type {
  EventRecord,
  EventSource,
  SendPatch,
  SendRecord,
  SendState,
  Store,
} from '../../db/types.js';
import { projectEvents, SUPPRESSING_EVENTS } from './project.js';
import { canMove } from './states.js';
import { suppressAfterEvent } from './suppression.js';

export type EventType = SendState | 'open' | 'click' | 'complaint' | 'unsubscribe';

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
 * the report counts of the send in the same transaction.
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

/**
 * Records a batch of events with the same results as `recordEvent` on each in turn, but
 * reads and writes each send once and writes the report counts once (`sends.batch`). The
 * state moves are applied to a copy in memory, and the send is written at the end, or before
 * a suppression, which reads it. `sends` may hold records of the sends as they are in the
 * store, read by the caller in the same transaction, to save reading them again. Must run
 * inside one transaction. Returns how many events were new.
 */
export function recordEvents(
  store: Store,
  inputs: EventInput[],
  now: number,
  options: { sends?: ReadonlyMap<number, SendRecord> } = {},
): number {
  return store.transaction(() =>
    store.sends.batch(() => projectEvents(store, inputs, now, options.sends)),
  );
}
