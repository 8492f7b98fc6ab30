// The element on a real page in Chromium: overlaying another element, click-through, local add().
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { DanmakuLayer } from 'danmaku-layer';
import { openFixture, type FixturePage } from './support/fixture-page.js';

let fixture: FixturePage | undefined;
let page: Page;

before(async () => {
  fixture = await openFixture('overlay.html', { width: 900, height: 700 });
  page = fixture.page;
});
after(() => fixture?.close());

type Rect = { x: number; y: number; width: number; height: number };
const box = (selector: string): Promise<Rect> =>
  page.evaluate((s) => {
    const r = document.querySelector(s)!.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  }, selector);

async function assertOverlays(): Promise<void> {
  // Following happens on the next animation frame at the latest.
  await page
    .waitForFunction(
      () => {
        const a = document.querySelector('#overlay')!.getBoundingClientRect();
        const b = document.querySelector('#target')!.getBoundingClientRect();
        return (
          Math.abs(a.x - b.x) < 1 &&
          Math.abs(a.y - b.y) < 1 &&
          Math.abs(a.width - b.width) < 1 &&
          Math.abs(a.height - b.height) < 1
        );
      },
      undefined,
      { timeout: 3000 },
    )
    .catch(() => {});
  assert.deepEqual(await box('#overlay'), await box('#target'));
}

test('for="id" overlays that element without moving it, and follows it', async () => {
  await assertOverlays();
  const target = await box('#target');
  assert.equal(target.x, 120, 'the target was not moved');
  // A layout shift (no resize, no scroll).
  await page.evaluate(() => ((document.querySelector('#spacer') as HTMLElement).style.height = '150px'));
  await assertOverlays();
  // A resize.
  await page.evaluate(() => ((document.querySelector('#target') as HTMLElement).style.width = '500px'));
  await assertOverlays();
  // Scrolling.
  await page.mouse.wheel(0, 60);
  await page.waitForFunction(() => window.scrollY > 0);
  await assertOverlays();
  await page.evaluate(() => window.scrollTo(0, 0));
  await assertOverlays();
});

test('the layer never takes clicks from what it covers, even with comments on top', async () => {
  await page.evaluate(() => {
    for (const id of ['#overlay', '#wrapper']) {
      const layer = document.querySelector<DanmakuLayer>(id)!;
      for (let i = 0; i < 8; i++) layer.add({ text: 'x'.repeat(30), size: 'large' });
    }
  });
  await page.click('#under');
  await page.click('#inside-button', { position: { x: 150, y: 30 } });
  assert.equal(await page.evaluate(() => (window as unknown as { clicks: number }).clicks), 1);
  assert.equal(await page.evaluate(() => (window as unknown as { insideClicks: number }).insideClicks), 1);
});

test('add() shows a comment locally with no server, as text', async () => {
  const result = await page.evaluate(() => {
    const layer = document.querySelector<DanmakuLayer>('#wrapper')!;
    layer.clear();
    const shown = layer.add({ text: '<b>bold?</b>', color: '#ff0000', mode: 'top' });
    // Finished comments are kept (hidden) for reuse: look for this one by its text.
    const el = [...layer.shadowRoot!.querySelectorAll<HTMLElement>('[part~="comment"]')].find(
      (e) => e.textContent === '<b>bold?</b>',
    )!;
    return {
      shown,
      status: layer.status,
      text: el.textContent,
      bold: layer.shadowRoot!.querySelectorAll('b').length,
      color: getComputedStyle(el).color,
    };
  });
  assert.deepEqual(result, { shown: true, status: 'idle', text: '<b>bold?</b>', bold: 0, color: 'rgb(255, 0, 0)' });
});

test('the layer is hidden from assistive technology', async () => {
  const hidden = await page.evaluate(() =>
    document.querySelector('#overlay')!.shadowRoot!.querySelector('[part="stage"]')!.getAttribute('aria-hidden'),
  );
  assert.equal(hidden, 'true');
});
