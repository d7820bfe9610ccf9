import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { AccountRecord, SendRecord, Store } from '../../db/types.js';
import { verpAddress } from '../bounces/verp.js';
import { instrumentHtml } from '../tracking/html.js';
import { trackingUrls, type TrackingSettings } from '../tracking/service.js';
import { openAccount } from '../accounts/secrets.js';
import { getAccount } from '../accounts/service.js';
import type { SecretKeyring } from '../secrets/index.js';
import { AppError } from '../errors.js';
import { recordEvent } from '../events/record.js';
import type { Logger } from '../logger.js';
import { parseInput } from '../validation.js';
import {
  checkAutomatedCaps,
  recordSuppressed,
  suppressedRecipients,
  type AutomatedLimits,
} from './safeguards.js';
import type { TransportFactory } from './transports.js';
import type { OutgoingMessage, RecipientOutcome } from './types.js';

/** Classifies a rejection reply into a bounce reason; see server/bounces. */
export type ReplyClassifier = (reply: {
  replyCode?: number | null;
  status?: string | null;
  diagnostic?: string | null;
  /** The SMTP command that drew the reply, e.g. `RCPT TO`. */
  command?: string | null;
}) => { reason: string; hardBounce: boolean };

export interface SendingDeps {
  store: Store;
  transports: TransportFactory;
  platform: { fromAddress: string; fromName: string; envelopeFrom: string };
  classifyReply?: ReplyClassifier;
  keyring: SecretKeyring;
  /** Caps on automated sends through a manager's own server. */
  automatedLimits: AutomatedLimits;
  logger: Logger;
  now: () => number;
  /** The server's public base URL, for the tracking pixel and links; none turns tracking off. */
  publicUrl?: () => string;
}

const MAX_RECIPIENTS = 50;

export const sendRequestSchema = z
  .strictObject({
    to: z.preprocess(
      (value) => (typeof value === 'string' ? [value] : value),
      z
        .array(z.email('must be an email address'), {
          error: 'must be an email address or a list of them',
        })
        .min(1, 'needs at least one recipient')
        .max(MAX_RECIPIENTS, `allows at most ${MAX_RECIPIENTS} recipients; split the send`),
    ),
    subject: z
      .string()
      .trim()
      .min(1, 'is required')
      .max(998)
      .refine((subject) => !/[\r\n]/.test(subject), 'must be one line, without line breaks'),
    text: z.string().max(1_000_000).optional(),
    html: z.string().max(1_000_000).optional(),
    kind: z.enum(['manual', 'automated'], { message: 'must be "manual" or "automated"' }),
  })
  .refine((body) => body.text !== undefined || body.html !== undefined, {
    message: 'needs text, html or both',
    path: ['text'],
  });

export type SendRequest = z.output<typeof sendRequestSchema>;

function uniqueRecipients(to: string | string[]): string[] {
  const seen = new Map<string, string>();
  for (const address of Array.isArray(to) ? to : [to]) {
    const key = address.toLowerCase();
    if (!seen.has(key)) seen.set(key, address);
  }
  return [...seen.values()];
}

/**
 * The identities of a message by method. The default method sends from the
 * platform's shared address with the manager in Reply-To, as the platform
 * does today; the other two send as the manager.
 */
function compose(account: AccountRecord, request: SendRequest, deps: SendingDeps): OutgoingMessage {
  const domain = account.sendingAddress.split('@')[1] ?? 'localhost';
  const base = {
    to: uniqueRecipients(request.to),
    subject: request.subject,
    text: request.text,
    html: request.html,
  };
  if (account.method === 'default') {
    const platformDomain = deps.platform.fromAddress.split('@')[1] ?? domain;
    const messageId = `${randomUUID()}@${platformDomain}`;
    const envelopeDomain = deps.platform.envelopeFrom.split('@')[1] ?? platformDomain;
    return {
      ...base,
      messageId,
      from: {
        address: deps.platform.fromAddress,
        name: `${account.name} via ${deps.platform.fromName}`,
      },
      replyTo: account.replyTo ?? account.sendingAddress,
      // A return path per message, so a bounce names the message it is about.
      envelopeFrom: verpAddress(
        messageId,
        envelopeDomain,
        deps.keyring,
        deps.platform.envelopeFrom,
      ),
    };
  }
  return {
    ...base,
    messageId: `${randomUUID()}@${domain}`,
    from: { address: account.sendingAddress, name: account.name },
    // A Reply-To equal to From adds nothing, so it is left out.
    replyTo:
      account.replyTo && account.replyTo.toLowerCase() !== account.sendingAddress.toLowerCase()
        ? account.replyTo
        : undefined,
    envelopeFrom: account.sendingAddress,
  };
}

function recordQueued(
  deps: SendingDeps,
  account: AccountRecord,
  message: OutgoingMessage,
  kind: SendRequest['kind'],
  tracked: { opens: boolean; clicks: boolean },
): SendRecord[] {
  const now = deps.now();
  return deps.store.transaction(() =>
    message.to.map((recipient) => {
      const send = deps.store.sends.create({
        accountId: account.id,
        messageId: message.messageId,
        method: account.method,
        kind,
        headerFrom: message.from.address,
        replyTo: message.replyTo ?? null,
        envelopeFrom: account.method === 'mandrill' ? null : message.envelopeFrom,
        recipient,
        subject: message.subject,
        state: 'queued',
        opensTracked: tracked.opens,
        clicksTracked: tracked.clicks,
        createdAt: now,
      });
      recordEvent(
        deps.store,
        {
          sendId: send.id,
          accountId: account.id,
          type: 'queued',
          source: 'api',
          occurredAt: now,
          dedupKey: `send:${send.id}:queued`,
        },
        now,
      );
      return send;
    }),
  );
}

