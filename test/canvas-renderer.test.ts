// renderer="canvas" on a real page: a worker paints the comments where the DOM renderer shows them.
// The canvas belongs to the worker, so what it paints is read from screenshots.
import { test, before, beforeEach, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { DanmakuLayer } from 'danmaku-layer';
import { openFixture, type FixturePage } from './support/fixture-page.js';

const WIDTH = 600;
const HEIGHT = 300;
let fixture: FixturePage | undefined;
let page: Page;

before(async () => {
  fixture = await openFixture('renderers.html', { width: 1280, height: 400 });
  page = fixture.page;
});
after(() => fixture?.close());

/** Bright (text) pixels of one layer's picture: how many, and the box round them. */
interface Ink {
  count: number;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Screenshots the layer `id` and finds its bright pixels (decoded in the page, which has a PNG decoder). */
async function ink(id: string): Promise<Ink> {
  const x = id === 'dom' ? 0 : 620;
  const png = await page.screenshot({ clip: { x, y: 0, width: WIDTH, height: HEIGHT } });
  return page.evaluate(
    async ([base64, w, h]) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const g = new OffscreenCanvas(w, h).getContext('2d')!;
      g.drawImage(bitmap, 0, 0);
      const data = g.getImageData(0, 0, w, h).data;
      const out = { count: 0, left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
      for (let i = 0; i < data.length; i += 4) {
        if (data[i] + data[i + 1] + data[i + 2] < 600) continue;
        const px = (i / 4) % (w as number);
        const py = Math.floor(i / 4 / (w as number));
        out.count++;
        out.left = Math.min(out.left, px);
        out.right = Math.max(out.right, px);
        out.top = Math.min(out.top, py);
        out.bottom = Math.max(out.bottom, py);
      }
      return out;
    },
    [png.toString('base64'), WIDTH, HEIGHT] as const,
  );
}

/** Runs `fn` on both layers in the same task, so both clocks read the same time. */
function onBoth(fn: string): Promise<void> {
  return page.evaluate((body) => {
    // The same statement for both layers, sent as text: the test page has no other way to share it.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call
    for (const id of ['dom', 'canvas']) new Function('layer', body)(document.getElementById(id));
  }, fn);
}

// Every test starts from empty, running layers, whatever the one before left.
beforeEach(() => onBoth('layer.resume(); layer.clear(); layer.removeAttribute("hide-modes"); layer.hidden = false'));

/** Two frames, so that what was posted to the worker is on screen. */
const painted = () =>
  page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));

test('the canvas renderer paints in a worker: a canvas and no comment elements', async () => {
  const shape = await page.evaluate(async () => {
    const layer = document.getElementById('canvas') as DanmakuLayer;
    layer.add({ text: 'first' });
    await new Promise((done) => setTimeout(done, 300));
    const root = layer.shadowRoot!;
    return {
      canvas: root.querySelectorAll('canvas').length,
      comments: root.querySelectorAll('[part~="comment"]').length,
      shown: layer.stats.shown,
    };
  });
  assert.deepEqual(shape, { canvas: 1, comments: 0, shown: 1 });
  await onBoth('layer.clear()');
});

test('it paints top, bottom and scroll comments where the DOM renderer shows them', async () => {
  await onBoth(`
    layer.add({ text: 'TOP COMMENT', mode: 'top' });
    layer.add({ text: 'BOTTOM', mode: 'bottom' });
    layer.add({ text: 'scrolling along' });
    layer.add({ text: 'a second lane' });`);
  // Top/bottom comments fade in over 200 ms; scroll comments have moved in by then.
  await page.waitForTimeout(1200);
  await onBoth('layer.pause()');
  await painted();
  const dom = await ink('dom');
  const canvas = await ink('canvas');
  assert.ok(dom.count > 500, `the DOM renderer shows text (${dom.count} bright pixels)`);
  assert.ok(
    canvas.count > 0.6 * dom.count && canvas.count < 1.6 * dom.count,
    `as much ink: canvas ${canvas.count}, DOM ${dom.count}`,
  );
  for (const side of ['left', 'top', 'right', 'bottom'] as const) {
    assert.ok(Math.abs(canvas[side] - dom[side]) <= 6, `${side}: canvas ${canvas[side]}, DOM ${dom[side]}`);
  }
  // Resumed, the scroll comments move on in the canvas too.
  await onBoth('layer.resume()');
  await page.waitForTimeout(500);
  await onBoth('layer.pause()');
  await painted();
  const later = await ink('canvas');
  // The rightmost ink is a scroll comment's tail (top and bottom comments are centred).
  assert.ok(later.right < canvas.right - 40, `moved left: right edge ${canvas.right} → ${later.right}`);
  await onBoth('layer.resume(); layer.clear()');
});

