import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeFailure, summarizeReply } from '../../server/sending/smtp-errors.js';

describe('SMTP reply summaries', () => {
  it('summarizeReply keeps one printable line', () => {
    const reply = '535-5.7.8 Username and\r\n535 5.7.8 Password not accepted\u001b[31m red\u0007';
    assert.equal(
      summarizeReply(reply),
      '535-5.7.8 Username and 535 5.7.8 Password not accepted [31m red',
    );
  });

  it('summarizeReply shortens long replies', () => {
    const summary = summarizeReply(`550 ${'x'.repeat(5000)}`);
    assert.equal(summary.length, 301);
    assert.ok(summary.endsWith('…'));
  });

  it('describeFailure summarizes the server reply', () => {
    const error = Object.assign(new Error('Invalid login'), {
      code: 'EAUTH',
      response: '535 5.7.8 bad\r\ncredentials',
    });
    assert.equal(
      describeFailure(error, 'smtp.example.net:587'),
      'Authentication failed at smtp.example.net:587: the server rejected the user name or password (server replied: 535 5.7.8 bad credentials)',
    );
  });
});
