import { simpleParser, type Attachment, type ParsedMail } from 'mailparser';
import { classifyFailure, detectCommand } from './classify.js';
import { parseDeliveryStatus, parseFieldBlocks, type DsnRecipient } from './dsn.js';
import { parseSesNotification } from './ses.js';
import { findReplyCode } from './status.js';
import {
  findRemoteHost,
  findTextRecipients,
  firstParagraphWithCode,
  notificationPart,
  type TextRecipient,
} from './text.js';
import type { BounceRecipient, BounceReport } from './types.js';

const BOUNCE_SENDER = /mailer-daemon|postmaster|mail delivery (system|subsystem)/i;
const BOUNCE_SUBJECT = new RegExp(
  [
    'undeliver',
    'undelivered mail',
    'delivery (status notification|failure|failed|has failed|notification)',
    'returned mail',
    'failure notice',
    'mail delivery failed',
    'mail failure',
    'non-?delivery',
    'returned to sender',
    'could not be delivered',
    'delivery status',
  ].join('|'),
  'i',
);
// RFC 3834 section 5 defines Auto-Submitted. The subjects and the other headers are older
// conventions that vacation programs and Exchange still send.
const AUTO_REPLY_SUBJECT = new RegExp(
  String.raw`^(auto(matic)?[ -]?(reply|response)|out of (the )?office|away\b|vacation|autoreply|` +
    'abwesenheit|absence)',
  'i',
);

function partText(attachment: Attachment | undefined): string | null {
  return attachment ? attachment.content.toString('utf8') : null;
}

function findPart(mail: ParsedMail, ...types: string[]): Attachment | undefined {
  return mail.attachments.find((a) => types.includes(a.contentType.toLowerCase()));
}

