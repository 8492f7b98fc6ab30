// How this repository starts Debian's Chromium (never a downloaded browser): the browser tests
// (web-test-runner.config.mjs), the end-to-end tests (test/support/browser.ts), the widget
// benchmark and the README screenshot all launch it with these.

/** The browser binary: `CHROMIUM_PATH`, else Debian's `chromium` package. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * Command-line flags: no sandbox as root (Chromium refuses to start otherwise), no GPU, and none of
 * the background fetches, which a machine without internet access refuses many at a time.
 */
export const CHROMIUM_ARGS = [
  ...(asRoot ? ['--no-sandbox'] : []),
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
