import { createHmac } from 'node:crypto';

/** Messages per batch. Each has two events, so a batch carries Mandrill's maximum of 1000. */
export const MESSAGES_PER_BATCH = 500;
export const EVENTS_PER_BATCH = MESSAGES_PER_BATCH * 2;

export interface BatchMessage {
  id: string;
  /** The send state the message ends in. */
  state: 'delivered' | 'bounced';
  opens: number;
  clicks: number;
}

export interface WebhookBatch {
  index: number;
  events: unknown[];
  messages: BatchMessage[];
  /** The dedup key of each event, in the format ARCHITECTURE.md gives for Mandrill events. */
  dedupKeys: string[];
}

/**
 * Builds batch `index` of a stream: 500 messages unknown to the server, each
 * with a state event (every tenth a hard bounce) and an open or a click.
 * Message ids and times derive from the index, so batches never share an
 * event and building a batch twice gives the same events.
 */
export function buildWebhookBatch(index: number, accountId: number, baseTs: number): WebhookBatch {
  const events: unknown[] = [];
  const messages: BatchMessage[] = [];
  const dedupKeys: string[] = [];
  for (let j = 0; j < MESSAGES_PER_BATCH; j += 1) {
    const id = `b${String(index).padStart(4, '0')}m${String(j).padStart(4, '0')}`;
    const ts = baseTs + index * MESSAGES_PER_BATCH + j;
    const bounce = j % 10 === 0;
    const click = j % 10 === 1;
    const msg = {
      _id: id,
      ts,
      email: `guest${j}@guests.example`,
      sender: 'desk@hooked.example',
      subject: `Batch ${index} message ${j}`,
      state: bounce ? 'bounced' : 'sent',
      ...(bounce ? { diag: 'smtp;550 5.1.1 user unknown' } : {}),
    };
    const url = `https://stay.example/b/${index}/${j}`;
    events.push({ event: bounce ? 'hard_bounce' : 'send', ts, _id: id, msg });
    dedupKeys.push(`mandrill:${accountId}:${id}:${bounce ? 'bounced' : 'delivered'}`);
    if (click) {
      events.push({ event: 'click', ts: ts + 60, _id: id, url, msg });
      dedupKeys.push(`mandrill:${accountId}:${id}:click:${ts + 60}:${url}`);
    } else {
      events.push({ event: 'open', ts: ts + 60, _id: id, msg });
      dedupKeys.push(`mandrill:${accountId}:${id}:open:${ts + 60}`);
    }
    messages.push({
      id,
      state: bounce ? 'bounced' : 'delivered',
      opens: click ? 0 : 1,
      clicks: click ? 1 : 0,
    });
  }
  return { index, events, messages, dedupKeys };
}

/**
 * Encodes a batch as the form body Mandrill posts, with its signature:
 * base64 HMAC-SHA1 with the webhook key over the registered URL followed by
 * each form key and value, keys sorted.
 */
export function signedWebhookBody(
  signedUrl: string,
  key: string,
  events: unknown[],
): { body: string; signature: string } {
  const mandrillEvents = JSON.stringify(events);
  const signature = createHmac('sha1', key)
    .update(`${signedUrl}mandrill_events${mandrillEvents}`)
    .digest('base64');
  return { body: new URLSearchParams({ mandrill_events: mandrillEvents }).toString(), signature };
}

/** Posts a body made by `signedWebhookBody` and returns the status and the parsed JSON body. */
export async function postSignedBody(
  url: string,
  signed: { body: string | Uint8Array<ArrayBuffer>; signature: string },
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-mandrill-signature': signed.signature,
    },
    body: signed.body,
  });
  return { status: response.status, body: await response.json() };
}
