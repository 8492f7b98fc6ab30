// End to end: <danmaku-settings> with the one-script-tag bundle, served by the reference server,
// in Chromium. The page asks for the bundle only; the bundle fetches danmaku-settings.bundle.js
// because the page holds the element, and the viewer's choices stored on an earlier visit apply
// before the layer shows the room's history: a blocked comment never reaches the stage.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createDanmakuServer, type DanmakuServer } from 'danmaku-layer-server';
import type {} from 'danmaku-layer';
import { launchBrowser } from './support/browser.js';
import { recordingClient, waitFor } from './support/clients.js';

let danmaku: DanmakuServer;
let browser: Browser;
let base: string;
let ws: string;
let pagesDir: string;

const ROOM = 'settings-e2e';

before(async () => {
  pagesDir = await mkdtemp(join(tmpdir(), 'danmaku-settings-'));
  await writeFile(
    join(pagesDir, 'settings.html'),
    '<!doctype html><html lang="en"><title>settings</title><script type="module" src="/danmaku-layer.bundle.js"></script>' +
      `<danmaku-layer id="live" src="/ws" room="${ROOM}" last="10" style="display:block;width:400px;height:200px"></danmaku-layer>` +
      '<danmaku-settings for="live" storage-key="player-a"></danmaku-settings></html>',
  );
  danmaku = await createDanmakuServer({ demo: pagesDir, flushInterval: 5 });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  ws = `ws://127.0.0.1:${port}/ws`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await danmaku?.close();
  await rm(pagesDir, { recursive: true, force: true });
});

test('the bundle fetches <danmaku-settings> for a page that holds one, and stored choices apply before the first comment', async () => {
  // The room's history, which the page's layer replays on joining (last="10").
  const sender = recordingClient({ url: ws, room: ROOM });
  await waitFor(() => sender.statuses.includes('open'));
  await sender.connection.send('a spoiler here', { mode: 'scroll' });
  await sender.connection.send('fine', { mode: 'scroll' });
  await sender.connection.send('red top', { mode: 'top', color: '#ff0000' });
  sender.connection.close();

  const page = await browser.newPage();
  const scripts: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
  });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // An earlier visit's choices, under the page's key; another player's key is left alone.
  await page.addInitScript(() => {
    localStorage.setItem('player-a', JSON.stringify({ blocklist: ['spoiler'], hideModes: 'color', opacity: 0.5 }));
    localStorage.setItem('player-b', JSON.stringify({ hidden: true }));
  });
  await page.goto(`${base}/settings.html`);
  await page.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'open');
  await page.waitForFunction(() => document.querySelector('danmaku-layer')!.stats.filtered === 2);

  const seen = await page.evaluate(() => {
    const layer = document.querySelector('danmaku-layer')!;
    return {
      defined: customElements.get('danmaku-settings') !== undefined,
      shown: layer.stats.shown,
      stage: [...layer.shadowRoot!.querySelectorAll('.comment')].map((el) => el.textContent),
      opacity: layer.opacity,
      hidden: layer.hidden,
      gear: document
        .querySelector('danmaku-settings')!
        .shadowRoot!.querySelector('[part~="button"]')!
        .getAttribute('aria-label'),
    };
  });
  assert.deepEqual(seen, {
    defined: true,
    // Never placed, not placed and then hidden: the settings were applied first.
    shown: 1,
    stage: ['fine'],
    opacity: 0.5,
    hidden: false,
    gear: 'Comment settings',
  });
  assert.ok(scripts.includes('/danmaku-settings.bundle.js'), scripts.join(', '));
  assert.equal(scripts[0], '/danmaku-layer.bundle.js');
  assert.deepEqual(errors, []);
  await page.close();
});

test('two tabs of the site: a choice made in one applies in the other at once', async () => {
  // One browser profile, two tabs: they share localStorage, as a viewer's tabs do.
  const context = await browser.newContext();
  try {
    const [one, two] = [await context.newPage(), await context.newPage()];
    for (const tab of [one, two]) {
      await tab.goto(`${base}/settings.html`);
      await tab.waitForFunction(() => customElements.get('danmaku-settings') !== undefined);
    }
    await two.evaluate(() => {
      const w = window as unknown as { heard: unknown[] };
      w.heard = [];
      document.addEventListener('danmaku-settings-change', (e) =>
        w.heard.push((e as CustomEvent<{ settings: unknown }>).detail.settings),
      );
    });
    await one.locator('danmaku-settings [part~="button"]').click();
    await one.locator('danmaku-settings #opacity').fill('0.3');
    await two.waitForFunction(() => document.querySelector('danmaku-layer')!.opacity === 0.3, null, {
      timeout: 10_000,
    });
    assert.deepEqual(await two.evaluate(() => (window as unknown as { heard: unknown[] }).heard), [{ opacity: 0.3 }]);
    await two.locator('danmaku-settings [part~="button"]').click();
    assert.equal(await two.locator('danmaku-settings #opacity').inputValue(), '0.3');
  } finally {
    await context.close();
  }
});
