import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeMessage, type AnalyzeOptions } from '../../server/analysis/analyze.js';
import type { MessageAnalysis } from '../../server/analysis/types.js';
import { AppError } from '../../server/errors.js';
import {
  ANALYSIS_KEYS,
  ANALYSIS_PLATFORM,
  MANAGER_IP,
  MANDRILL_IP,
  analysisZone,
} from '../support/analysis-zone.js';
import {
  composeMessage,
  prependHeaders,
  recordWithKeyOf,
  replaceText,
  sealAsForwarder,
  signWithExpiry,
} from '../support/dkim-signing.js';
import { withZone, type ZoneRecord } from '../support/dns-server.js';

const NOW = new Date('2026-12-04T10:05:00Z');
const MANAGER = 'office@harbor-rentals.example';

/** Received fields, top first: the receiver's internal hop, its MX, the manager's submission. */
function receivedChain(clientIp: string): string[] {
  return [
    'Received: from mx1.guests.example (mx1.guests.example [10.1.2.3]) by store.guests.example with LMTP; Fri, 4 Dec 2026 10:00:09 +0000',
    `Received: from mail.harbor-rentals.example (mail.harbor-rentals.example [${clientIp}]) by mx1.guests.example with ESMTPS id 4QkX; Fri, 4 Dec 2026 10:00:07 +0000`,
    'Received: from [192.168.1.10] (unknown [192.168.1.10]) by mail.harbor-rentals.example with ESMTPSA id 77aa; Fri, 4 Dec 2026 10:00:02 +0000',
  ];
}

async function analyze(
  raw: Buffer,
  options: Partial<AnalyzeOptions> = {},
  zone: ZoneRecord[] = analysisZone(),
): Promise<MessageAnalysis> {
  return withZone(zone, (resolver) =>
    analyzeMessage(raw, { resolver, platform: ANALYSIS_PLATFORM, now: () => NOW, ...options }),
  );
}

function codes(analysis: MessageAnalysis): string[] {
  return analysis.diagnosis.causes.map((cause) => cause.code);
}

