import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { parseBounce } from '../../server/bounces/parse.js';
import { corpusDir } from '../support/corpus.js';

const bouncesDir = path.join(corpusDir, 'bounces');

interface ManifestRow {
  file: string;
  reason: string;
  status: string;
  replyCode: string;
  hardBounce: boolean;
  feedbackType: string;
  recipients: number;
}

// Files whose expected values the parser does not reach yet, each with the reason.
// A listed file is skipped, so the skip count shows how many remain.
const KNOWN_GAPS: Record<string, string> = {};

// Messages that report something other than a failure and must not count as bounces.
const EXPECTED_KIND: Record<string, string> = {
  feedback: 'feedback',
  vacation: 'auto-reply',
  delivered: 'delivery-report',
};

async function readManifest(): Promise<ManifestRow[]> {
  const text = await readFile(path.join(bouncesDir, 'MANIFEST.tsv'), 'utf8');
  const [header, ...lines] = text.trim().split('\n');
  const names = (header ?? '').split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    const cell = (name: string): string => cells[names.indexOf(name)] ?? '';
    return {
      file: cell('file'),
      reason: cell('expected_reason'),
      status: cell('expected_status'),
      replyCode: cell('expected_replycode'),
      hardBounce: cell('expected_hardbounce') === '1',
      feedbackType: cell('expected_feedbacktype'),
      recipients: Number(cell('n_recipients_expected')),
    };
  });
}

// sisimai writes 5.0.9xx when a message carries no enhanced status code at all. That is its
// own placeholder, not an RFC 3463 code, so the parser reports null for these.
function expectedStatus(status: string): string | null {
  if (status === '' || /^[45]\.0\.9\d\d$/.test(status)) return null;
  return status;
}

const rows = await readManifest();

test('manifest lists the whole corpus', () => {
  assert.equal(rows.length, 40);
});

for (const row of rows) {
  test(`corpus ${row.file}`, async (t) => {
    const gap = KNOWN_GAPS[row.file];
    if (gap) {
      t.skip(gap);
      return;
    }
    const report = await parseBounce(await readFile(path.join(bouncesDir, row.file)));
    const first = report.recipients[0];
    assert.equal(report.recipients.length, row.recipients, `${row.file}: recipient count`);
    assert.ok(first, `${row.file}: no recipient`);
    assert.equal(first.reason, row.reason, `${row.file}: reason`);
    assert.equal(first.status, expectedStatus(row.status), `${row.file}: status`);
    assert.equal(first.hardBounce, row.hardBounce, `${row.file}: hardBounce`);
    if (row.replyCode !== '') {
      assert.equal(first.replyCode, Number(row.replyCode), `${row.file}: replyCode`);
    }
    assert.equal(report.kind, EXPECTED_KIND[row.reason] ?? 'bounce', `${row.file}: kind`);
    if (row.feedbackType !== '') {
      assert.equal(report.feedbackType, row.feedbackType, `${row.file}: feedbackType`);
    }
  });
}

test('corpus returned message ids', async () => {
  const sendmailFile = path.join(bouncesDir, 'lhost-sendmail-05.eml');
  const sendmail = await parseBounce(await readFile(sendmailFile));
  assert.equal(sendmail.originalMessageId, '<000000B2-9997-8888-8999-000000000356@example.co.jp>');
  assert.equal(sendmail.reportingMta, 'mx.example.jp');
  const gmail = await parseBounce(await readFile(path.join(bouncesDir, 'lhost-gmail-01.eml')));
  assert.equal(gmail.originalMessageId, '<D992C2C3-F175-4C4D-97E2-53A90E4E5BF5@gmail.com>');
});
