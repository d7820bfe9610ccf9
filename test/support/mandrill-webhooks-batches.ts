import { createHmac } from 'node:crypto';

/** Messages per batch. Each has two events, so a batch carries Mandrill's maximum of 1000. */
export const MESSAGES_PER_BATCH = 500;
export const EVENTS_PER_BATCH = MESSAGES_PER_BATCH * 2;

export interface BatchMessage {
  id: string;
  email: string;
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

/** The Message-ID the product gives message `j` of batch `index` when it sends it. */
export function batchMessageId(index: number, j: number): string {
  return `<b${index}m${j}@hooked.example>`;
}

/** Where the open and click events of a batch come from, in the shape of Mandrill's examples. */
const READER = {
  ip: '198.51.100.23',
  location: {
    country_short: 'US',
    country: 'United States',
    region: 'Oklahoma',
    city: 'Oklahoma City',
    latitude: 35.4675598145,
    longitude: -97.5164337158,
    postal_code: '73101',
    timezone: '-05:00',
  },
  user_agent:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  user_agent_parsed: {
    type: 'Email Client',
    ua_family: 'Apple Mail',
    ua_name: 'Apple Mail 16.0',
    ua_version: '16.0',
    ua_url: 'https://www.apple.com/macos/mail/',
    ua_company: 'Apple Inc.',
    ua_company_url: 'https://www.apple.com/',
    ua_icon: 'https://mandrillapp.com/img/email-client-icons/apple-mail.png',
    os_family: 'OS X',
    os_name: 'OS X 10.15 Catalina',
    os_url: 'https://www.apple.com/macos/',
    os_company: 'Apple Computer, Inc.',
    os_company_url: 'https://www.apple.com/',
    os_icon: 'https://mandrillapp.com/img/email-client-icons/macosx.png',
    mobile: false,
  },
};

/**
 * Builds batch `index` of a stream: 500 messages, each with a state event (every tenth a
 * hard bounce) and an open or a click. The events have the fields of Mandrill's webhook
 * examples: the message's copy with its tags, metadata, opens, clicks and SMTP events, and
 * for opens and clicks the reader's IP, location and user agent. With `ours`, the metadata
 * carries the Message-ID the product gave the message (`batchMessageId`), as for mail the
 * product sent; without, the messages were sent outside the product. Message ids and times
 * derive from the index, so batches never share an event and building a batch twice gives
 * the same events.
 */
export function buildWebhookBatch(
  index: number,
  accountId: number,
  baseTs: number,
  options: { ours?: boolean } = {},
): WebhookBatch {
  const events: unknown[] = [];
  const messages: BatchMessage[] = [];
  const dedupKeys: string[] = [];
  for (let j = 0; j < MESSAGES_PER_BATCH; j += 1) {
    const id = `b${String(index).padStart(4, '0')}m${String(j).padStart(4, '0')}`;
    const ts = baseTs + index * MESSAGES_PER_BATCH + j;
    const bounce = j % 10 === 0;
    const click = j % 10 === 1;
    const url = `https://stay.example/b/${index}/${j}`;
    const diag = bounce
      ? 'smtp;550 5.1.1 The email account that you tried to reach does not exist.'
      : '250 2.0.0 OK 1733300000 a1si123456qkb.42 - gsmtp';
    const msg = {
      ts,
      subject: `Batch ${index} message ${j}`,
      email: `guest${j}@guests.example`,
      sender: 'desk@hooked.example',
      tags: ['booking-confirmation'],
      opens: bounce ? [] : [{ ts: ts + 60 }],
      clicks: click ? [{ ts: ts + 60, url }] : [],
      state: bounce ? 'bounced' : 'sent',
      metadata: options.ours ? { message_id: batchMessageId(index, j) } : { user_id: 111 },
      _id: id,
      _version: `v${id}`,
      subaccount: null,
      diag,
      ...(bounce ? { bounce_description: 'bad_mailbox' } : {}),
      smtp_events: [
        {
          ts: ts + 2,
          type: bounce ? 'bounced' : 'sent',
          diag,
          source_ip: '198.2.128.1',
          destination_ip: '192.0.2.25',
          size: 18_402,
        },
      ],
      resends: [],
    };
    events.push({ event: bounce ? 'hard_bounce' : 'send', ts, _id: id, msg });
    dedupKeys.push(`mandrill:${accountId}:${id}:${bounce ? 'bounced' : 'delivered'}`);
    if (click) {
      events.push({ event: 'click', ts: ts + 60, _id: id, url, ...READER, msg });
      dedupKeys.push(`mandrill:${accountId}:${id}:click:${ts + 60}:${url}`);
    } else {
      events.push({ event: 'open', ts: ts + 60, _id: id, ...READER, msg });
      dedupKeys.push(`mandrill:${accountId}:${id}:open:${ts + 60}`);
    }
    messages.push({
      id,
      email: msg.email,
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
