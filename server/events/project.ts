import {
  initialSendRecord,
  patchedSendRecord,
  type NewSend,
  type SendPatch,
  type SendRecord,
  type SendState,
  type Store,
} from '../../db/index.js';
import type { EventInput, EventType } from './record.js';
import { canMove } from './states.js';
import { suppressAfterEvent, suppressSend } from './suppression.js';

/** Events that may put the recipient on the suppression list. */
export const SUPPRESSING_EVENTS = new Set<EventType>([
  'bounced',
  'rejected',
  'complaint',
  'unsubscribe',
]);

const COUNTERS = ['addOpens', 'addClicks', 'addComplaints', 'addUnsubscribes'] as const;
const FIELDS = [
  'state',
  'providerId',
  'providerStatus',
  'replyCode',
  'statusCode',
  'reason',
  'detail',
] as const;

/** Adds an event's changes to a send's pending patch: counters add up, other fields replace. */
function mergePatch(into: SendPatch, patch: Omit<SendPatch, 'updatedAt'>, fields = true): void {
  for (const key of COUNTERS) {
    const added = patch[key];
    if (added !== undefined) into[key] = (into[key] ?? 0) + added;
  }
  if (!fields) return;
  for (const key of FIELDS) {
    const value = patch[key];
    if (value !== undefined) (into as Record<(typeof FIELDS)[number], unknown>)[key] = value;
  }
}

/** A send held in memory while events are applied, with the changes not yet written. */
interface PendingSend {
  state: SendState;
  patch: SendPatch | null;
  /** The send as stored, when known, so that writing the patch needs no read. */
  stored?: SendRecord;
}

/** The state an event finds its send in and the state it leaves it in. */
interface Step {
  before: SendState;
  after: SendState;
  moves: boolean;
}

function stepOf(pending: PendingSend, input: EventInput): Step {
  const moves = Boolean(input.state && canMove(pending.state, input.state));
  return {
    before: pending.state,
    after: moves ? (input.state as SendState) : pending.state,
    moves,
  };
}

/**
 * Applies a new event to the send in memory. A state event that may not move the send keeps
 * only its counters. Returns whether the event may put the recipient on the suppression list.
 */
function applyStep(pending: PendingSend, input: EventInput, step: Step, now: number): boolean {
  const patch = pending.patch ?? { updatedAt: now };
  if (step.moves) {
    if (input.patch) mergePatch(patch, input.patch);
    patch.state = step.after;
    pending.state = step.after;
  } else if (input.patch) {
    mergePatch(patch, input.patch, !input.state);
  }
  pending.patch = patch;
  return SUPPRESSING_EVENTS.has(input.type) && (step.moves || !input.state);
}

function appendEvent(
  store: Store,
  input: EventInput,
  sendId: number | null,
  states: { before: SendState | null; after: SendState | null },
  now: number,
): boolean {
  const event = store.events.append({
    sendId,
    accountId: input.accountId,
    providerId: input.providerId ?? null,
    type: input.type,
    source: input.source,
    occurredAt: input.occurredAt,
    recordedAt: now,
    stateBefore: states.before,
    stateAfter: states.after,
    data: input.data ?? null,
    dedupKey: input.dedupKey,
  });
  return event !== null;
}

/** The body of `recordEvents`, for sends that exist. Returns how many events were new. */
export function projectEvents(
  store: Store,
  inputs: EventInput[],
  now: number,
  known: ReadonlyMap<number, SendRecord> | undefined,
): number {
  const sends = new Map<number, PendingSend>();
  const flush = (sendId: number): void => {
    const pending = sends.get(sendId);
    if (!pending?.patch) return;
    store.sends.update(sendId, pending.patch, pending.stored);
    if (pending.stored) pending.stored = patchedSendRecord(pending.stored, pending.patch);
    pending.patch = null;
  };
  let recorded = 0;
  for (const input of inputs) {
    let pending = input.sendId === null ? undefined : sends.get(input.sendId);
    if (input.sendId !== null && !pending) {
      const send = known?.get(input.sendId) ?? store.sends.get(input.sendId);
      pending = send ? { state: send.state, patch: null, stored: send } : undefined;
      if (pending) sends.set(input.sendId, pending);
    }
    if (!pending || input.sendId === null) {
      // An event of no known send is kept as it is, to be linked when its send appears.
      const states = { before: null, after: null };
      if (appendEvent(store, input, input.sendId, states, now)) recorded += 1;
      continue;
    }
    const step = stepOf(pending, input);
    if (!appendEvent(store, input, input.sendId, step, now)) continue;
    recorded += 1;
    if (applyStep(pending, input, step, now)) {
      flush(input.sendId);
      suppressAfterEvent(store, input.type, input.sendId, now);
    }
  }
  for (const sendId of sends.keys()) flush(sendId);
  return recorded;
}

/**
 * Creates sends together with their first events. Each send is written once, in the state
 * its events leave it in, with the same result as creating it and then recording its events
 * one by one; a dedup key repeated among the inputs counts once. No stored event may have
 * one of the inputs' dedup keys, which holds for the events of a message that has no send
 * yet when its account has no events stored before their send. Must run inside a
 * transaction. Returns the sends and how many events were recorded.
 */
export function createWithEvents(
  store: Store,
  entries: { send: NewSend; inputs: EventInput[] }[],
  now: number,
): { sends: SendRecord[]; recorded: number } {
  const seen = new Set<string>();
  const sends: SendRecord[] = [];
  let recorded = 0;
  for (const entry of entries) {
    const initial = initialSendRecord(entry.send);
    const pending: PendingSend = { state: initial.state, patch: null };
    const steps: { input: EventInput; step: Step }[] = [];
    // The send as each suppressing event leaves it, which is what the suppression records.
    const suppressions: { type: EventType; send: SendRecord }[] = [];
    for (const input of entry.inputs) {
      if (seen.has(input.dedupKey)) continue;
      seen.add(input.dedupKey);
      const step = stepOf(pending, input);
      steps.push({ input, step });
      if (applyStep(pending, input, step, now)) {
        const send = patchedSendRecord(initial, pending.patch as SendPatch);
        suppressions.push({ type: input.type, send });
      }
    }
    const send = store.sends.create(entry.send, pending.patch ?? undefined);
    for (const { input, step } of steps) {
      if (!appendEvent(store, input, send.id, step, now)) {
        throw new Error(
          `Event ${input.dedupKey} is stored already, so send ${send.id} was written in a state its events do not give`,
        );
      }
    }
    for (const suppression of suppressions) {
      suppressSend(store, suppression.type, { ...suppression.send, id: send.id }, now);
    }
    recorded += steps.length;
    sends.push(send);
  }
  return { sends, recorded };
}
