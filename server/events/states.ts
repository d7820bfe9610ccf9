import type { SendState } from '../../db/types.js';

/**
 * Where a send may go from each state. States move forward only: a late
 * "delivered" after a bounce is kept as an event but does not undo the bounce.
 * `delivered` may still become `bounced`, because receivers accept a message
 * and bounce it later (an asynchronous bounce).
 */
const NEXT_STATES: Record<SendState, readonly SendState[]> = {
  queued: [
    'accepted',
    'delivered',
    'deferred',
    'soft_bounced',
    'bounced',
    'rejected',
    'failed',
    'unknown',
    'suppressed',
  ],
  unknown: ['accepted', 'delivered', 'deferred', 'soft_bounced', 'bounced', 'rejected', 'failed'],
  accepted: ['delivered', 'deferred', 'soft_bounced', 'bounced', 'rejected'],
  deferred: ['delivered', 'soft_bounced', 'bounced', 'rejected'],
  soft_bounced: ['delivered', 'deferred', 'bounced', 'rejected'],
  delivered: ['bounced'],
  bounced: [],
  rejected: [],
  failed: [],
  suppressed: [],
};

export function canMove(from: SendState, to: SendState): boolean {
  return NEXT_STATES[from].includes(to);
}

export const ALL_STATES = Object.keys(NEXT_STATES) as SendState[];
