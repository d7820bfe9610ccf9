import type { Store } from '../../db/types.js';
import { recordEvent } from '../events/record.js';

/**
 * Marks sends left queued by a previous process as `unknown`: it stopped
 * during their hand-off, so whether the server took them cannot be known.
 * Runs at start-up, before any new send. Returns how many were marked.
 */
export function markInterruptedSends(store: Store, now: number): number {
  let marked = 0;
  for (;;) {
    const batch = store.sends.listQueued(500);
    if (batch.length === 0) return marked;
    const changed = store.transaction(() => {
      let count = 0;
      for (const send of batch) {
        const result = recordEvent(
          store,
          {
            sendId: send.id,
            accountId: send.accountId,
            type: 'unknown',
            source: 'api',
            occurredAt: now,
            dedupKey: `send:${send.id}:handoff`,
            state: 'unknown',
            patch: {
              detail: 'The server stopped during the hand-off; whether the message left is unknown',
            },
          },
          now,
        );
        if (result.stateChanged) count += 1;
      }
      return count;
    });
    // A batch that changed nothing would come back forever.
    if (changed === 0) return marked;
    marked += changed;
  }
}
