/**
 * Headless Chromium for the page tests: Debian's `chromium` (or CHROMIUM_PATH), never a skip —
 * without it the suites fail with the install hint. The flags keep it off the network this
 * machine does not have (background networking, component updates, sync).
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Where Chromium is, or an error saying how to install it. */
export function chromiumPath(): string {
  const found = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find(
    (path) => path !== undefined && path !== '' && existsSync(path),
  );
  if (!found) {
    throw new Error(
      'The page tests need headless Chromium: apt-get install chromium (or set CHROMIUM_PATH).',
    );
  }
  return found;
}

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** A headless Chromium driven by playwright-core. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_FLAGS, headless: true });
}
