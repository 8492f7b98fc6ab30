/** Launches Debian's Chromium through playwright-core (no browser download). */
import { chromium, type Browser } from 'playwright-core';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      ...(asRoot ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
