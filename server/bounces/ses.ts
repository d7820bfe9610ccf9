import { z } from 'zod';
import { classifyFailure } from './classify.js';
import { findReplyCode } from './status.js';
import type { BounceRecipient, BounceReport } from './types.js';

/*
 * Amazon SES notifications sent by e-mail through Amazon SNS: the body is a JSON object with
 * notificationType (or eventType) Bounce, Complaint or Delivery.
 */

// The body comes from whoever mails the bounce address, so every field is checked: a field of
// the wrong type is dropped instead of reaching the classifier.
const text = z.string().optional().catch(undefined);
const texts = z
  .array(z.unknown())
  .catch([])
  .transform((items) => items.filter((item): item is string => typeof item === 'string'));
const sesRecipient = z
  .object({ emailAddress: text, action: text, status: text, diagnosticCode: text })
  .catch({});
const recipients = z.array(sesRecipient).catch([]);
const part = <T extends z.ZodRawShape>(shape: T) => z.object(shape).optional().catch(undefined);

const sesNotification = z.object({
  notificationType: text,
  eventType: text,
  mail: part({ headers: z.array(z.object({ name: text, value: text }).catch({})).catch([]) }),
  bounce: part({ bouncedRecipients: recipients, reportingMTA: text, remoteMtaIp: text }),
  complaint: part({ complainedRecipients: recipients, complaintFeedbackType: text }),
  delivery: part({ recipients: texts, smtpResponse: text, reportingMTA: text }),
});

type SesNotification = z.output<typeof sesNotification> & {
  type: 'Bounce' | 'Complaint' | 'Delivery';
};

function readNotification(body: string): SesNotification | null {
  const start = body.indexOf('{');
  const end = body.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.slice(start, end + 1));
  } catch {
    // A body with braces that is not JSON is an ordinary bounce text.
    return null;
  }
  const result = sesNotification.safeParse(parsed);
  if (!result.success) return null;
  const type = result.data.notificationType ?? result.data.eventType;
  if (type !== 'Bounce' && type !== 'Complaint' && type !== 'Delivery') return null;
  return { ...result.data, type };
}

function messageIdOf(notification: SesNotification): string | null {
  const header = notification.mail?.headers?.find((h) => h.name?.toLowerCase() === 'message-id');
  return header?.value ?? null;
}

function recipient(
  address: string | null,
  facts: { action?: string; status?: string; diagnostic?: string },
  remoteHost: string | null,
): BounceRecipient {
  const verdict = classifyFailure({
    status: facts.status ?? null,
    diagnostic: facts.diagnostic ?? null,
    action: facts.action ?? null,
  });
  return {
    address,
    action: facts.action ?? null,
    status: verdict.status,
    replyCode: findReplyCode(facts.diagnostic ?? ''),
    diagnostic: facts.diagnostic ?? null,
    remoteHost,
    reason: verdict.reason,
    hardBounce: verdict.hardBounce,
  };
}

/** Parses an Amazon SES notification from a message body, or returns null for any other body. */
export function parseSesNotification(text: string): BounceReport | null {
  const notification = readNotification(text);
  if (!notification) return null;
  const originalMessageId = messageIdOf(notification);
  const { bounce, complaint, delivery, type } = notification;
  if (type === 'Delivery') {
    const recipients = (delivery?.recipients ?? []).map((address) =>
      recipient(address, { action: 'delivered', diagnostic: delivery?.smtpResponse }, null),
    );
    const reportingMta = delivery?.reportingMTA ?? null;
    return { kind: 'delivery-report', recipients, originalMessageId, reportingMta };
  }
  if (type === 'Complaint') {
    const recipients = (complaint?.complainedRecipients ?? []).map((r) => ({
      ...recipient(r.emailAddress ?? null, {}, null),
      reason: 'feedback' as const,
      status: null,
      hardBounce: false,
    }));
    const report: BounceReport = {
      kind: 'feedback',
      recipients,
      originalMessageId,
      reportingMta: null,
    };
    if (complaint?.complaintFeedbackType) report.feedbackType = complaint.complaintFeedbackType;
    return report;
  }
  const recipients = (bounce?.bouncedRecipients ?? []).map((r) =>
    recipient(
      r.emailAddress ?? null,
      { action: r.action, status: r.status, diagnostic: r.diagnosticCode },
      bounce?.remoteMtaIp ?? null,
    ),
  );
  const reportingMta = bounce?.reportingMTA ?? null;
  return { kind: 'bounce', recipients, originalMessageId, reportingMta };
}
