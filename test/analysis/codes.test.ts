import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../../server/paths.js';

const SOURCE_DIR = path.join(repoRoot, 'server', 'analysis');
const CODE = /'((?:message|dmarc|dkim|spf|arc|received)\.[a-z_]+)'/g;

/** Codes built from a template in diagnosis.ts: `dmarc.${policy}_unaligned` and `spf.${result}`. */
const TEMPLATE_CODES = [
  'dmarc.reject_unaligned',
  'dmarc.quarantine_unaligned',
  'spf.fail',
  'spf.softfail',
  'spf.neutral',
  'spf.none',
  'spf.permerror',
  'spf.temperror',
];

function sourceCodes(): string[] {
  const codes = new Set(TEMPLATE_CODES);
  for (const file of fs.readdirSync(SOURCE_DIR).filter((name) => name.endsWith('.ts'))) {
    const source = fs.readFileSync(path.join(SOURCE_DIR, file), 'utf8');
    for (const match of source.matchAll(CODE)) codes.add(match[1] as string);
  }
  return [...codes].sort();
}

describe('analysis cause codes', () => {
  it('every code is documented', () => {
    const docs = fs.readFileSync(path.join(repoRoot, 'docs', 'analyze.md'), 'utf8');
    const codes = sourceCodes();
    assert.ok(codes.length > 20, `found only ${codes.length} codes`);
    const missing = codes.filter((code) => !docs.includes(`| \`${code}\``));
    assert.deepEqual(missing, []);
  });
});
