import { classifyFailure } from './classify.js';
import { findReplyCode } from './status.js';
import type { BounceRecipient, BounceReport } from './types.js';

/*
 * Amazon SES notifications sent by e-mail through Amazon SNS: the body is a JSON object with
 * notificationType (or eventType) Bounce, Complaint or Delivery.
 */

interface SesRecipient {
  emailAddress?: string;
  action?: string;
  status?: string;
  diagnosticCode?: string;
}

interface SesNotification {
  notificationType?: string;
  eventType?: string;
  mail?: { headers?: { name?: string; value?: string }[] };
  bounce?: { bouncedRecipients?: SesRecipient[]; reportingMTA?: string; remoteMtaIp?: string };
  complaint?: { complainedRecipients?: SesRecipient[]; complaintFeedbackType?: string };
  delivery?: { recipients?: string[]; smtpResponse?: string; reportingMTA?: string };
}

function readNotification(text: string): SesNotification | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return null;
  try {
    const parsed: unknown = JSON.parse(text.slice(start, end + 1));
    if (typeof parsed !== 'object' || parsed === null) return null;
    const notification = parsed as SesNotification;
    const type = notification.notificationType ?? notification.eventType;
    return type === 'Bounce' || type === 'Complaint' || type === 'Delivery' ? notification : null;
  } catch {
    // A body with braces that is not JSON is an ordinary bounce text.
    return null;
  }
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
  const { bounce, complaint, delivery } = notification;
  if (delivery) {
    const recipients = (delivery.recipients ?? []).map((address) =>
      recipient(address, { action: 'delivered', diagnostic: delivery.smtpResponse }, null),
    );
    const reportingMta = delivery.reportingMTA ?? null;
    return { kind: 'delivery-report', recipients, originalMessageId, reportingMta };
  }
  if (complaint) {
    const recipients = (complaint.complainedRecipients ?? []).map((r) => ({
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
    if (complaint.complaintFeedbackType) report.feedbackType = complaint.complaintFeedbackType;
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
