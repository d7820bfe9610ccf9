import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { repoRoot } from '../../server/paths.js';

const CODE = /'((?:spf|dkim|dmarc|mx|rdns|dnsbl|mta_sts|tlsrpt|bimi|related)\.[a-z0-9_]+)'/g;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

it('finding codes are all documented', () => {
  const used = new Set<string>();
  for (const file of sourceFiles(path.join(repoRoot, 'server', 'checks'))) {
    for (const match of fs.readFileSync(file, 'utf8').matchAll(CODE)) used.add(match[1] as string);
  }
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'finding-codes.md'), 'utf8');
  const missing = [...used].filter((code) => !doc.includes(`\`${code}\``)).sort();
  assert.deepEqual(missing, [], 'add these codes to docs/finding-codes.md');
  assert.ok(used.size > 50, `only ${used.size} codes found: is the pattern right?`);
});
