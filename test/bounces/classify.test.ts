import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifySmtpReply } from '../../server/bounces/classify.js';

test('classify postfix unknown user', () => {
  const result = classifySmtpReply({
    replyCode: 550,
    diagnostic: '550 5.1.1 <x@y.example>: Recipient address rejected: User unknown',
  });
  assert.equal(result.reason, 'userunknown');
  assert.equal(result.hardBounce, true);
  assert.equal(result.status, '5.1.1');
});

test('classify full mailbox as soft', () => {
  const result = classifySmtpReply({ replyCode: 452, diagnostic: '452 4.2.2 mailbox full' });
  assert.equal(result.reason, 'mailboxfull');
  assert.equal(result.hardBounce, false);
  assert.equal(result.status, '4.2.2');
});

test('classify gmail rate limit', () => {
  const result = classifySmtpReply({
    replyCode: 421,
    diagnostic:
      '421-4.7.28 [192.0.2.1] Our system has detected an unusual rate of unsolicited mail ' +
      'originating from your IP address. To protect our users from spam, mail sent from your ' +
      'IP address has been temporarily rate limited.',
  });
  assert.equal(result.reason, 'speeding');
  assert.equal(result.hardBounce, false);
  assert.equal(result.status, '4.7.28');
});

test('classify gmail unauthenticated sender', () => {
  const result = classifySmtpReply({
    diagnostic:
      '550-5.7.26 This mail has been blocked because the sender is unauthenticated. Gmail ' +
      'requires all senders to authenticate with either SPF or DKIM. DMARC check failed.',
  });
  assert.equal(result.reason, 'authfailure');
  assert.equal(result.hardBounce, false);
  assert.equal(result.status, '5.7.26');
});

test('classify spamhaus listing', () => {
  const result = classifySmtpReply({
    diagnostic:
      '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org',
  });
  assert.equal(result.reason, 'blocked');
  assert.equal(result.hardBounce, false);
  assert.equal(result.status, '5.7.1');
});

test('classify text over contradicting code', () => {
  const result = classifySmtpReply({ diagnostic: '550 5.1.1 Too many messages, rate limited' });
  assert.equal(result.reason, 'speeding');
  assert.equal(result.hardBounce, false);
});

test('classify outlook block list', () => {
  const result = classifySmtpReply({
    diagnostic:
      "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your " +
      'Internet service provider since part of their network is on our block list (S3150).',
  });
  assert.equal(result.reason, 'blocked');
});

test('classify microsoft ip reputation', () => {
  const result = classifySmtpReply({
    diagnostic:
      '451 4.7.650 The mail server [192.0.2.25] has been temporarily rate limited due to IP ' +
      'reputation.',
  });
  assert.equal(result.reason, 'badreputation');
  assert.equal(result.status, '4.7.650');
});

test('classify microsoft recipient not found', () => {
  const result = classifySmtpReply({
    diagnostic:
      '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
  });
  assert.equal(result.reason, 'userunknown');
  assert.equal(result.hardBounce, true);
  assert.equal(result.status, '5.1.10');
});

test('classify yahoo unknown account after data', () => {
  const result = classifySmtpReply({
    command: 'DATA',
    diagnostic:
      "554 delivery error: dd This user doesn't have a yahoo.com account (x@yahoo.com) [0]",
  });
  assert.equal(result.reason, 'userunknown');
  assert.equal(result.hardBounce, true);
  assert.equal(result.status, null);
});

test('classify unknown user by command', () => {
  const atRcpt = classifySmtpReply({ command: 'RCPT TO', diagnostic: '550 Invalid recipient' });
  assert.equal(atRcpt.reason, 'userunknown');
  assert.equal(atRcpt.hardBounce, true);
  // After DATA the server had accepted the address, so a filter refused the message.
  const atData = classifySmtpReply({ command: 'DATA', diagnostic: '550 Invalid recipient' });
  assert.equal(atData.reason, 'filtered');
  assert.equal(atData.hardBounce, false);
});

test('classify transient unknown user as soft', () => {
  const result = classifySmtpReply({ diagnostic: '450 4.1.1 User unknown' });
  assert.equal(result.reason, 'userunknown');
  assert.equal(result.hardBounce, false);
});

test('classify size limits by status', () => {
  const system = classifySmtpReply({ diagnostic: '552 5.3.4 Message size exceeds fixed limit' });
  assert.equal(system.reason, 'mesgtoobig');
  const mailbox = classifySmtpReply({ diagnostic: '552 5.2.3 Message size exceeds fixed limit' });
  assert.equal(mailbox.reason, 'exceedlimit');
});

test('classify missing ptr record', () => {
  const result = classifySmtpReply({
    diagnostic:
      '550-5.7.25 [192.0.2.1] The IP address sending this message does not have a PTR record setup',
  });
  assert.equal(result.reason, 'requireptr');
});

test('classify relay denied', () => {
  const result = classifySmtpReply({ diagnostic: '554 5.7.1 <x@y.example>: Relay access denied' });
  assert.equal(result.reason, 'norelaying');
});

test('classify smtp auth failure', () => {
  const result = classifySmtpReply({
    replyCode: 535,
    diagnostic: '535 5.7.8 Authentication credentials invalid',
  });
  assert.equal(result.reason, 'securityerror');
  assert.equal(result.hardBounce, false);
});

test('classify mandrill diag', () => {
  const result = classifySmtpReply({
    diagnostic: 'smtp;550 5.2.2 The email account that you tried to reach is over quota.',
  });
  assert.equal(result.reason, 'mailboxfull');
  assert.equal(result.status, '5.2.2');
});

test('classify null mx', () => {
  const result = classifySmtpReply({ diagnostic: '556 5.1.10 Recipient address has null MX' });
  assert.equal(result.reason, 'notaccept');
  assert.equal(result.hardBounce, true);
});

test('classify unrecognized text as onhold', () => {
  const result = classifySmtpReply({ diagnostic: 'Something odd happened' });
  assert.equal(result.reason, 'onhold');
  assert.equal(result.hardBounce, false);
  assert.equal(result.status, null);
});

test('classify empty input as undefined', () => {
  const result = classifySmtpReply({});
  assert.equal(result.reason, 'undefined');
  assert.equal(result.hardBounce, false);
  assert.equal(result.status, null);
});
