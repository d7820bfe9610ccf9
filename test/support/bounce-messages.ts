/**
 * Builds automatic messages as receiving servers send them: an RFC 3464 delivery status
 * notification that quotes the original headers, an RFC 5965 complaint and an RFC 3834
 * auto-reply. The tests address them to the return path the product set.
 */
export interface DsnOptions {
  /** The bounce's To: the return path of the original message. */
  to: string;
  recipient: string;
  status?: string;
  action?: 'failed' | 'delayed';
  diagnostic?: string;
  /** The Message-ID of the original message, quoted in its headers. */
  originalMessageId?: string;
}

export function dsnMessage(options: DsnOptions): string {
  const status = options.status ?? '5.1.1';
  const diagnostic =
    options.diagnostic ?? `550 ${status} <${options.recipient}>: Recipient address rejected`;
  const quoted = options.originalMessageId
    ? `Message-ID: <${options.originalMessageId}>\r\nSubject: Booking confirmation\r\n`
    : 'Subject: Booking confirmation\r\n';
  return [
    'From: Mail Delivery System <MAILER-DAEMON@mx.guests.example>',
    `To: ${options.to}`,
    'Subject: Undelivered Mail Returned to Sender',
    'Date: Fri, 04 Dec 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `I'm sorry to have to inform you that your message could not be delivered to ${options.recipient}.`,
    '',
    '--b1',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.guests.example',
    '',
    `Final-Recipient: rfc822; ${options.recipient}`,
    `Action: ${options.action ?? 'failed'}`,
    `Status: ${status}`,
    'Remote-MTA: dns; mx.guests.example',
    `Diagnostic-Code: smtp; ${diagnostic}`,
    '',
    '--b1',
    'Content-Type: text/rfc822-headers',
    '',
    quoted.trimEnd(),
    '',
    '--b1--',
    '',
  ].join('\r\n');
}

export function complaintMessage(recipient: string, originalMessageId: string): string {
  return [
    'From: feedback@fbl.guests.example',
    'To: abuse@mail.platform.example',
    'Subject: Abuse report',
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=feedback-report; boundary="f1"',
    '',
    '--f1',
    'Content-Type: text/plain',
    '',
    'This is an email abuse report.',
    '',
    '--f1',
    'Content-Type: message/feedback-report',
    '',
    'Feedback-Type: abuse',
    'User-Agent: TestFBL/1.0',
    'Version: 1',
    `Original-Rcpt-To: ${recipient}`,
    '',
    '--f1',
    'Content-Type: message/rfc822',
    '',
    'From: notifications@mail.platform.example',
    `To: ${recipient}`,
    `Message-ID: <${originalMessageId}>`,
    'Subject: Booking confirmation',
    '',
    'Hello',
    '',
    '--f1--',
    '',
  ].join('\r\n');
}

export function autoReplyMessage(from: string, to: string): string {
  return [
    `From: ${from}`,
    `To: ${to}`,
    'Subject: Out of office',
    'Auto-Submitted: auto-replied',
    '',
    'I am away until Monday.',
    '',
  ].join('\r\n');
}
