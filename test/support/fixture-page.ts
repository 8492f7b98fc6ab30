/** A page of `test/fixtures/` in Chromium, served by a real reference server (which also serves the bundles). */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchBrowser } from './browser.js';
import { startServer } from './server.js';

// This file runs from test/build/support/.
const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export interface FixturePage {
  page: Page;
  /** Closes the browser and stops the server. */
  close(): Promise<void>;
}

/** Opens `test/fixtures/<file>` and waits until `<danmaku-layer>` is defined. */
export async function openFixture(file: string, viewport: { width: number; height: number }): Promise<FixturePage> {
  const server = await startServer({ demo: fixtures });
  const browser = await launchBrowser().catch(async (error) => {
    await server.close();
    throw error;
  });
  const close = async (): Promise<void> => {
    await browser.close();
    await server.close();
  };
  try {
    const page = await browser.newPage({ viewport });
    await page.goto(`${server.http}/${file}`);
    await page.waitForFunction(() => customElements.get('danmaku-layer') !== undefined);
    return { page, close };
  } catch (error) {
    await close();
    throw error;
  }
}
