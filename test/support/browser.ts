/** Launches Debian's Chromium through playwright-core (no browser download). */
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

// The flags every launcher in the repository shares; this file runs from test/build/support/.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const { CHROMIUM_ARGS, CHROMIUM_PATH } = (await import(`${root}scripts/chromium.mjs`)) as {
  CHROMIUM_ARGS: string[];
  CHROMIUM_PATH: string;
};

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}
