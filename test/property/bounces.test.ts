import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fc } from '../support/fast-check.js';
import { classifySmtpReply } from '../../server/bounces/classify.js';
import { parseBounce } from '../../server/bounces/parse.js';
import {
  BOUNCE_REASONS,
  type BounceReport,
  type Classification,
} from '../../server/bounces/types.js';

const KINDS = ['bounce', 'feedback', 'auto-reply', 'delivery-report', 'unknown'];
const REASONS: readonly string[] = BOUNCE_REASONS;
const STATUS = /^[245]\.\d{1,3}\.\d{1,3}$/;
// The reasons for which a failure can be hard (server/bounces/status.ts).
const ADDRESS_FAILURES = ['userunknown', 'hostunknown', 'hasmoved', 'notaccept'];

function assertClassification(result: Classification): void {
  assert.ok(REASONS.includes(result.reason), result.reason);
  assert.equal(typeof result.hardBounce, 'boolean');
  assert.ok(result.status === null || STATUS.test(result.status), String(result.status));
  if (result.hardBounce) {
    assert.ok(ADDRESS_FAILURES.includes(result.reason), result.reason);
    assert.ok(!result.status?.startsWith('4.'), String(result.status));
  }
  if (result.status?.startsWith('2.')) {
    assert.equal(result.reason, 'delivered');
  }
}

function assertReport(report: BounceReport): void {
  assert.ok(KINDS.includes(report.kind), report.kind);
  assert.ok(Array.isArray(report.recipients));
  assert.ok(report.originalMessageId === null || typeof report.originalMessageId === 'string');
  assert.ok(report.reportingMta === null || typeof report.reportingMta === 'string');
  assert.ok(report.feedbackType === undefined || typeof report.feedbackType === 'string');
  for (const recipient of report.recipients) {
    assert.ok(REASONS.includes(recipient.reason), recipient.reason);
    assert.equal(typeof recipient.hardBounce, 'boolean');
    assert.ok(recipient.address === null || typeof recipient.address === 'string');
    assert.ok(recipient.status === null || STATUS.test(recipient.status), String(recipient.status));
    assert.ok(
      recipient.replyCode === null ||
        (Number.isInteger(recipient.replyCode) &&
          recipient.replyCode >= 200 &&
          recipient.replyCode < 600),
      String(recipient.replyCode),
    );
    assert.ok(recipient.diagnostic === null || typeof recipient.diagnostic === 'string');
    assert.ok(recipient.remoteHost === null || typeof recipient.remoteHost === 'string');
    if (recipient.hardBounce) {
      assert.ok(ADDRESS_FAILURES.includes(recipient.reason), recipient.reason);
    }
  }
}

// Values near those that mail servers write, mixed with random text.
const statusCode = fc.oneof(
  fc
    .tuple(fc.constantFrom('2', '4', '5'), fc.nat(9), fc.nat(30))
    .map(([cls, subject, detail]) => `${cls}.${subject}.${detail}`),
  fc.constantFrom('5.1.1', '4.2.2', '5.7.1', '5.0.0', '2.0.0', '4.4.7', '5.1.10', '9.9.9'),
  fc.string({ maxLength: 12 }),
);
const replyCode = fc.oneof(
  fc.integer({ min: 200, max: 599 }).map(String),
  fc.constantFrom('550', '421', '452', '554', '250'),
);
const address = fc.oneof(
  fc.stringMatching(/^[a-z0-9.]{1,10}@[a-z0-9]{1,10}\.(com|example|net)$/),
  fc.constantFrom('user@server', '<gone@example.net>', '@relay:x@example.org', ''),
  fc.string({ maxLength: 20 }),
);
const phrase = fc.constantFrom(
  'User unknown',
  'Recipient address rejected: User unknown in virtual mailbox table',
  'mailbox full',
  'Message rejected as spam',
  'The email account that you tried to reach does not exist.',
  'after RCPT TO',
  'in reply to end of data command',
  'host mx.example.net[192.0.2.7] said:',
  'RESOLVER.ADR.RecipNotFound; not found',
  'temporarily deferred',
  'Connection timed out',
  '>>> RCPT To:<x@example.com>',
);
const diagnostic = fc.oneof(
  fc
    .tuple(replyCode, fc.option(statusCode), fc.array(phrase, { maxLength: 3 }))
    .map(([code, status, words]) => [code, status ?? '', ...words].join(' ')),
  fc.string({ maxLength: 80 }),
  fc.string({ maxLength: 80, unit: 'grapheme' }),
);
// Header field values: printable text, sometimes folded onto a continuation line.
const fieldValue = fc.oneof(
  fc.string({ maxLength: 40 }).map((value) => value.replace(/[\r\n]/g, ' ')),
  fc.string({ maxLength: 40 }).map((value) => value.replace(/[\r\n]+/g, '\r\n ')),
);
const typed = (value: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.constantFrom('rfc822; ', 'RFC822;', 'smtp; ', 'x-unix; ', 'dns; ', ''), value)
    .map(([type, text]) => `${type}${text}`);

