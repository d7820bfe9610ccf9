import nodemailer from 'nodemailer';
import { autoReplyMessage, complaintMessage, dsnMessage } from '../test/support/bounce-messages.js';
import type { SmtpPeer } from '../test/support/smtp-peers.js';
import type { DemoApi } from './api.js';
import type { Random } from './random.js';
import type { SeededSend } from './seed-sends.js';

export interface BounceCounts {
  /** DSNs delivered to the bounce SMTP listener at default sends' return paths. */
  overSmtp: number;
  /** DSNs, complaints and auto-replies posted to POST /api/bounces. */
  overApi: number;
}

/** Bounce replies as receivers word them, with their enhanced status codes. */
const DSN_REASONS: { status: string; diagnostic: (recipient: string) => string; weight: number }[] =
  [
    {
      status: '5.1.1',
      diagnostic: (r) =>
        `550 5.1.1 <${r}>: The email account that you tried to reach does not exist`,
      weight: 50,
    },
    {
      status: '5.2.2',
      diagnostic: (r) =>
        `552 5.2.2 <${r}>: The email account that you tried to reach is over quota`,
      weight: 20,
    },
    {
      status: '5.7.1',
      diagnostic: () => '554 5.7.1 Message rejected: spam content detected by the receiving filter',
      weight: 20,
    },
    {
      status: '5.7.26',
      diagnostic: () =>
        '550 5.7.26 Unauthenticated email is not accepted from this domain due to its DMARC policy',
      weight: 10,
    },
  ];

function dsnFor(random: Random, to: string, send: SeededSend): string {
  const reason = random.weighted(DSN_REASONS.map((r) => [r, r.weight] as const));
  return dsnMessage({
    to,
    recipient: send.recipient,
    status: reason.status,
    diagnostic: reason.diagnostic(send.recipient),
    originalMessageId: send.messageId.replace(/^<|>$/g, ''),
  });
}

/**
 * Delivers bounces of every 20th accepted default send and every 40th accepted smtp send. Default
 * sends get a DSN over SMTP to the per-message return path the relay received, as a receiving
 * server sends it. Smtp sends get theirs posted to POST /api/bounces, as read from the manager's
 * mailbox. It also posts a complaint about a default send and an auto-reply, which is stored but
 * not counted.
 */
export async function seedBounces(
  api: DemoApi,
  sends: SeededSend[],
  relay: SmtpPeer,
  bouncePort: number,
  ids: Map<string, number>,
  random: Random,
): Promise<BounceCounts> {
  const counts: BounceCounts = { overSmtp: 0, overApi: 0 };
  const returnPaths = new Map<string, string>();
  for (const message of relay.messages) {
    for (const recipient of message.to) returnPaths.set(recipient.toLowerCase(), message.from);
  }
  const accepted = (method: string) =>
    sends.filter((s) => s.account.method === method && s.state === 'accepted');

  const listener = nodemailer.createTransport({
    host: '127.0.0.1',
    port: bouncePort,
    secure: false,
    ignoreTLS: true,
    pool: true,
  });
  try {
    const deliveries: Promise<unknown>[] = [];
    for (const [index, send] of accepted('default').entries()) {
      const returnPath = returnPaths.get(send.recipient.toLowerCase());
      if (!returnPath || index % 20 !== 3) continue;
      deliveries.push(
        listener.sendMail({
          envelope: { from: '', to: returnPath },
          raw: dsnFor(random, returnPath, send),
        }),
      );
      counts.overSmtp += 1;
    }
    await Promise.all(deliveries);
  } finally {
    listener.close();
  }

  for (const [index, send] of accepted('smtp').entries()) {
    if (index % 40 !== 5) continue;
    const accountId = ids.get(send.account.key);
    await api.raw(
      `/api/bounces?accountId=${accountId}`,
      dsnFor(random, send.account.sendingAddress, send),
    );
    counts.overApi += 1;
  }

  const complained = accepted('default').at(-5);
  if (complained) {
    await api.raw('/api/bounces', complaintMessage(complained.recipient, complained.messageId));
    counts.overApi += 1;
  }
  const replied = accepted('smtp').at(-3);
  if (replied) {
    const accountId = ids.get(replied.account.key);
    await api.raw(
      `/api/bounces?accountId=${accountId}`,
      autoReplyMessage(replied.recipient, replied.account.sendingAddress),
    );
    counts.overApi += 1;
  }
  return counts;
}
