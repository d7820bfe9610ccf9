import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { openStore } from '../../db/index.js';
import { repoRoot } from '../../server/paths.js';
import { generateKeySpec } from '../../server/secrets/index.js';
import { dsnMessage } from '../support/bounce-messages.js';
import { corpusDir } from '../support/corpus.js';
import { makeTempDir } from '../support/server.js';

const run = promisify(execFile);
const cli = path.join(repoRoot, 'dist', 'server', 'cli.js');

async function importing(database: string, ...args: string[]) {
  const keyFile = path.join(path.dirname(database), 'secret.key');
  if (!fs.existsSync(keyFile)) fs.writeFileSync(keyFile, `${generateKeySpec()}\n`, { mode: 0o600 });
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, 'import', ...args], {
      env: {
        ...process.env,
        DELIVERABILITY_LOG_LEVEL: 'silent',
        DELIVERABILITY_DATABASE: database,
        DELIVERABILITY_SECRET_KEY_FILE: keyFile,
      },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function bounceTo(recipient: string): string {
  return dsnMessage({ to: 'desk@lakeside.example', recipient }).replace(/\r\n/g, '\n');
}

describe('deliverability import', () => {
  it('imports a folder of .eml files once', async () => {
    const database = path.join(makeTempDir(), 'import.sqlite');
    const folder = path.join(corpusDir, 'bounces');
    const emlCount = fs.readdirSync(folder).filter((f) => f.endsWith('.eml')).length;
    const first = await importing(database, folder, '--json');
    assert.equal(first.code, 0, first.stderr);
    const summary = JSON.parse(first.stdout);
    assert.equal(summary.messages, emlCount);
    assert.equal(summary.created, emlCount);
    assert.deepEqual(summary.failures, []);
    assert.ok(summary.byKind.bounce > 30, JSON.stringify(summary.byKind));
    const again = JSON.parse((await importing(database, folder, '--json')).stdout);
    assert.equal(again.created, 0);
    assert.equal(again.duplicates, emlCount);
  });

  it('splits an mbox and undoes its >From quoting, and reads a Maildir', async () => {
    const dir = makeTempDir();
    const database = path.join(dir, 'import.sqlite');
    const quoted = bounceTo('quoted@guests.example').replace(
      "I'm sorry",
      '>From the mail system: I am sorry',
    );
    const mbox = path.join(dir, 'bounces.mbox');
    fs.writeFileSync(
      mbox,
      [
        'From MAILER-DAEMON Fri Dec  4 10:00:00 2026',
        bounceTo('one@guests.example'),
        'From MAILER-DAEMON Fri Dec  4 10:01:00 2026',
        quoted,
        'From MAILER-DAEMON Fri Dec  4 10:02:00 2026',
        bounceTo('three@guests.example'),
      ].join('\n'),
    );
    const maildir = path.join(dir, 'Maildir');
    for (const sub of ['cur', 'new', 'tmp'])
      fs.mkdirSync(path.join(maildir, sub), { recursive: true });
    fs.writeFileSync(path.join(maildir, 'new', '1.host'), bounceTo('four@guests.example'));
    fs.writeFileSync(path.join(maildir, 'cur', '2.host:2,S'), bounceTo('five@guests.example'));

    const result = await importing(database, mbox, maildir);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Read 5 messages: 5 imported \(5 bounce\)/);
    assert.match(result.stdout, /5 messages matched no send/);

    const store = openStore(database);
    try {
      const bounces = store.bounces.list({ limit: 10 });
      const recipients = bounces.map((b) => b.recipients[0]?.address).sort();
      assert.deepEqual(recipients, [
        'five@guests.example',
        'four@guests.example',
        'one@guests.example',
        'quoted@guests.example',
        'three@guests.example',
      ]);
      const second = bounces.find((b) => b.recipients[0]?.address === 'quoted@guests.example');
      const raw = store.bounces.raw(second?.id ?? 0)?.toString('latin1') ?? '';
      assert.match(raw, /\nFrom the mail system: I am sorry/);
    } finally {
      store.close();
    }
  });

  it('names a missing path and imports nothing', async () => {
    const database = path.join(makeTempDir(), 'import.sqlite');
    const result = await importing(database, '/nonexistent/bounces.mbox');
    assert.equal(result.code, 2);
    assert.match(
      result.stderr,
      /\/nonexistent\/bounces\.mbox does not exist.*nothing was imported/,
    );
    assert.equal(fs.existsSync(database), false);
  });

  it('refuses an account id that is not a number', async () => {
    const database = path.join(makeTempDir(), 'import.sqlite');
    const result = await importing(database, corpusDir, '--account', 'lakeside');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Invalid --account "lakeside"/);
  });
});