const recipientBlock = fc
  .record(
    {
      'Final-Recipient': typed(address),
      'Original-Recipient': typed(address),
      Action: fc.oneof(
        fc.constantFrom('failed', 'delayed', 'delivered', 'relayed', 'expanded', 'Failed (x)'),
        fieldValue,
      ),
      Status: statusCode,
      'Remote-MTA': typed(fc.oneof(fc.domain(), fieldValue)),
      'Diagnostic-Code': typed(diagnostic),
      'Last-Attempt-Date': fieldValue,
      'Will-Retry-Until': fieldValue,
      'X-Random': fieldValue,
    },
    { requiredKeys: [] },
  )
  .map((fields) =>
    Object.entries(fields)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\r\n'),
  );

const deliveryStatus = fc
  .tuple(
    fc.record(
      { 'Reporting-MTA': typed(fc.oneof(fc.domain(), fieldValue)), 'Arrival-Date': fieldValue },
      { requiredKeys: [] },
    ),
    fc.array(recipientBlock, { maxLength: 4 }),
  )
  .map(([perMessage, recipients]) =>
    [
      Object.entries(perMessage)
        .map(([name, value]) => `${name}: ${value}`)
        .join('\r\n'),
      ...recipients,
    ].join('\r\n\r\n'),
  );

// The human-readable part: address lines, codes and phrases as Postfix, Exim and Gmail write them.
const notificationLine = fc.oneof(
  address.map((value) => `  ${value}`),
  fc.tuple(address, diagnostic).map(([to, text]) => `<${to}>: ${text}`),
  fc.tuple(replyCode, address, phrase).map(([code, to, text]) => `${code} <${to}>... ${text}`),
  phrase,
  diagnostic,
  fc.constantFrom('', '------ This is a copy of the message, including all the headers. ------'),
  fc.string({ maxLength: 60 }),
);
const notificationText = fc
  .array(notificationLine, { maxLength: 12 })
  .map((lines) => lines.join('\r\n'));

const returnedHeaders = fc
  .tuple(
    fc.option(fc.stringMatching(/^<[a-z0-9.]{1,20}@[a-z0-9.]{1,20}>$/)),
    fc.option(address),
    fieldValue,
  )
  .map(([messageId, to, subject]) =>
    [
      messageId === null ? null : `Message-ID: ${messageId}`,
      to === null ? null : `To: ${to}`,
      `Subject: ${subject}`,
    ]
      .filter((line) => line !== null)
      .join('\r\n'),
  );

const feedbackReport = fc
  .record(
    {
      'Feedback-Type': fc.oneof(fc.constantFrom('abuse', 'fraud', 'virus', 'other'), fieldValue),
      'User-Agent': fieldValue,
      Version: fc.constantFrom('1', '0.1'),
      'Original-Rcpt-To': address,
      'Removal-Recipient': address,
    },
    { requiredKeys: [] },
  )
  .map((fields) =>
    Object.entries(fields)
      .map(([name, value]) => `${name}: ${value}`)
      .join('\r\n'),
  );

// RFC 2046 5.1.1: 1 to 70 characters from bchars, the last one not a space.
const boundary = fc.stringMatching(/^[A-Za-z0-9'()+_,\-./:=? ]{0,69}[A-Za-z0-9'()+_,\-./:=?]$/);

const part = fc.oneof(
  notificationText.map((body) => ({ type: 'text/plain; charset=us-ascii', body })),
  deliveryStatus.map((body) => ({ type: 'message/delivery-status', body })),
  returnedHeaders.map((body) => ({ type: 'text/rfc822-headers', body })),
  returnedHeaders.map((body) => ({ type: 'message/rfc822', body: `${body}\r\n\r\nHello` })),
  feedbackReport.map((body) => ({ type: 'message/feedback-report', body })),
  fc.string({ maxLength: 100 }).map((body) => ({ type: 'application/octet-stream', body })),
);

const topHeaders = fc.record(
  {
    from: fc.constantFrom(
      'Mail Delivery System <MAILER-DAEMON@mx.example.com>',
      'postmaster@example.net',
      'Ann <ann@example.org>',
      'no-reply@sns.amazonaws.com',
      '',
    ),
    subject: fc.oneof(
      fc.constantFrom(
        'Undelivered Mail Returned to Sender',
        'Delivery Status Notification (Failure)',
        'Mail delivery failed: returning message to sender',
        'Out of Office: Order 42',
        'Abuse report',
        'Question about my order',
      ),
      fieldValue,
    ),
    extra: fc.array(
      fc.oneof(
        address.map((value) => `X-Failed-Recipients: ${value}`),
        fc.constantFrom(
          'Auto-Submitted: auto-replied',
          'Precedence: auto_reply',
          'X-Autoreply: yes',
        ),
        fieldValue.map((value) => `X-Random: ${value}`),
      ),
      { maxLength: 3 },
    ),
    reportType: fc.constantFrom('delivery-status', 'feedback-report', 'disposition-notification'),
  },
  { requiredKeys: ['from', 'subject', 'extra', 'reportType'] },
);

