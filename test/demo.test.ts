// End to end: the real server with its demo page, two real Chromium pages in one room.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';

/** The demo's comment box: the input inside its `<danmaku-composer>`. */
const INPUT = 'danmaku-composer [part="input"]';

let server: RunningServer;
let browser: Browser;

before(async () => {
  server = await startServer({ demo: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** Texts of the comments currently in a page's layer (inside its shadow root). */
function commentTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const layer = document.querySelector('danmaku-layer')!;
    return [...layer.shadowRoot!.querySelectorAll('[part~="comment"]')].map((el) => el.textContent ?? '');
  });
}

async function openDemo(room: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('dialog', (dialog) => {
    throw new Error(`unexpected dialog: ${dialog.message()}`);
  });
  await page.goto(`${server.http}/?room=${room}`);
  await page.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'open');
  return page;
}

test('a comment typed on one page flies across the other page in the room', async () => {
  const a = await openDemo('e2e');
  const b = await openDemo('e2e');
  const elsewhere = await openDemo('another-room');

  await a.fill(INPUT, 'hello from A');
  await a.press(INPUT, 'Enter');

  await b.waitForFunction(() =>
    [...document.querySelector('danmaku-layer')!.shadowRoot!.querySelectorAll('[part~="comment"]')].some(
      (el) => el.textContent === 'hello from A',
    ),
  );
  // It moves: its position changes over time (the compositor animates it).
  const position = () =>
    b.evaluate(() => {
      const el = [...document.querySelector('danmaku-layer')!.shadowRoot!.querySelectorAll('[part~="comment"]')].find(
        (e) => e.textContent === 'hello from A',
      )!;
      return el.getBoundingClientRect().left;
    });
  const x1 = await position();
  await b.waitForTimeout(300);
  const x2 = await position();
  assert.ok(x2 < x1, `moves right to left (${x1} → ${x2})`);

  // The sender sees it too, marked as its own; the other room does not.
  await a.waitForFunction(() =>
    [...document.querySelector('danmaku-layer')!.shadowRoot!.querySelectorAll('[part~="own"]')].some(
      (el) => el.textContent === 'hello from A',
    ),
  );
  assert.deepEqual(await commentTexts(elsewhere), []);
  // The input was cleared after sending.
  assert.equal(await a.inputValue(INPUT), '');
  await Promise.all([a.close(), b.close(), elsewhere.close()]);
});

test('an HTML payload is shown as text and never runs', async () => {
  const a = await openDemo('xss');
  const b = await openDemo('xss');
  const payload = '<img src=x onerror=alert(1)>';
  await a.fill(INPUT, payload);
  await a.press(INPUT, 'Enter');
  await b.waitForFunction(
    (text) =>
      [...document.querySelector('danmaku-layer')!.shadowRoot!.querySelectorAll('[part~="comment"]')].some(
        (el) => el.textContent === text,
      ),
    payload,
  );
  const images = await b.evaluate(
    () => document.querySelector('danmaku-layer')!.shadowRoot!.querySelectorAll('img').length,
  );
  assert.equal(images, 0);
  await Promise.all([a.close(), b.close()]);
});

test('the demo page shows the connection state and recovers after the server restarts', async () => {
  const page = await openDemo('restart');
  assert.equal(await page.textContent('#status'), 'open');
  const port = server.port;
  await server.close();
  await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'connecting');
  server = await startServer({ demo: true }, port);
  await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'open', undefined, {
    timeout: 15_000,
  });
  await page.close();
});

test('on a 390 px phone every button of the control bar keeps its label on one line, inside the bar', async () => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    hasTouch: true,
    isMobile: true,
  });
  try {
    const page = await context.newPage();
    await page.goto(`${server.http}/?room=phone-bar`);
    await page.waitForFunction(() => customElements.get('danmaku-settings') !== undefined);
    const buttons = await page.evaluate(() => {
      // Shown as where Document Picture-in-Picture exists: it has the longest label.
      document.getElementById('pip')!.hidden = false;
      const bar = document.querySelector('.bar')!.getBoundingClientRect();
      return [...document.querySelectorAll<HTMLElement>('.bar button')].map((button) => {
        const label = document.createRange();
        label.selectNodeContents(button);
        const box = button.getBoundingClientRect();
        return {
          id: button.id,
          lines: new Set([...label.getClientRects()].map((line) => Math.round(line.top))).size,
          inside: box.left >= bar.left && box.right <= bar.right && box.bottom <= bar.bottom,
        };
      });
    });
    assert.deepEqual(buttons, [
      { id: 'fullscreen', lines: 1, inside: true },
      { id: 'pip', lines: 1, inside: true },
    ]);
  } finally {
    await context.close();
  }
});