test('hide-modes and hidden take painted comments off the canvas, clear empties it', async () => {
  await onBoth(`layer.add({ text: 'ONLY TOP', mode: 'top' })`);
  await page.waitForTimeout(400);
  assert.ok((await ink('canvas')).count > 100, 'painted');
  await page.evaluate(() => document.getElementById('canvas')!.setAttribute('hide-modes', 'top'));
  await page.waitForTimeout(200);
  assert.equal((await ink('canvas')).count, 0, 'hide-modes="top"');
  await page.evaluate(() => document.getElementById('canvas')!.removeAttribute('hide-modes'));
  await page.waitForTimeout(200);
  assert.ok((await ink('canvas')).count > 100, 'shown again');
  await page.evaluate(() => (document.getElementById('canvas')!.hidden = true));
  await painted();
  assert.equal((await ink('canvas')).count, 0, 'hidden');
  await page.evaluate(() => (document.getElementById('canvas')!.hidden = false));
  await onBoth('layer.clear()');
  await page.waitForTimeout(200);
  assert.equal((await ink('canvas')).count, 0, 'cleared');
});

test('hide-modes="color" takes coloured comments off the canvas and leaves white ones', async () => {
  // Pale yellow: coloured (not white), and bright enough for ink() to see.
  await onBoth(`layer.add({ text: 'PALE TOP', mode: 'top', color: '#ffffe0' })`);
  await page.waitForTimeout(400);
  assert.ok((await ink('canvas')).count > 100, 'painted');
  await page.evaluate(() => document.getElementById('canvas')!.setAttribute('hide-modes', 'color'));
  await page.waitForTimeout(200);
  assert.equal((await ink('canvas')).count, 0, 'hide-modes="color"');
  await onBoth(`layer.add({ text: 'WHITE BOTTOM', mode: 'bottom', color: '#ffffff' })`);
  await page.waitForTimeout(400);
  assert.ok((await ink('canvas')).count > 100, 'a white comment is still painted');
  await onBoth('layer.clear()');
});

test('markup in a comment is painted as its characters, as the DOM renderer shows it as text', async () => {
  const markup = '<img src=x onerror="window.ran=1"><b>bold?</b>';
  await onBoth(`layer.add({ text: ${JSON.stringify(markup)}, mode: 'top' })`);
  await page.waitForTimeout(400);
  await onBoth('layer.pause()');
  await painted();
  const dom = await ink('dom');
  const canvas = await ink('canvas');
  // Every character is ink: the brackets and attributes too, not just "bold?".
  assert.ok(dom.count > 400, `the DOM renderer shows the markup as text (${dom.count} bright pixels)`);
  assert.ok(
    canvas.count > 0.8 * dom.count && canvas.count < 1.25 * dom.count,
    `as much ink: canvas ${canvas.count}, DOM ${dom.count}`,
  );
  assert.ok(
    Math.abs(canvas.left - dom.left) <= 6 && Math.abs(canvas.right - dom.right) <= 6,
    `as wide: canvas ${canvas.left}–${canvas.right}, DOM ${dom.left}–${dom.right}`,
  );
  assert.equal(await page.evaluate(() => (window as { ran?: number }).ran), undefined);
  await onBoth('layer.resume(); layer.clear()');
});