describe('message analysis', () => {
  it('aligned pass under p=reject', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const analysis = await analyze(prependHeaders(signed, receivedChain(MANAGER_IP)));
    assert.equal(analysis.from.domain, 'harbor-rentals.example');
    assert.equal(analysis.envelope.ip, MANAGER_IP);
    assert.equal(analysis.envelope.ipSource, 'received');
    assert.equal(analysis.envelope.ipHop, 2);
    assert.equal(analysis.envelope.senderSource, 'from');
    assert.equal(analysis.spf.result, 'pass');
    assert.equal(analysis.spf.aligned, true);
    assert.equal(analysis.dkim.length, 1);
    assert.equal(analysis.dkim[0]?.result, 'pass');
    assert.equal(analysis.dkim[0]?.aligned, true);
    assert.equal(analysis.dkim[0]?.keyBits, 2048);
    assert.equal(analysis.dkim[0]?.algorithm, 'rsa-sha256');
    assert.equal(analysis.dmarc.result, 'pass');
    assert.equal(analysis.dmarc.policy, 'reject');
    assert.equal(analysis.dmarc.disposition, 'none');
    assert.deepEqual(analysis.dmarc.alignment, {
      spf: 'harbor-rentals.example',
      dkim: 'harbor-rentals.example',
    });
    assert.equal(analysis.method.method, 'smtp');
    assert.deepEqual(codes(analysis), []);
    assert.match(analysis.diagnosis.summary, /DMARC passes for harbor-rentals\.example/);
  });

  it('altered body fails the body hash', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const altered = replaceText(signed, 'under the mat', 'under the pot');
    const analysis = await analyze(altered);
    assert.equal(analysis.dkim[0]?.result, 'neutral');
    assert.equal(analysis.dkim[0]?.reasonCode, 'dkim.body_hash_mismatch');
    assert.match(analysis.dkim[0]?.reason ?? '', /body hash did not verify/);
    assert.equal(analysis.dmarc.result, 'fail');
    assert.equal(analysis.dmarc.disposition, 'reject');
    assert.deepEqual(codes(analysis), ['dmarc.reject_unaligned', 'dkim.body_hash_mismatch']);
    assert.match(analysis.diagnosis.summary, /reject this message/);
    assert.match(analysis.diagnosis.summary, /the smtp method/);
  });

  it('wrong key in DNS fails the signature', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const wrong = recordWithKeyOf(ANALYSIS_KEYS.harbor, ANALYSIS_KEYS.other);
    const analysis = await analyze(signed, {}, analysisZone({ [wrong.name]: wrong }));
    assert.equal(analysis.dkim[0]?.result, 'fail');
    assert.equal(analysis.dkim[0]?.reasonCode, 'dkim.bad_signature');
    assert.ok(codes(analysis).includes('dkim.bad_signature'));
  });

  it('missing key in DNS', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const zone = analysisZone({ [ANALYSIS_KEYS.harbor.record.name]: null });
    const analysis = await analyze(signed, {}, zone);
    assert.equal(analysis.dkim[0]?.result, 'neutral');
    assert.equal(analysis.dkim[0]?.reasonCode, 'dkim.key_missing');
    const cause = analysis.diagnosis.causes.find((c) => c.code === 'dkim.key_missing');
    assert.match(cause?.message ?? '', /h1\._domainkey\.harbor-rentals\.example/);
  });

  it('expired signature', async () => {
    const unsigned = await composeMessage({ from: MANAGER });
    const signed = await signWithExpiry(
      unsigned,
      ANALYSIS_KEYS.harbor,
      new Date('2026-12-01T10:00:00Z'),
      new Date('2026-12-02T10:00:00Z'),
    );
    const analysis = await analyze(signed);
    assert.equal(analysis.dkim[0]?.result, 'neutral');
    assert.equal(analysis.dkim[0]?.reasonCode, 'dkim.expired');
    assert.equal(analysis.dkim[0]?.expiresAt, '2026-12-02T10:00:00.000Z');
    assert.ok(codes(analysis).includes('dkim.expired'));
  });

  it('signature valid before its expiry', async () => {
    const unsigned = await composeMessage({ from: MANAGER });
    const signed = await signWithExpiry(
      unsigned,
      ANALYSIS_KEYS.harbor,
      new Date('2026-12-04T09:00:00Z'),
      new Date('2026-12-11T09:00:00Z'),
    );
    const analysis = await analyze(signed);
    assert.equal(analysis.dkim[0]?.result, 'pass');
    assert.equal(analysis.dkim[0]?.signedAt, '2026-12-04T09:00:00.000Z');
  });

  it('default method under a p=reject From domain', async () => {
    const signed = await composeMessage({
      from: MANAGER,
      key: ANALYSIS_KEYS.platform,
      headers: { 'Return-Path': '<bounces@bounce.platform.example>' },
    });
    const raw = prependHeaders(signed, [
      'Received: from relay.platform.example (relay.platform.example [203.0.113.10]) by mx.guests.example with ESMTPS; Fri, 4 Dec 2026 10:00:03 +0000',
    ]);
    const analysis = await analyze(raw);
    assert.equal(analysis.envelope.sender, 'bounces@bounce.platform.example');
    assert.equal(analysis.envelope.senderSource, 'return-path');
    assert.equal(analysis.spf.result, 'pass');
    assert.equal(analysis.spf.domain, 'bounce.platform.example');
    assert.equal(analysis.spf.aligned, false);
    assert.equal(analysis.dkim[0]?.result, 'pass');
    assert.equal(analysis.dkim[0]?.aligned, false);
    assert.equal(analysis.dmarc.result, 'fail');
    assert.equal(analysis.dmarc.disposition, 'reject');
    assert.equal(analysis.method.method, 'default');
    assert.equal(analysis.diagnosis.causes[0]?.code, 'dmarc.reject_unaligned');
    assert.match(
      analysis.diagnosis.causes[0]?.message ?? '',
      /publishes p=reject, and neither the platform's SPF domain \(bounce\.platform\.example\) nor its DKIM domain \(mail\.platform\.example\) aligns with it/,
    );
    assert.match(analysis.diagnosis.summary, /Sending method at fault: the default method/);
    assert.deepEqual(codes(analysis).slice(1), ['dkim.unaligned', 'spf.unaligned']);
  });

  it('Mandrill without the From domain set up', async () => {
    const signed = await composeMessage({
      from: MANAGER,
      key: ANALYSIS_KEYS.mandrill,
      headers: {
        'Return-Path': '<bounce-md_31050260.abc@mandrillapp.com>',
        'X-Mandrill-User': 'md_31050260',
      },
    });
    const raw = prependHeaders(signed, [
      `Received: from mail132-5.atl131.mandrillapp.com (mail132-5.atl131.mandrillapp.com [${MANDRILL_IP}]) by mx.guests.example with ESMTPS; Fri, 4 Dec 2026 10:00:03 +0000`,
    ]);
    const analysis = await analyze(raw);
    assert.equal(analysis.method.method, 'mandrill');
    assert.equal(analysis.spf.result, 'pass');
    assert.equal(analysis.spf.domain, 'mandrillapp.com');
    assert.equal(analysis.dmarc.result, 'fail');
    const cause = analysis.diagnosis.causes[0];
    assert.equal(cause?.code, 'dmarc.reject_unaligned');
    assert.match(cause?.message ?? '', /the mandrill method/);
    assert.match(cause?.message ?? '', /mte1 and mte2/);
  });

  it('Received chain gives the client IP', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const analysis = await analyze(prependHeaders(signed, receivedChain('192.0.2.99')));
    assert.equal(analysis.envelope.ip, '192.0.2.99');
    assert.equal(analysis.envelope.ipHop, 2);
    assert.equal(analysis.spf.result, 'fail');
    assert.ok(codes(analysis).includes('spf.fail'));
    // DKIM still passes aligned, so DMARC passes.
    assert.equal(analysis.dmarc.result, 'pass');
    assert.deepEqual(
      analysis.hops.map((hop) => [hop.hop, hop.ip, hop.by, hop.at, hop.delaySeconds]),
      [
        [1, '192.168.1.10', 'mail.harbor-rentals.example', '2026-12-04T10:00:02.000Z', null],
        [2, '192.0.2.99', 'mx1.guests.example', '2026-12-04T10:00:07.000Z', 5],
        [3, '10.1.2.3', 'store.guests.example', '2026-12-04T10:00:09.000Z', 2],
      ],
    );
    assert.equal(analysis.hops[1]?.with, 'ESMTPS');
  });

  it('given IP overrides the Received chain', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const raw = prependHeaders(signed, receivedChain('192.0.2.99'));
    const analysis = await analyze(raw, { ip: MANAGER_IP });
    assert.equal(analysis.envelope.ip, MANAGER_IP);
    assert.equal(analysis.envelope.ipSource, 'given');
    assert.equal(analysis.envelope.ipHop, null);
    assert.equal(analysis.spf.result, 'pass');
  });

  it('Exim and Microsoft Received forms', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const exim = await analyze(
      prependHeaders(signed, [
        `Received: from mail.harbor-rentals.example ([${MANAGER_IP}] helo=mail.harbor-rentals.example) by mx.guests.example with esmtps (Exim 4.97) id 1tA; Fri, 04 Dec 2026 10:00:07 +0000`,
      ]),
    );
    assert.equal(exim.envelope.ip, MANAGER_IP);
    assert.equal(exim.envelope.helo, 'mail.harbor-rentals.example');
    const microsoft = await analyze(
      prependHeaders(signed, [
        `Received: from mail.harbor-rentals.example (${MANAGER_IP}) by AM4PEPF00027A6C.mail.protection.outlook.com (10.167.16.90) with Microsoft SMTP Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8207.0; Fri, 4 Dec 2026 10:00:07 +0000`,
      ]),
    );
    assert.equal(microsoft.envelope.ip, MANAGER_IP);
    assert.equal(microsoft.spf.result, 'pass');
  });

  it('null Return-Path checks the HELO name', async () => {
    const bounce = Buffer.from(
      [
        `Received: from mail.harbor-rentals.example (mail.harbor-rentals.example [${MANAGER_IP}]) by mx1.guests.example with ESMTPS; Fri, 4 Dec 2026 10:00:07 +0000`,
        'Return-Path: <>',
        'From: Mail Delivery System <mailer-daemon@harbor-rentals.example>',
        'Subject: Undelivered Mail Returned to Sender',
        '',
        'The message could not be delivered.',
        '',
      ].join('\r\n'),
    );
    const zone = analysisZone({
      'mail.harbor-rentals.example': {
        name: 'mail.harbor-rentals.example',
        type: 'TXT',
        data: [`v=spf1 ip4:${MANAGER_IP} -all`],
      },
    });
    const analysis = await analyze(bounce, {}, zone);
    assert.equal(analysis.envelope.sender, null);
    assert.equal(analysis.envelope.senderSource, 'return-path');
    assert.equal(analysis.spf.domain, 'mail.harbor-rentals.example');
    assert.equal(analysis.spf.result, 'pass');
  });

  it('no Received field: SPF not evaluated', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const analysis = await analyze(signed);
    assert.equal(analysis.envelope.ipSource, 'none');
    assert.equal(analysis.envelope.ip, null);
    assert.equal(analysis.spf.evaluated, false);
    assert.equal(analysis.spf.result, null);
    assert.match(analysis.spf.explanation, /SPF was not evaluated/);
    const notes = analysis.diagnosis.notes.map((note) => note.code);
    assert.deepEqual(notes, ['spf.not_evaluated', 'received.none']);
    // DKIM alone passes aligned.
    assert.equal(analysis.dmarc.result, 'pass');
  });

  it('ARC seal of a forwarder that changed the subject', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const changed = replaceText(signed, 'Subject: Your booking', 'Subject: [guests] Your booking');
    const sealed = await sealAsForwarder(
      changed,
      ANALYSIS_KEYS.list,
      'mx.list.example; dkim=pass header.d=harbor-rentals.example; spf=pass smtp.mailfrom=harbor-rentals.example; dmarc=pass header.from=harbor-rentals.example',
    );
    const analysis = await analyze(sealed);
    assert.equal(analysis.dkim[0]?.result, 'fail');
    assert.equal(analysis.arc.result, 'pass');
    assert.equal(analysis.arc.chainLength, 1);
    assert.equal(analysis.dmarc.result, 'fail');
    assert.ok(analysis.diagnosis.notes.some((note) => note.code === 'arc.pass_after_forwarding'));
  });

  it('ARC seal broken after sealing', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const sealed = await sealAsForwarder(signed, ANALYSIS_KEYS.list, 'mx.list.example; dkim=pass');
    const broken = replaceText(sealed, 'Subject: Your booking', 'Subject: Changed later');
    const analysis = await analyze(broken);
    assert.equal(analysis.arc.result, 'fail');
    assert.ok(codes(analysis).includes('arc.fail'));
  });

  it('unsupported signature algorithm is listed', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const raw = prependHeaders(signed, [
      'DKIM-Signature: v=1; a=rsa-md5; d=harbor-rentals.example; s=old; h=from; bh=AAAA; b=BBBB',
    ]);
    const analysis = await analyze(raw);
    assert.equal(analysis.dkim.length, 2);
    const skipped = analysis.dkim.find((signature) => signature.selector === 'old');
    assert.equal(skipped?.result, 'permerror');
    assert.equal(skipped?.reasonCode, 'dkim.unsupported');
    assert.equal(skipped?.algorithm, 'rsa-md5');
  });

  it('unsigned message without From', async () => {
    const raw = Buffer.from('Subject: hello\r\nTo: guest@guests.example\r\n\r\nHello\r\n');
    const analysis = await analyze(raw);
    assert.equal(analysis.from.address, null);
    assert.deepEqual(analysis.dkim, []);
    assert.equal(analysis.dmarc.result, 'permerror');
    assert.equal(analysis.method.method, 'unknown');
    assert.deepEqual(codes(analysis), ['message.no_from', 'dkim.none']);
    assert.match(analysis.diagnosis.summary, /no From address/);
  });

  it('two From addresses', async () => {
    const raw = Buffer.from(
      'From: a@harbor-rentals.example, b@platform.example\r\nSubject: x\r\n\r\nHello\r\n',
    );
    const analysis = await analyze(raw);
    assert.deepEqual(analysis.from.addresses, ['a@harbor-rentals.example', 'b@platform.example']);
    assert.equal(analysis.diagnosis.causes[0]?.code, 'message.multiple_from');
  });

  it('slow hop is a cause', async () => {
    const signed = await composeMessage({ from: MANAGER, key: ANALYSIS_KEYS.harbor });
    const raw = prependHeaders(signed, [
      `Received: from mail.harbor-rentals.example (mail.harbor-rentals.example [${MANAGER_IP}]) by mx1.guests.example with ESMTPS; Fri, 4 Dec 2026 11:30:00 +0000`,
      'Received: from [192.168.1.10] by mail.harbor-rentals.example with ESMTPSA; Fri, 4 Dec 2026 10:00:00 +0000',
    ]);
    const analysis = await analyze(raw);
    assert.equal(analysis.hops[1]?.delaySeconds, 5400);
    const cause = analysis.diagnosis.causes.find((c) => c.code === 'received.slow_hop');
    assert.match(cause?.message ?? '', /90 minutes/);
  });
});

