import type { MandrillMessageInfo } from '../server/mandrill/types.js';
import type { MandrillStandIn } from '../test/support/mandrill-standin.js';
import { postSignedBody, signedWebhookBody } from '../test/support/mandrill-webhooks-batches.js';
import type { Random } from './random.js';
import type { SeededSend } from './seed-sends.js';

/** Mandrill posts at most 1000 events in one webhook batch. */
const EVENTS_PER_BATCH = 1000;

export interface MandrillCounts {
  delivered: number;
  bounced: number;
  softBounced: number;
  complaints: number;
  opened: number;
  clicked: number;
  webhookBatches: number;
  webhookEvents: number;
}

type Patch = Partial<MandrillMessageInfo>;

/** Diagnostics, each with a bounce_description that server/mandrill/bounce-reasons.ts maps. */
const HARD_DIAGNOSTICS = [
  ['smtp;550 5.1.1 The email account that you tried to reach does not exist.', 'bad_mailbox'],
  [
    'smtp;550 5.1.1 <recipient>: Recipient address rejected: User unknown in virtual mailbox table',
    'bad_mailbox',
  ],
  ['smtp;554 5.7.1 Service unavailable; Client host blocked using a blocklist', 'spam_related'],
] as const;
const SOFT_DIAGNOSTICS = [
  ['smtp;452 4.2.2 The email account that you tried to reach is over quota.', 'mailbox_full'],
  ['smtp;421 4.7.0 Try again later, closing connection.', 'time_out'],
] as const;
const LINKS = [
  'https://stays.example/booking/confirm',
  'https://stays.example/directions',
  'https://stays.example/review',
];

function engagement(random: Random, sentTs: number, latestTs: number): Patch {
  if (!random.chance(0.45)) return {};
  const openTimes = Array.from({ length: random.integer(1, 3) }, () =>
    Math.min(latestTs, sentTs + random.integer(120, 36 * 3600)),
  ).sort((a, b) => a - b);
  const opens_detail = openTimes.map((ts) => ({
    ts,
    ip: '198.51.100.7',
    location: 'Portland, US',
    ua: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)',
  }));
  const first = openTimes[0] as number;
  const clicks_detail = random.chance(0.25)
    ? [{ ts: Math.min(latestTs, first + 30), url: random.pick(LINKS), ip: '198.51.100.7' }]
    : [];
  return { opens: opens_detail.length, opens_detail, clicks: clicks_detail.length, clicks_detail };
}

/**
 * Decides the later state and engagement of the `index`th Mandrill message, as Mandrill would
 * report them: every 40th bounces, every 60th soft-bounces and every 250th is marked as spam,
 * starting early so that a small demo has each.
 */
function outcomeOf(
  random: Random,
  info: MandrillMessageInfo,
  index: number,
  latestTs: number,
): Patch {
  if (index % 40 === 7) {
    const [diag, description] = random.pick(HARD_DIAGNOSTICS);
    return {
      state: 'bounced',
      diag: diag.replace('recipient', info.email),
      bounce_description: description,
    };
  }
  if (index % 60 === 11) {
    const [diag, description] = random.pick(SOFT_DIAGNOSTICS);
    return { state: 'soft-bounced', diag, bounce_description: description };
  }
  const opened = engagement(random, info.ts, latestTs);
  if (index % 250 === 13) return { state: 'spam', ...opened };
  return { state: 'sent', ...opened };
}

/** Builds the webhook events that Mandrill posts for a message in the state `info` shows. */
function webhookEvents(info: MandrillMessageInfo): unknown[] {
  const msg = { ...info };
  const stateEvent =
    info.state === 'bounced'
      ? 'hard_bounce'
      : info.state === 'soft-bounced'
        ? 'soft_bounce'
        : 'send';
  const events: unknown[] = [{ event: stateEvent, ts: info.ts, _id: info._id, msg }];
  for (const open of info.opens_detail ?? []) {
    events.push({
      event: 'open',
      ts: open.ts,
      _id: info._id,
      msg,
      ip: open.ip,
      location: open.location,
    });
  }
  for (const click of info.clicks_detail ?? []) {
    events.push({ event: 'click', ts: click.ts, _id: info._id, msg, url: click.url });
  }
  if (info.state === 'spam') events.push({ event: 'spam', ts: info.ts + 3600, _id: info._id, msg });
  return events;
}

/**
 * Moves the Mandrill messages of the demo sends to their later states on the stand-in:
 * delivered, bounced with a diagnostic, soft-bounced, marked as spam, opened and clicked.
 * Accounts with a webhook key also get the same changes as signed webhook batches. The events
 * carry the dedup keys the poller uses, so its later run records none of them twice.
 */
export async function seedMandrillOutcomes(
  mandrill: MandrillStandIn,
  sends: SeededSend[],
  webhook: { publicUrl: string; ids: Map<string, number> },
  random: Random,
  nowMs: number,
): Promise<MandrillCounts> {
  const counts: MandrillCounts = {
    delivered: 0,
    bounced: 0,
    softBounced: 0,
    complaints: 0,
    opened: 0,
    clicked: 0,
    webhookBatches: 0,
    webhookEvents: 0,
  };
  const latestTs = Math.floor(nowMs / 1000) - 60;
  const hooked = new Map<string, unknown[]>();
  let index = 0;
  for (const send of sends) {
    if (send.account.method !== 'mandrill' || !send.providerId || send.state !== 'accepted')
      continue;
    const info = mandrill.messages.get(send.providerId);
    if (!info) continue;
    const patch = outcomeOf(random, info, index, latestTs);
    index += 1;
    mandrill.update(info._id, patch);
    if (patch.state === 'bounced') counts.bounced += 1;
    else if (patch.state === 'soft-bounced') counts.softBounced += 1;
    else counts.delivered += 1;
    if (patch.state === 'spam') counts.complaints += 1;
    if (patch.opens) counts.opened += 1;
    if (patch.clicks) counts.clicked += 1;
    if (send.account.webhookKey) {
      const list = hooked.get(send.account.key) ?? [];
      list.push(...webhookEvents({ ...info, ...patch }));
      hooked.set(send.account.key, list);
    }
  }

  for (const [key, events] of hooked) {
    const account = sends.find((s) => s.account.key === key)?.account;
    const url = `${webhook.publicUrl}/webhooks/mandrill/${webhook.ids.get(key)}`;
    for (let start = 0; start < events.length; start += EVENTS_PER_BATCH) {
      const batch = events.slice(start, start + EVENTS_PER_BATCH);
      const signed = signedWebhookBody(url, account?.webhookKey ?? '', batch);
      const response = await postSignedBody(url, signed);
      if (response.status !== 200) {
        throw new Error(
          `webhook batch for ${key} failed with HTTP ${response.status}: ${JSON.stringify(response.body)}`,
        );
      }
      counts.webhookBatches += 1;
      counts.webhookEvents += batch.length;
    }
  }
  return counts;
}
