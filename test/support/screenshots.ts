import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from '../../server/paths.js';

/** Where the browser tests keep their screenshots: test-artifacts/ (ignored by git), or $DELIVERABILITY_ARTIFACTS. */
export const artifactsDir =
  process.env.DELIVERABILITY_ARTIFACTS ?? path.join(repoRoot, 'test-artifacts');

/** Saves a full-page screenshot of the current view as `<name>.png`, and returns its path. */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
