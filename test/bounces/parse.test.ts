import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBounce } from '../../server/bounces/parse.js';

function message(headers: string[], body: string): string {
  return `${headers.join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}`;
}

test('parse ses bounce notification', async () => {
  const notification = {
    notificationType: 'Bounce',
    bounce: {
      bounceType: 'Permanent',
      reportingMTA: 'dsn; a1-2.smtp-out.example.com',
      bouncedRecipients: [
        {
          emailAddress: 'gone@example.org',
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        },
      ],
    },
    mail: { headers: [{ name: 'Message-ID', value: '<abc@example.com>' }] },
  };
  const raw = message(
    [
      'From: no-reply@sns.amazonaws.com',
      'To: ops@example.com',
      'Subject: AWS Notification Message',
    ],
    JSON.stringify(notification),
  );
  const report = await parseBounce(raw);
  assert.equal(report.kind, 'bounce');
  assert.equal(report.originalMessageId, '<abc@example.com>');
  const [recipient] = report.recipients;
  assert.ok(recipient);
  assert.equal(recipient.address, 'gone@example.org');
  assert.equal(recipient.reason, 'userunknown');
  assert.equal(recipient.hardBounce, true);
  assert.equal(recipient.replyCode, 550);
});

test('parse auto-reply by subject', async () => {
  const raw = message(
    ['From: Ann <ann@example.org>', 'To: shop@example.com', 'Subject: Out of Office: Order 42'],
    'I am away until Monday.\n',
  );
  const report = await parseBounce(raw);
  assert.equal(report.kind, 'auto-reply');
  assert.equal(report.recipients[0]?.reason, 'vacation');
  assert.equal(report.recipients[0]?.address, 'ann@example.org');
});

test('parse ordinary message as unknown', async () => {
  const raw = message(
    ['From: bob@example.org', 'To: shop@example.com', 'Subject: Question about my order'],
    'Hello, where is my parcel?\n',
  );
  const report = await parseBounce(raw);
  assert.equal(report.kind, 'unknown');
  assert.equal(report.recipients.length, 0);
});

test('parse exim bounce without dsn part', async () => {
  const raw = message(
    [
      'From: Mail Delivery System <Mailer-Daemon@mx.example.com>',
      'To: shop@example.com',
      'Subject: Mail delivery failed: returning message to sender',
    ],
    [
      'This message was created automatically by mail delivery software.',
      '',
      'A message that you sent could not be delivered to one or more of its',
      'recipients. This is a permanent error. The following address(es) failed:',
      '',
      '  full@example.net',
      '    host mx.example.net [192.0.2.7]',
      '    SMTP error from remote mail server after RCPT TO:<full@example.net>:',
      '    552 5.2.2 Mailbox quota exceeded',
      '',
      '------ This is a copy of the message, including all the headers. ------',
      '',
      'Message-ID: <order-42@example.com>',
      'Subject: Your order',
    ].join('\n'),
  );
  const report = await parseBounce(raw);
  assert.equal(report.kind, 'bounce');
  assert.equal(report.originalMessageId, '<order-42@example.com>');
  const [recipient] = report.recipients;
  assert.ok(recipient);
  assert.equal(recipient.address, 'full@example.net');
  assert.equal(recipient.reason, 'mailboxfull');
  assert.equal(recipient.status, '5.2.2');
  assert.equal(recipient.replyCode, 552);
  assert.equal(recipient.remoteHost, 'mx.example.net');
  assert.equal(recipient.hardBounce, false);
});
