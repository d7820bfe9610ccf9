import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { repoRoot } from '../../server/paths.js';
import {
  ANALYSIS_KEYS,
  ANALYSIS_PLATFORM_ENV,
  MANAGER_IP,
  analysisZone,
} from '../support/analysis-zone.js';
import { composeMessage, replaceText } from '../support/dkim-signing.js';
import { startDnsServer, type DnsServer } from '../support/dns-server.js';
import { makeTempDir } from '../support/server.js';

const run = promisify(execFile);
const cli = path.join(repoRoot, 'dist', 'server', 'cli.js');

async function deliverability(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [cli, ...args], {
      env: { ...process.env, DELIVERABILITY_LOG_LEVEL: 'silent', ...ANALYSIS_PLATFORM_ENV },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('deliverability analyze', () => {
  let dns: DnsServer;
  let dir: string;
  let signedFile: string;
  let alteredFile: string;

  before(async () => {
    dns = await startDnsServer(analysisZone());
    dir = makeTempDir('deliverability-analyze-');
    const signed = await composeMessage({
      from: 'office@harbor-rentals.example',
      key: ANALYSIS_KEYS.harbor,
    });
    signedFile = path.join(dir, 'signed.eml');
    fs.writeFileSync(signedFile, signed);
    alteredFile = path.join(dir, 'altered.eml');
    fs.writeFileSync(alteredFile, replaceText(signed, 'under the mat', 'under the pot'));
  });

  after(async () => {
    await dns?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--json with --ip', async () => {
    const result = await deliverability(
      'analyze',
      signedFile,
      '--ip',
      MANAGER_IP,
      '--json',
      '--dns',
      dns.address,
    );
    assert.equal(result.code, 0, result.stderr);
    const analysis = JSON.parse(result.stdout);
    assert.equal(analysis.envelope.ipSource, 'given');
    assert.equal(analysis.spf.result, 'pass');
    assert.equal(analysis.dkim[0].result, 'pass');
    assert.equal(analysis.dmarc.result, 'pass');
  });

  it('readable output leads with the diagnosis', async () => {
    const result = await deliverability('analyze', alteredFile, '--dns', dns.address);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.match(lines[0] ?? '', /^Diagnosis: Receivers that enforce DMARC reject this message/);
    assert.match(result.stdout, /\[dkim\.body_hash_mismatch\]/);
    assert.match(result.stdout, /SPF: not evaluated/);
    assert.match(result.stdout, /d=harbor-rentals\.example s=h1: neutral/);
  });

  it('missing file exits 2', async () => {
    const missing = path.join(dir, 'nowhere.eml');
    const result = await deliverability('analyze', missing, '--dns', dns.address);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `deliverability: Cannot read ${missing}: no such file\n`);
  });

  it('directory exits 2', async () => {
    const result = await deliverability('analyze', dir, '--dns', dns.address);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /is a directory/);
  });

  it('invalid --ip exits 2', async () => {
    const result = await deliverability('analyze', signedFile, '--ip', 'x.y', '--dns', dns.address);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Invalid client IP "x\.y"/);
  });
});