const multipartMessage = fc
  .tuple(topHeaders, boundary, fc.array(part, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([headers, mark, parts, closed]) => {
    const lines = [
      `From: ${headers.from}`,
      'To: shop@example.com',
      `Subject: ${headers.subject}`,
      ...headers.extra,
      'MIME-Version: 1.0',
      `Content-Type: multipart/report; report-type=${headers.reportType}; boundary="${mark}"`,
      '',
      'This is a MIME-encapsulated message.',
    ];
    for (const { type, body } of parts) {
      lines.push(`--${mark}`, `Content-Type: ${type}`, '', body);
    }
    if (closed) lines.push(`--${mark}--`);
    return lines.join('\r\n');
  });

const plainMessage = fc
  .tuple(topHeaders, notificationText)
  .map(([headers, body]) =>
    [`From: ${headers.from}`, `Subject: ${headers.subject}`, ...headers.extra, '', body].join(
      '\r\n',
    ),
  );

/**
 * Amazon SES notifications in a message body. With `wrongTypes`, any field may hold any JSON
 * value, as a forged or broken notification can.
 */
function sesMessage(wrongTypes: boolean): fc.Arbitrary<string> {
  const or = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
    wrongTypes ? fc.oneof(value, fc.jsonValue()) : value;
  const recipient = fc.record(
    {
      emailAddress: or(address),
      action: or(fc.constantFrom('failed', 'delayed')),
      status: or(statusCode),
      diagnosticCode: or(diagnostic),
    },
    { requiredKeys: [] },
  );
  const notification = fc.record(
    {
      notificationType: fc.constantFrom('Bounce', 'Complaint', 'Delivery'),
      mail: or(
        fc.record({
          headers: or(
            fc.array(
              fc.record({
                name: or(fc.constantFrom('Message-ID', 'Subject')),
                value: or(fieldValue),
              }),
            ),
          ),
        }),
      ),
      bounce: or(
        fc.record(
          {
            bouncedRecipients: or(fc.array(recipient, { maxLength: 3 })),
            reportingMTA: or(fieldValue),
            remoteMtaIp: or(fc.ipV4()),
          },
          { requiredKeys: [] },
        ),
      ),
      complaint: or(
        fc.record(
          {
            complainedRecipients: or(fc.array(recipient, { maxLength: 3 })),
            complaintFeedbackType: or(fieldValue),
          },
          { requiredKeys: [] },
        ),
      ),
      delivery: or(
        fc.record(
          {
            recipients: or(fc.array(address, { maxLength: 3 })),
            smtpResponse: or(diagnostic),
            reportingMTA: or(fieldValue),
          },
          { requiredKeys: [] },
        ),
      ),
    },
    { requiredKeys: ['notificationType'] },
  );
  return notification.map((body) =>
    [
      'From: no-reply@sns.amazonaws.com',
      'Subject: AWS Notification Message',
      '',
      JSON.stringify(body),
    ].join('\r\n'),
  );
}

test('parseBounce never throws on strings', async () => {
  const raw = fc.oneof(
    fc.string({ maxLength: 2000 }),
    fc.string({ maxLength: 2000, unit: 'binary' }),
    fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
  );
  await fc.assert(
    fc.asyncProperty(raw, async (message) => {
      assertReport(await parseBounce(message));
    }),
    { numRuns: 100 },
  );
});

test('parseBounce never throws on multipart reports', async () => {
  await fc.assert(
    fc.asyncProperty(multipartMessage, async (message) => {
      assertReport(await parseBounce(message));
    }),
    { numRuns: 100 },
  );
});

test('parseBounce never throws on plain bounces', async () => {
  await fc.assert(
    fc.asyncProperty(plainMessage, async (message) => {
      assertReport(await parseBounce(message));
    }),
    { numRuns: 100 },
  );
});

test('parseBounce never throws on SES bodies', async () => {
  await fc.assert(
    fc.asyncProperty(sesMessage(false), async (message) => {
      assertReport(await parseBounce(message));
    }),
    { numRuns: 100 },
  );
});

test('parseBounce on mistyped SES bodies', async () => {
  await fc.assert(
    fc.asyncProperty(sesMessage(true), async (message) => {
      assertReport(await parseBounce(message));
    }),
    { numRuns: 100 },
  );
});

test('classifySmtpReply never throws', () => {
  const input = fc.record(
    {
      replyCode: fc.oneof(
        fc.constant(null),
        fc.integer({ min: 100, max: 599 }),
        fc.integer(),
        fc.double(),
      ),
      status: fc.oneof(fc.constant(null), statusCode, fc.string()),
      diagnostic: fc.oneof(
        fc.constant(null),
        diagnostic,
        fc.string({ unit: 'binary' }),
        fc.string({ minLength: 2000, maxLength: 20000 }),
      ),
      command: fc.oneof(
        fc.constant(null),
        fc.constantFrom(
          'RCPT TO',
          'MAIL FROM',
          'DATA',
          'end of data',
          'EHLO',
          'CONN',
          'AUTH PLAIN',
        ),
        fc.string({ maxLength: 20 }),
      ),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(input, (reply) => {
      assertClassification(classifySmtpReply(reply));
    }),
    { numRuns: 500 },
  );
});