function recordOutcome(deps: SendingDeps, send: SendRecord, outcome: RecipientOutcome): void {
  const now = deps.now();
  const classified =
    // Mandrill's rejections are its own policy (reject_reason), not a receiver's reply to classify.
    outcome.state === 'rejected' && send.method !== 'mandrill' && deps.classifyReply
      ? deps.classifyReply({
          replyCode: outcome.replyCode,
          status: outcome.statusCode,
          diagnostic: outcome.detail,
          command: outcome.command,
        })
      : null;
  recordEvent(
    deps.store,
    {
      sendId: send.id,
      accountId: send.accountId,
      providerId: outcome.providerId ?? null,
      type: outcome.state,
      source: send.method === 'mandrill' ? 'mandrill-send' : 'smtp',
      occurredAt: now,
      data: outcome.data,
      dedupKey: `send:${send.id}:handoff`,
      state: outcome.state,
      patch: {
        providerId: outcome.providerId,
        providerStatus: outcome.providerStatus,
        replyCode: outcome.replyCode ?? null,
        statusCode: outcome.statusCode ?? null,
        detail: outcome.detail,
        reason: classified?.reason ?? null,
      },
    },
    now,
  );
  if (send.method === 'mandrill' && outcome.providerId) {
    // Poll or webhook events may have arrived before the send call returned.
    deps.store.events.linkUnlinked(send.accountId, outcome.providerId, send.id);
  }
}

async function handOff(
  deps: SendingDeps,
  account: AccountRecord,
  message: OutgoingMessage,
  queued: SendRecord[],
): Promise<void> {
  const transport = deps.transports(openAccount(deps.keyring, account));
  let outcomes: RecipientOutcome[];
  try {
    outcomes = await transport.send(message);
  } finally {
    transport.close?.();
  }
  const byRecipient = new Map(outcomes.map((o) => [o.recipient.toLowerCase(), o]));
  for (const send of queued) {
    const outcome = byRecipient.get(send.recipient.toLowerCase()) ?? {
      recipient: send.recipient,
      state: 'failed' as const,
      detail: 'The transport returned no outcome for this recipient',
    };
    recordOutcome(deps, send, outcome);
  }
}

/** Returns the account's tracking for this message, or null: only HTML mail of default and smtp is tracked. */
function trackingOf(account: AccountRecord, message: OutgoingMessage, deps: SendingDeps) {
  if (account.method === 'mandrill' || !message.html) return null;
  const settings = (account.settings as { tracking?: TrackingSettings }).tracking;
  const baseUrl = deps.publicUrl?.() ?? '';
  if (!settings || !(settings.opens || settings.clicks) || baseUrl === '') return null;
  return { baseUrl, opens: settings.opens === true, clicks: settings.clicks === true };
}

/**
 * Sends a message through the account's method. Each recipient's send is
 * recorded as queued before the hand-off and gets its outcome after it, so a
 * crash in between leaves a trace.
 */
export async function sendForAccount(
  deps: SendingDeps,
  accountId: number,
  input: unknown,
): Promise<{ messageId: string; sends: SendRecord[] }> {
  const account = getAccount(deps.store, accountId);
  const request = parseInput(sendRequestSchema, input, 'send request');
  if (account.method === 'default' && request.kind === 'automated') {
    throw new AppError(
      422,
      'automated_not_allowed',
      'The default method does not send automated mail (emailers and rules): mail for many ' +
        "customers from the platform's shared domain is treated as bulk or spoofed mail. " +
        'Switch the account to the smtp or mandrill method to send automated mail.',
      { accountId, method: account.method, kind: request.kind },
    );
  }
  const message = compose(account, request, deps);
  // Automated mail skips suppressed addresses by every method; only a
  // manager's own server, which has no protection of its own, is also capped.
  const automated = request.kind === 'automated';
  const suppressed = automated
    ? suppressedRecipients(deps.store, account.id, message.to)
    : new Map<string, never>();
  if (automated && account.method === 'smtp') {
    const sending = message.to.length - suppressed.size;
    checkAutomatedCaps(deps.store, account, sending, deps.automatedLimits, deps.now());
  }
  const tracking = trackingOf(account, message, deps);
  const queued = recordQueued(deps, account, message, request.kind, {
    opens: tracking?.opens === true,
    clicks: tracking?.clicks === true,
  });
  for (const send of queued) {
    const suppression = suppressed.get(send.recipient.toLowerCase());
    if (suppression) recordSuppressed(deps.store, send, suppression, deps.now());
  }
  const handedOff = queued.filter((send) => !suppressed.has(send.recipient.toLowerCase()));
  if (tracking) {
    // A tracked message differs per recipient (its pixel and links name the send), so each
    // recipient gets a message of their own.
    for (const send of handedOff) {
      const urls = trackingUrls(tracking.baseUrl, send.id, deps.keyring);
      const html = instrumentHtml(message.html ?? '', {
        openUrl: tracking.opens ? urls.openUrl : undefined,
        clickUrl: tracking.clicks ? urls.clickUrl : undefined,
      });
      await handOff(deps, account, { ...message, to: [send.recipient], html }, [send]);
    }
  } else if (handedOff.length > 0) {
    await handOff(deps, account, { ...message, to: handedOff.map((s) => s.recipient) }, handedOff);
  }
  const sends = queued.map((send) => deps.store.sends.get(send.id) as SendRecord);
  deps.logger.info(
    {
      module: 'sending',
      accountId,
      method: account.method,
      messageId: message.messageId,
      states: sends.map((s) => s.state),
    },
    'message handed off',
  );
  return { messageId: message.messageId, sends };
}