describe('message analysis input', () => {
  async function rejection(raw: Buffer, options: Partial<AnalyzeOptions> = {}): Promise<AppError> {
    try {
      await analyze(raw, options);
    } catch (error) {
      assert.ok(error instanceof AppError, String(error));
      return error;
    }
    assert.fail('the analysis did not fail');
  }

  it('empty message', async () => {
    const error = await rejection(Buffer.alloc(0));
    assert.equal(error.status, 400);
    assert.match(error.message, /empty/);
  });

  it('binary junk', async () => {
    const junk = Buffer.alloc(64 * 1024);
    for (let i = 0; i < junk.length; i += 1) junk[i] = (i * 7919 + 13) % 256;
    const outcome = await analyze(junk).then(
      (analysis) => ({ analysis }),
      (error: unknown) => ({ error }),
    );
    if ('error' in outcome) {
      assert.ok(outcome.error instanceof AppError, String(outcome.error));
      assert.equal(outcome.error.status, 400);
      assert.equal(outcome.error.code, 'invalid_message');
    } else {
      assert.ok(codes(outcome.analysis).includes('message.no_from'));
    }
  });

  it('unterminated multipart still analyzed', async () => {
    const raw = Buffer.from(
      'From: office@harbor-rentals.example\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nno closing boundary',
    );
    const analysis = await analyze(raw);
    assert.equal(analysis.from.domain, 'harbor-rentals.example');
    assert.deepEqual(codes(analysis), ['dmarc.reject_unaligned', 'dkim.none']);
  });

  it('text without header fields', async () => {
    const error = await rejection(
      Buffer.from('Hello, my guest never got the email.\r\nThanks\r\n'),
    );
    assert.equal(error.code, 'invalid_message');
    assert.match(error.message, /no header fields/);
  });

  it('header section without an end', async () => {
    const error = await rejection(Buffer.from(`X-Long: ${'a'.repeat(2 * 1024 * 1024)}`));
    assert.equal(error.code, 'invalid_message');
    assert.match(error.message, /no blank line/);
  });

  it('message over the limit', async () => {
    const error = await rejection(Buffer.alloc(25 * 1024 * 1024 + 1, 0x61));
    assert.equal(error.status, 413);
    assert.equal(error.code, 'message_too_large');
  });

  it('too many DKIM signatures', async () => {
    const signed = await composeMessage({ from: MANAGER });
    const fields = Array.from(
      { length: 21 },
      (_, i) => `DKIM-Signature: v=1; a=rsa-sha256; d=d${i}.example; s=s; l=${i}; bh=AA; b=BB`,
    );
    const error = await rejection(prependHeaders(signed, fields));
    assert.equal(error.status, 400);
    assert.match(error.message, /21 DKIM-Signature fields; at most 20/);
  });

  it('invalid client IP', async () => {
    const signed = await composeMessage({ from: MANAGER });
    const error = await rejection(signed, { ip: '999.1.1.1' });
    assert.equal(error.status, 400);
    assert.match(error.message, /Invalid client IP "999\.1\.1\.1"/);
  });
});
