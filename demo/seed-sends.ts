import type { DemoAccount } from './accounts.js';
import { DemoApiError, type DemoApi } from './api.js';
import type { DemoClock } from './clock.js';
import type { DemoPlan, PlannedSend } from './plan.js';

/** A send as the API returned it, with the demo account it belongs to. */
export interface SeededSend {
  id: number;
  account: DemoAccount;
  recipient: string;
  state: string;
  messageId: string;
  providerId: string | null;
  /** The server's clock when the send was requested, in Unix milliseconds. */
  at: number;
}

/** Requests in flight at once: enough to overlap the SMTP hand-offs on two cores. */
const CONCURRENCY = 6;

/**
 * Makes the plan's send requests over the API in time order, moving the server's clock to each
 * request's planned time first, so the sends are stamped over the plan's days.
 */
export async function seedSends(
  api: DemoApi,
  ids: Map<string, number>,
  plan: DemoPlan,
  clock: DemoClock,
  onProgress?: (done: number, total: number) => void,
): Promise<SeededSend[]> {
  const results: SeededSend[] = [];
  let next = 0;
  let done = 0;
  const sendOne = async (planned: PlannedSend) => {
    clock.advanceTo(planned.at);
    const accountId = ids.get(planned.account.key);
    const response = await api
      .json('POST', `/api/accounts/${accountId}/sends`, {
        to: planned.to,
        subject: planned.subject,
        text: planned.text,
        kind: planned.kind,
      })
      .catch((error: unknown) => {
        // Many messages over few days exceed the smtp method's automated-send caps, as a real
        // CRM rule would. The server refuses those requests with 429 and records no send.
        if (error instanceof DemoApiError && error.status === 429) return { sends: [] };
        throw error;
      });
    for (const send of response.sends) {
      results.push({
        id: send.id,
        account: planned.account,
        recipient: send.recipient,
        state: send.state,
        messageId: send.messageId,
        providerId: send.providerId ?? null,
        at: planned.at,
      });
    }
    done += 1;
    onProgress?.(done, plan.sends.length);
  };
  const worker = async () => {
    while (next < plan.sends.length) {
      const planned = plan.sends[next] as PlannedSend;
      next += 1;
      await sendOne(planned);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return results.sort((a, b) => a.id - b.id);
}
