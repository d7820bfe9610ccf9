import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Flags for headless Chromium that turn off its background updates, sync and QUIC. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches the system's headless Chromium for browser tests, at DELIVERABILITY_CHROMIUM or
 * /usr/bin/chromium. Throws when that executable does not exist, with how to install it.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = process.env.DELIVERABILITY_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is missing. No executable exists at ${executablePath}. Install it with ` +
        '`apt-get install chromium`, or set DELIVERABILITY_CHROMIUM to the path of a Chromium ' +
        'executable.',
    );
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