function headerSection(text: string): string {
  const end = text.search(/\r?\n\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

// The Message-ID of the returned message comes from its message/rfc822 or text/rfc822-headers
// part, else from the headers that the bounce pasted into its text after a marker line.
// NOTE: mailparser 3.14 folds a message/rfc822 part marked Content-Disposition: inline into the
// text as a From/Subject/Date/To summary, so such a part yields no Message-ID.
function originalMessageIdOf(mail: ParsedMail, text: string): string | null {
  const returned = partText(findPart(mail, 'message/rfc822', 'text/rfc822-headers'));
  const notice = notificationPart(text);
  const pasted = text.length > notice.length ? text.slice(notice.length) : '';
  for (const source of [returned ? headerSection(returned) : null, pasted]) {
    const match = source ? /^message-id:\s*(<[^>\s]+>)/im.exec(source) : null;
    if (match?.[1]) return match[1];
  }
  return null;
}

function headerValue(mail: ParsedMail, name: string): string | null {
  const value = mail.headers.get(name);
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && 'value' in value && typeof value.value === 'string') {
    return value.value;
  }
  return String(value);
}

function reportType(mail: ParsedMail): string | null {
  const contentType = mail.headers.get('content-type');
  if (typeof contentType !== 'object' || contentType === null || !('params' in contentType)) {
    return null;
  }
  const params = contentType.params as Record<string, string | undefined>;
  return params['report-type']?.toLowerCase() ?? null;
}

function isBounceLike(mail: ParsedMail): boolean {
  return (
    reportType(mail) === 'delivery-status' ||
    BOUNCE_SENDER.test(mail.from?.text ?? '') ||
    mail.headers.has('x-failed-recipients') ||
    BOUNCE_SUBJECT.test(mail.subject ?? '')
  );
}

function isAutoReply(mail: ParsedMail): boolean {
  const autoSubmitted = headerValue(mail, 'auto-submitted') ?? '';
  const precedence = headerValue(mail, 'precedence') ?? '';
  return (
    /^auto-replied/i.test(autoSubmitted) ||
    mail.headers.has('x-autoreply') ||
    mail.headers.has('x-autorespond') ||
    /auto[_-]reply/i.test(precedence) ||
    AUTO_REPLY_SUBJECT.test(mail.subject ?? '')
  );
}

function blank(address: string | null, reason: 'feedback' | 'vacation'): BounceRecipient {
  return {
    address,
    action: null,
    status: null,
    replyCode: null,
    diagnostic: null,
    remoteHost: null,
    reason,
    hardBounce: false,
  };
}

function feedbackReport(mail: ParsedMail, report: string, messageId: string | null): BounceReport {
  const blocks = parseFieldBlocks(report);
  const fields = new Map(blocks.flatMap((block) => [...block]));
  const originalTo = /^to:\s*(.+)$/im.exec(
    headerSection(partText(findPart(mail, 'message/rfc822', 'text/rfc822-headers')) ?? ''),
  );
  const address =
    fields.get('original-rcpt-to')?.[0] ??
    fields.get('removal-recipient')?.[0] ??
    originalTo?.[1]?.trim() ??
    null;
  const result: BounceReport = {
    kind: 'feedback',
    recipients: [blank(address, 'feedback')],
    originalMessageId: messageId,
    reportingMta: null,
  };
  const feedbackType = fields.get('feedback-type')?.[0];
  if (feedbackType) result.feedbackType = feedbackType.toLowerCase();
  return result;
}

function matchText(dsn: DsnRecipient, texts: TextRecipient[], only: boolean): TextRecipient | null {
  const address = dsn.address?.toLowerCase();
  const same = texts.find((t) => t.address === address);
  if (same) return same;
  // With one recipient on each side the two describe the same failure, even when an alias
  // expansion or an LMTP mailbox name makes the addresses differ.
  return only && texts.length === 1 ? (texts[0] ?? null) : null;
}

function fromDsn(dsn: DsnRecipient, text: TextRecipient | null): BounceRecipient {
  const diagnostic = dsn.diagnostic ?? text?.diagnostic ?? null;
  const verdict = classifyFailure({
    status: dsn.status,
    diagnostic,
    diagnosticType: dsn.diagnostic ? dsn.diagnosticType : 'smtp',
    action: dsn.action,
    command: detectCommand(text?.diagnostic ?? '') ?? detectCommand(diagnostic ?? ''),
  });
  return {
    address: dsn.address,
    action: dsn.action,
    status: verdict.status,
    replyCode: findReplyCode(diagnostic ?? ''),
    diagnostic,
    remoteHost: dsn.remoteMta ?? findRemoteHost(text?.diagnostic ?? ''),
    reason: verdict.reason,
    hardBounce: verdict.hardBounce,
  };
}

function fromText(text: TextRecipient): BounceRecipient {
  const diagnostic = text.diagnostic;
  const verdict = classifyFailure({ diagnostic, diagnosticType: 'smtp' });
  return {
    address: text.address,
    action: 'failed',
    status: verdict.status,
    replyCode: findReplyCode(diagnostic ?? ''),
    diagnostic,
    remoteHost: findRemoteHost(diagnostic ?? ''),
    reason: verdict.reason,
    hardBounce: verdict.hardBounce,
  };
}

function failedHeaderRecipients(mail: ParsedMail, text: string): TextRecipient[] {
  const header = headerValue(mail, 'x-failed-recipients');
  if (!header) return [];
  const diagnostic = firstParagraphWithCode(text);
  return header
    .split(',')
    .map((address) => address.trim().toLowerCase())
    .filter((address) => address.includes('@'))
    .map((address) => ({ address, diagnostic }));
}

function bounceReport(mail: ParsedMail, text: string, messageId: string | null): BounceReport {
  const dsnText = partText(findPart(mail, 'message/delivery-status'));
  let dsn = parseDeliveryStatus(dsnText ?? '');
  if (dsn.recipients.length === 0) {
    // Some servers paste the RFC 3464 fields into the plain text part instead of a DSN part.
    const pasted = parseDeliveryStatus(notificationPart(text));
    dsn = { recipients: pasted.recipients, reportingMta: dsn.reportingMta ?? pasted.reportingMta };
  }
  let texts = findTextRecipients(text);
  if (texts.length === 0) texts = failedHeaderRecipients(mail, text);
  const only = dsn.recipients.length === 1;
  const recipients =
    dsn.recipients.length > 0
      ? dsn.recipients.map((r) => fromDsn(r, matchText(r, texts, only)))
      : texts.map(fromText);
  const delivered = recipients.length > 0 && recipients.every((r) => r.reason === 'delivered');
  return {
    kind: delivered ? 'delivery-report' : 'bounce',
    recipients,
    originalMessageId: messageId,
    reportingMta: dsn.reportingMta,
  };
}

/**
 * Parses a bounce (RFC 3464 DSN or a server's own format), a complaint (RFC 5965 ARF), an
 * Amazon SES notification or an auto-reply (RFC 3834) and classifies each failed recipient.
 */
export async function parseBounce(raw: Buffer | string): Promise<BounceReport> {
  const mail = await simpleParser(raw, { keepDeliveryStatus: true, skipTextLinks: true });
  return { ...reportOf(mail), headers: headersOf(mail) };
}

/** Returns the bounce's own From, Subject and the addresses it was delivered to. */
function headersOf(mail: ParsedMail): NonNullable<BounceReport['headers']> {
  const addressed = ['delivered-to', 'x-original-to', 'envelope-to']
    .flatMap((name) => {
      const value = mail.headers.get(name);
      if (value === undefined) return [];
      return Array.isArray(value) ? value : [value];
    })
    .map((value) => String(value).trim());
  const groups = mail.to === undefined ? [] : [mail.to].flat();
  const to = groups
    .flatMap((group) => group.value)
    .map((address) => address.address ?? '')
    .filter(Boolean);
  return {
    from: mail.from?.value[0]?.address ?? null,
    subject: mail.subject ?? null,
    deliveredTo: [...new Set([...addressed, ...to])],
  };
}

function reportOf(mail: ParsedMail): BounceReport {
  const text = mail.text ?? '';
  const messageId = originalMessageIdOf(mail, text);
  const feedback = partText(findPart(mail, 'message/feedback-report'));
  if (feedback !== null) return feedbackReport(mail, feedback, messageId);
  const ses = parseSesNotification(text);
  if (ses) return ses;
  const hasDsn = findPart(mail, 'message/delivery-status') !== undefined;
  if (hasDsn || isBounceLike(mail)) return bounceReport(mail, text, messageId);
  if (isAutoReply(mail)) {
    const from = mail.from?.value[0]?.address ?? null;
    return {
      kind: 'auto-reply',
      recipients: [blank(from, 'vacation')],
      originalMessageId: messageId,
      reportingMta: null,
    };
  }
  return { kind: 'unknown', recipients: [], originalMessageId: messageId, reportingMta: null };
}
