import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { openStore } from '../../db/index.js';
import { repoRoot } from '../../server/paths.js';
import { corpusDir } from '../support/corpus.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { makeTempDir } from '../support/server.js';
import { loadCorpusZone } from '../support/zones.js';

const run = promisify(execFile);
const cli = path.join(repoRoot, 'dist', 'server', 'cli.js');

async function deliverability(...args: string[]) {
  return deliverabilityWith({}, ...args);
}

async function deliverabilityWith(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      env: { ...process.env, DELIVERABILITY_LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('deliverability command', () => {
  let dns: DnsServer;

  before(async () => {
    dns = await startDnsServer(loadCorpusZone());
  });

  after(async () => {
    await dns?.close();
  });

  it('a database path that cannot work is named', async () => {
    const dir = makeTempDir('bad-database-');
    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'not a database\n', { mode: 0o644 });
    for (const [database, reason] of [
      [text, /the file is not a SQLite database/],
      [path.join(text, 'desk.sqlite'), /ENOTDIR/],
      [dir, /EISDIR/],
      // Node's recursive mkdir loops forever where /proc refuses a folder.
      ['/proc/no-such-folder/desk.sqlite', /ENOENT/],
    ] as const) {
      const result = await deliverabilityWith(
        { DELIVERABILITY_DATABASE: database },
        'recount-reports',
      );
      assert.equal(result.code, 2, database);
      assert.match(
        result.stderr,
        new RegExp(
          `^deliverability: Cannot open the database ${database.replaceAll('/', '\\/')}: `,
        ),
      );
      assert.match(result.stderr, reason);
      assert.match(result.stderr, /Set DELIVERABILITY_DATABASE to the path of a SQLite file/);
    }
    assert.equal(fs.readFileSync(text, 'utf8'), 'not a database\n');
    assert.equal(fs.statSync(text).mode & 0o777, 0o644, 'the file kept its permissions');
  });

  it('--version prints the version', async () => {
    const result = await deliverability('--version');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^\d+\.\d+\.\d+\n$/);
  });

  it('bounce of a folder names the fix', async () => {
    const result = await deliverability('bounce', makeTempDir('bounce-folder-'));
    assert.equal(result.code, 2);
    assert.match(result.stderr, /it is a directory; give one message file, or use `import`/);
  });

  it('a DNS port out of range is named', async () => {
    const result = await deliverability('check', 'example.com', '--dns', '127.0.0.1:99999');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /port 99999 is outside 1 to 65535/);
  });

  it('check says when DNS failed and exits 1', async () => {
    // Port 1 on loopback has no DNS server, so every lookup is refused.
    const result = await deliverability('check', 'example.com', '--dns', '127.0.0.1:1');
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stdout, /WARNING: DNS lookups failed for SPF, DKIM, DMARC/);
  });

  it('recount-reports rebuilds the report rows', async () => {
    const database = path.join(makeTempDir('recount-'), 'desk.sqlite');
    const store = openStore(database);
    const account = store.accounts.create(
      { name: 'A', sendingAddress: 'a@a.example', replyTo: null, method: 'smtp', settings: {} },
      1,
    );
    for (const state of ['delivered', 'bounced'] as const) {
      store.sends.create({
        accountId: account.id,
        messageId: `<${state}@a.example>`,
        method: 'smtp',
        kind: 'manual',
        headerFrom: 'a@a.example',
        replyTo: null,
        envelopeFrom: null,
        recipient: `${state}@guests.example`,
        subject: null,
        state,
        createdAt: Date.UTC(2026, 11, 1, 10),
      });
    }
    store.close();
    const db = new Database(database);
    db.exec('UPDATE report_platform_hours SET delivered = 40, bounced = 0');
    const result = await deliverabilityWith(
      { DELIVERABILITY_DATABASE: database },
      'recount-reports',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Counted 2 sends into 9 report rows in [\d.]+ s\.\n$/);
    const row = db.prepare('SELECT delivered, bounced FROM report_platform_hours').get();
    db.close();
    assert.deepEqual(row, { delivered: 1, bounced: 1 });
  });

  it('refuses an empty --dns instead of using the system resolver', async () => {
    const result = await deliverability('check', 'example.com', '--dns', '');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /the value is empty/);
  });

  it('check --json prints the report keys', async () => {
    const result = await deliverability('check', '18f.gov', '--json', '--dns', dns.address);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.deepEqual(
      Object.keys(report).filter((k) => k !== 'checkedAt'),
      ['domain', 'spf', 'dkim', 'dmarc', 'methods', 'related'],
    );
    assert.equal(report.dmarc.policy, 'reject');
    assert.equal(report.spf.record, 'v=spf1 -all');
    assert.equal(report.methods.mandrill.dkim.result, 'pass');
  });

  it('spf --json passes a Google IP for gmail.com', async () => {
    const result = await deliverability(
      'spf',
      'gmail.com',
      '--ip',
      '74.125.1.1',
      '--json',
      '--dns',
      dns.address,
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(JSON.parse(result.stdout).result, 'pass');
  });

  it('spf --json fails an unlisted IP under -all', async () => {
    const result = await deliverability(
      'spf',
      '18f.gov',
      '--ip',
      '192.0.2.1',
      '--json',
      '--dns',
      dns.address,
    );
    assert.equal(JSON.parse(result.stdout).result, 'fail');
  });

  it('spf rejects an invalid IP', async () => {
    const result = await deliverability(
      'spf',
      'gmail.com',
      '--ip',
      '999.1.1.1',
      '--dns',
      dns.address,
    );
    assert.equal(result.code, 2);
    assert.match(result.stderr, /ip: must be an IPv4 or IPv6 address.*\(got "999\.1\.1\.1"\)/);
  });

  it('check rejects an invalid --dns value', async () => {
    const result = await deliverability('check', '18f.gov', '--dns', 'localhost');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Invalid DNS server "localhost"/);
  });

  it('bounce --json classifies a corpus message', async () => {
    const file = path.join(corpusDir, 'bounces', 'lhost-postfix-04.eml');
    const result = await deliverability('bounce', file, '--json');
    assert.equal(result.code, 0, result.stderr);
    const [recipient] = JSON.parse(result.stdout).recipients;
    assert.equal(recipient.reason, 'userunknown');
    assert.equal(recipient.status, '5.1.1');
    assert.equal(recipient.replyCode, 550);
    assert.equal(recipient.hardBounce, true);
  });

  it('bounce names a missing file', async () => {
    const result = await deliverability('bounce', '/nonexistent/x.eml', '--json');
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Cannot read \/nonexistent\/x\.eml: no such file/);
  });

  it('invalid configuration names the variable', async () => {
    const { code, stderr } = await run(
      process.execPath,
      [cli, 'check', 'example.com', '--dns', dns.address],
      {
        env: { ...process.env, DELIVERABILITY_PORT: 'eighty' },
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    assert.equal(code, 2);
    assert.match(stderr, /DELIVERABILITY_PORT="eighty"/);
  });
});
