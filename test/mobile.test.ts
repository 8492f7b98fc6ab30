// The layer on a phone: Chromium at 390×844, device scale 2, touch. Type that follows the stage,
// taps and long presses, scrolling that starts on a comment, fullscreen with the comments, and
// picture-in-picture where the browser has it. Screenshots go to SCREENS_DIR (default
// /work/screens-mobile/) for a look by eye; they are not compared.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import type { DanmakuLayer } from 'danmaku-layer';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const SCREENS = process.env.SCREENS_DIR ?? '/work/screens-mobile';
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, hasTouch: true, isMobile: true };

let server: RunningServer;
let browser: Browser;

before(async () => {
  server = await startServer({ demo: fixtures });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

/** A fresh phone-sized page on the fixture, its layer defined and laid out. */
async function phone(): Promise<{ page: Page; cdp: CDPSession; context: BrowserContext }> {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await page.goto(`${server.http}/mobile.html`);
  await page.waitForFunction(() => customElements.get('danmaku-layer') !== undefined);
  await page.evaluate(() => (document.querySelector('danmaku-layer') as DanmakuLayer).updateComplete);
  const cdp = await context.newCDPSession(page);
  return { page, cdp, context };
}

type Box = { x: number; y: number; width: number; height: number };

/** The box of the comment reading `text`, in the page's CSS pixels. */
function commentBox(page: Page, text: string): Promise<Box | null> {
  return page.evaluate((t) => {
    const layer = document.querySelector('danmaku-layer')!;
    const el = [...layer.shadowRoot!.querySelectorAll<HTMLElement>('.comment')].find((e) => e.textContent === t);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  }, text);
}

/** Adds a comment and returns its box once it is on the stage. */
async function addComment(page: Page, comment: { text: string; mode?: string; size?: string }): Promise<Box> {
  const added = await page.evaluate(
    (c) => (document.querySelector('danmaku-layer') as DanmakuLayer).add(c as never),
    comment,
  );
  assert.equal(added, true, `${comment.text} was taken`);
  await page.waitForFunction(
    (t) =>
      [...document.querySelector('danmaku-layer')!.shadowRoot!.querySelectorAll('.comment')].some(
        (e) => e.textContent === t,
      ),
    comment.text,
  );
  return (await commentBox(page, comment.text))!;
}

/** Sizes the layer (the stage follows through its ResizeObserver) and waits a frame for it. */
async function sizeLayer(page: Page, css: string): Promise<void> {
  await page.evaluate(async (style) => {
    const layer = document.querySelector<HTMLElement>('danmaku-layer')!;
    layer.style.cssText = style;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  }, css);
}

const centre = (box: Box): { x: number; y: number } => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

async function touch(cdp: CDPSession, point: { x: number; y: number }, holdMs: number): Promise<void> {
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point] });
  await new Promise((resolve) => setTimeout(resolve, holdMs));
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

test('comment boxes follow the stage: 20 px lines on a phone player, 32 px at 1280×720, a fixed size stays fixed', async () => {
  const { page, context } = await phone();
  try {
    // The fixture's player is the phone's width at 16:9: 390 × 219.
    const small = await addComment(page, { text: 'small stage', mode: 'top' });
    assert.equal(small.height, 20, '16 px type in a 20 px line');
    const smallSize = await addComment(page, { text: 'small one', mode: 'top', size: 'small' });
    assert.equal(smallSize.height, 15, 'small: 0.72 × 16 = 12 px type, 15 px line');

    // The same layer made large (the page scrolls sideways): the size follows, and what was on the
    // stage keeps its size rather than jump.
    await sizeLayer(page, 'width:1280px;height:720px;aspect-ratio:auto');
    const large = await addComment(page, { text: 'large stage', mode: 'top' });
    assert.equal(large.height, 32, '25 px type in a 32 px line');
    assert.equal((await commentBox(page, 'small stage'))!.height, 20, 'a comment in flight keeps its size');

    // font-scale multiplies it.
    await page.evaluate(() => ((document.querySelector('danmaku-layer') as DanmakuLayer).fontScale = 2));
    assert.equal((await addComment(page, { text: 'scaled', mode: 'top' })).height, 63, '50 px type, 63 px line');

    // A fixed size through the custom property ignores the stage.
    await sizeLayer(page, 'width:390px;height:219px;aspect-ratio:auto;--danmaku-font-size:25px');
    await page.evaluate(() => ((document.querySelector('danmaku-layer') as DanmakuLayer).fontScale = 1));
    assert.equal((await addComment(page, { text: 'fixed', mode: 'bottom' })).height, 32, 'fixed 25 px');
  } finally {
    await context.close();
  }
});

test('scroll comments on a phone player move slower than at 1280×720, in proportion to the type', async () => {
  const { page, context } = await phone();
  try {
    // A second layer, 1280×720, beside the phone's player: both comments are placed at once and
    // measured at the same moments, so only the ratio of their speeds is checked, not timings.
    await page.evaluate(async () => {
      const large = document.createElement('danmaku-layer');
      large.id = 'large';
      large.style.cssText = 'display:block;width:1280px;height:720px';
      document.body.append(large);
      await large.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    });
    const positions = (): Promise<number[]> =>
      page.evaluate(() =>
        ['#layer', '#large'].map(
          (id) => document.querySelector(id)!.shadowRoot!.querySelector('.comment')!.getBoundingClientRect().x,
        ),
      );
    await page.evaluate(() => {
      for (const id of ['#layer', '#large']) (document.querySelector(id) as DanmakuLayer).add({ text: 'same words' });
    });
    await page.waitForTimeout(300);
    const first = await positions();
    await page.waitForTimeout(700);
    const second = await positions();
    const ratio = (first[0] - second[0]) / (first[1] - second[1]);
    // 16 px type on the phone, 25 px at 1280×720: 102 and 160 px/s.
    assert.ok(Math.abs(ratio - 16 / 25) < 0.05, `phone/desktop speed ratio ${ratio.toFixed(3)}, expected 0.64`);
  } finally {
    await context.close();
  }
});

test('a tap on a comment is a click; a long press holds it; a tap beside it reaches the video', async () => {
  const { page, cdp, context } = await phone();
  try {
    await page.evaluate(() => {
      const layer = document.querySelector('danmaku-layer') as DanmakuLayer;
      layer.speed = 100;
      (window as unknown as { heard: string[] }).heard = [];
      const heard = (window as unknown as { heard: string[] }).heard;
      layer.addEventListener('danmaku-comment-click', (e) =>
        heard.push(`comment:${(e as CustomEvent<{ comment: { text: string } }>).detail.comment.text}`),
      );
      document.querySelector('video')!.addEventListener('click', () => heard.push('video'));
    });
    const heard = (): Promise<string[]> => page.evaluate(() => (window as unknown as { heard: string[] }).heard);
    // The interaction module arrives on first use.
    await page.waitForFunction(() =>
      [...document.querySelector('danmaku-layer')!.shadowRoot!.adoptedStyleSheets].some((sheet) =>
        [...sheet.cssRules].some((rule) => rule.cssText.includes('touch-action')),
      ),
    );
    const box = await addComment(page, { text: 'tap me' });
    // It enters from beyond the right edge: wait until a finger can reach it.
    await page.waitForFunction(() => {
      const el = document.querySelector('danmaku-layer')!.shadowRoot!.querySelector('.comment')!;
      return el.getBoundingClientRect().x < 300;
    });
    const moving = (await commentBox(page, 'tap me'))!;
    await touch(cdp, { x: moving.x + 10, y: centre(moving).y }, 50);
    await page.waitForFunction(() => (window as unknown as { heard: string[] }).heard.length > 0);
    assert.deepEqual(
      await heard(),
      ['comment:tap me'],
      'a tap on a comment fires danmaku-comment-click, not a video click',
    );
    assert.ok(box.height > 0);

    // A tap on empty stage reaches the video.
    await touch(cdp, { x: 200, y: 200 }, 50);
    await page.waitForFunction(() => (window as unknown as { heard: string[] }).heard.length > 1);
    assert.deepEqual((await heard()).slice(1), ['video'], 'the layer is click-through beside comments');

    // A long press holds the comment: it stands still after the finger lifts, and no click fires.
    const before = (await commentBox(page, 'tap me'))!;
    await touch(cdp, { x: before.x + 10, y: centre(before).y }, 800);
    const held = (await commentBox(page, 'tap me'))!.x;
    await page.waitForTimeout(400);
    assert.equal((await commentBox(page, 'tap me'))!.x, held, 'held after a long press');
    assert.deepEqual((await heard()).slice(2), [], 'a long press is not a tap');

    // The next touch lets it go.
    await touch(cdp, { x: 200, y: 600 }, 50);
    await page.waitForTimeout(400);
    assert.ok((await commentBox(page, 'tap me'))!.x < held, 'moves again after the next touch');
  } finally {
    await context.close();
  }
});

test('a finger that starts on a comment still scrolls the page', async () => {
  const { page, cdp, context } = await phone();
  try {
    await page.evaluate(() => ((document.querySelector('danmaku-layer') as DanmakuLayer).speed = 20));
    await page.waitForFunction(() =>
      [...document.querySelector('danmaku-layer')!.shadowRoot!.adoptedStyleSheets].some((sheet) =>
        [...sheet.cssRules].some((rule) => rule.cssText.includes('touch-action')),
      ),
    );
    // A bottom comment: the finger has the player's height to drag up through.
    const box = await addComment(page, { text: 'scroll from here, a long comment', mode: 'bottom' });
    const from = centre(box);
    const hit = await page.evaluate(
      ({ x, y }) => document.querySelector('danmaku-layer')!.shadowRoot!.elementFromPoint(x, y)?.textContent,
      from,
    );
    assert.equal(hit, 'scroll from here, a long comment', 'the gesture starts on the comment');
    // A finger drags up from the comment: the page scrolls down (the browser pans; nothing in the
    // layer holds the gesture).
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [from] });
    for (let i = 1; i <= 10; i++) {
      await cdp.send('Input.dispatchTouchEvent', {
        type: 'touchMove',
        touchPoints: [{ x: from.x, y: from.y - i * 20 }],
      });
      await new Promise((resolve) => setTimeout(resolve, 16));
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await page.waitForFunction(() => window.scrollY > 100, undefined, { timeout: 5000 });
    assert.ok((await page.evaluate(() => window.scrollY)) > 100);
  } finally {
    await context.close();
  }
});

test('layer.requestFullscreen() shows the media and the comments together, with the composer inside', async () => {
  const { page, context } = await phone();
  try {
    // A composer inside the layer comes along into fullscreen.
    await page.evaluate(() =>
      document.querySelector('danmaku-layer')!.append(document.querySelector('danmaku-composer')!),
    );
    await page.evaluate(() => document.querySelector('danmaku-layer')!.requestFullscreen());
    await page.waitForFunction(() => document.fullscreenElement === document.querySelector('danmaku-layer'));
    await page.waitForFunction(() => document.querySelector('danmaku-layer')!.getBoundingClientRect().height === 844);
    // The fullscreen styles come with the module fetched on the first fullscreenchange.
    await page.waitForFunction(() =>
      [...document.querySelector('danmaku-layer')!.shadowRoot!.adoptedStyleSheets].some((sheet) =>
        [...sheet.cssRules].some((rule) => rule.cssText.includes(':fullscreen')),
      ),
    );
    const box = await addComment(page, { text: 'in fullscreen', mode: 'top' });
    // 390×844 upright: the 16:9 picture across it is 219 px tall, so 16 px type.
    assert.equal(box.height, 20);
    assert.ok(box.y >= 0 && box.y + box.height <= 844 && box.x >= 0 && box.x + box.width <= 390, 'on screen');
    const video = await page.evaluate(() => {
      const r = document.querySelector('video')!.getBoundingClientRect();
      return { width: r.width, height: r.height };
    });
    assert.deepEqual(video, { width: 390, height: 844 }, 'the video fills the fullscreen layer');
    const composer = await page.evaluate(() => {
      const c = document.querySelector('danmaku-composer')!;
      const r = c.getBoundingClientRect();
      return {
        bottom: r.bottom,
        top: document.elementFromPoint(r.x + 20, r.y + r.height / 2)?.closest('danmaku-composer') === c,
      };
    });
    assert.ok(composer.bottom > 800 && composer.bottom <= 844, 'the composer lies over the bottom of the picture');
    assert.equal(composer.top, true, 'above the comments and the video');
    await page.screenshot({ path: `${SCREENS}/fullscreen-layer.png` });
    await page.evaluate(() => document.exitFullscreen());
    await page.waitForFunction(() => document.fullscreenElement === null);
  } finally {
    await context.close();
  }
});

test('when the video goes fullscreen by itself, the comments stay over it', async () => {
  const { page, context } = await phone();
  try {
    await page.evaluate(() => {
      // A page button that fullscreens the video alone (as the video's own controls do).
      const button = document.createElement('button');
      button.id = 'video-fullscreen';
      button.textContent = 'video fullscreen';
      button.onclick = () => void document.querySelector('video')!.requestFullscreen();
      document.body.prepend(button);
    });
    await page.tap('#video-fullscreen');
    await page.waitForFunction(() => document.fullscreenElement !== null);
    // Where the browser lets the layer take over, its host is fullscreen; where it refuses (Chromium
    // used the tap up on the video's request), the stage is lifted over the fullscreen video.
    await page.waitForFunction(
      () =>
        document.fullscreenElement === document.querySelector('danmaku-layer') ||
        document.querySelector('danmaku-layer')!.shadowRoot!.querySelector('.stage')!.matches(':popover-open'),
    );
    const state = await page.evaluate(() => ({
      fullscreen: document.fullscreenElement?.localName,
      stage: (() => {
        const r = document.querySelector('danmaku-layer')!.shadowRoot!.querySelector('.stage')!.getBoundingClientRect();
        return { width: r.width, height: r.height };
      })(),
    }));
    assert.deepEqual(state.stage, { width: 390, height: 844 }, 'the stage covers the screen');
    const box = await addComment(page, { text: 'over the fullscreen video', mode: 'top' });
    assert.equal(box.height, 20, 'type for the fullscreen stage');
    assert.ok(box.y >= 0 && box.y + box.height <= 844, 'on screen');
    await page.screenshot({ path: `${SCREENS}/fullscreen-video.png` });
    if (state.fullscreen === 'video') {
      // The lifted stage is click-through: the fullscreen video and its controls take the touch.
      const under = await page.evaluate(() => document.elementFromPoint(200, 600)?.localName);
      assert.equal(under, 'video', 'beside comments, the video (and its controls) take the touch');
    }
    // Fully out (the layer may have been granted fullscreen on top of the video's).
    await page.evaluate(async () => {
      while (document.fullscreenElement) await document.exitFullscreen();
    });
    await page
      .waitForFunction(
        () =>
          document.fullscreenElement === null &&
          !document.querySelector('danmaku-layer')!.shadowRoot!.querySelector('.stage')!.matches(':popover-open'),
        undefined,
        { timeout: 5000 },
      )
      .catch(() => {});
    const after = await page.evaluate(() => ({
      fullscreen: document.fullscreenElement?.localName ?? null,
      lifted: document.querySelector('danmaku-layer')!.shadowRoot!.querySelector('.stage')!.matches(':popover-open'),
    }));
    assert.deepEqual(after, { fullscreen: null, lifted: false }, 'out of fullscreen, the stage is put back');
    const back = await page.evaluate(() => {
      const r = document.querySelector('danmaku-layer')!.shadowRoot!.querySelector('.stage')!.getBoundingClientRect();
      return { width: r.width, height: Math.round(r.height) };
    });
    assert.deepEqual(back, { width: 390, height: 219 }, 'the stage is back over the player');
  } finally {
    await context.close();
  }
});

test('picture-in-picture: the layer moves into the floating window and back where the API exists, else rejects with unsupported', async () => {
  const { page, context } = await phone();
  try {
    // Document Picture-in-Picture exists only in secure contexts (127.0.0.1 is one).
    const result = await page.evaluate(async () => {
      const layer = document.querySelector('danmaku-layer') as DanmakuLayer;
      const api = (window as unknown as { documentPictureInPicture?: { window: Window | null } })
        .documentPictureInPicture;
      try {
        await layer.requestPictureInPicture();
      } catch (error) {
        return { present: !!api, name: (error as Error).name, code: (error as { code?: string }).code };
      }
      const pip = api!.window!;
      const stage = () => layer.shadowRoot!.querySelector('.stage')!;
      const inside = {
        moved: layer.ownerDocument === pip.document,
        // The layer's own styles, made again in the window's document.
        stagePosition: pip.getComputedStyle(stage()).position,
        added: layer.add({ text: 'in the floating window', mode: 'top' }),
        onScreen: layer.stats.onScreen,
      };
      pip.close();
      await new Promise((resolve) => setTimeout(resolve, 300));
      return {
        present: true,
        inside,
        back: layer.ownerDocument === document && layer.previousElementSibling?.localName === 'header',
        stagePositionBack: getComputedStyle(stage()).position,
      };
    });
    if (!result.present) {
      assert.deepEqual(result, { present: false, name: 'DanmakuError', code: 'unsupported' });
      return;
    }
    assert.deepEqual(result, {
      present: true,
      inside: { moved: true, stagePosition: 'absolute', added: true, onScreen: 1 },
      back: true,
      stagePositionBack: 'absolute',
    });
  } finally {
    await context.close();
  }
});

/**
 * Opens the picture-in-picture window from `page` (with a user gesture: playwright's evaluate gives
 * one) and returns it as a page, or `null` where the browser has no Document Picture-in-Picture.
 * The page is first left open a few seconds: a clock read from the page rather than from the
 * window, whose time starts at 0 when it opens, would then hold new comments still that long.
 */
async function openPictureInPicture(page: Page, context: BrowserContext): Promise<Page | null> {
  if (!(await page.evaluate(() => 'documentPictureInPicture' in window))) return null;
  await page.waitForFunction(() => performance.now() > 3000, undefined, { timeout: 10000 });
  const opened = context.waitForEvent('page');
  await page.evaluate(() => {
    // Kept: the layer leaves this document, where querySelector would no longer find it.
    const layer = ((window as unknown as { layer: DanmakuLayer }).layer = document.querySelector('danmaku-layer')!);
    return layer.requestPictureInPicture();
  });
  return opened;
}

/** x of the comment reading `text` in the layer kept by {@link openPictureInPicture}, in its own window. */
function commentX(page: Page, text: string): Promise<number | null> {
  return page.evaluate((t) => {
    const layer = (window as unknown as { layer: DanmakuLayer }).layer;
    const el = [...layer.shadowRoot!.querySelectorAll('.comment')].find((e) => e.textContent === t);
    return el ? el.getBoundingClientRect().x : null;
  }, text);
}

/** Adds a scroll comment to the kept layer and waits two frames of the window it is in. */
function addAndPaint(page: Page, text: string): Promise<boolean> {
  return page.evaluate(async (t) => {
    const layer = (window as unknown as { layer: DanmakuLayer }).layer;
    const added = layer.add({ text: t, size: 'large' });
    const view = layer.ownerDocument.defaultView!;
    await new Promise((resolve) => view.requestAnimationFrame(() => view.requestAnimationFrame(resolve)));
    return added;
  }, text);
}

/**
 * Where the leftmost bright (comment) pixel is in a screenshot of `shot`, as a fraction of its
 * width (Infinity: none), decoded in `page`.
 */
async function inkLeft(page: Page, shot: Page): Promise<number> {
  const png = await shot.screenshot();
  return page.evaluate(async (base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const g = new OffscreenCanvas(bitmap.width, bitmap.height).getContext('2d')!;
    g.drawImage(bitmap, 0, 0);
    const data = g.getImageData(0, 0, bitmap.width, bitmap.height).data;
    let left = Infinity;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] + data[i + 1] + data[i + 2] >= 600) left = Math.min(left, (i / 4) % bitmap.width);
    }
    return left / bitmap.width;
  }, png.toString('base64'));
}

test('picture-in-picture, DOM renderer: comments fly in the floating window from the start, and again after coming back', async (t) => {
  const { page, context } = await phone();
  try {
    const pip = await openPictureInPicture(page, context);
    if (!pip) return t.skip('no Document Picture-in-Picture in this browser');
    assert.equal(await addAndPaint(page, 'flying in the window'), true);
    const first = await commentX(page, 'flying in the window');
    await page.waitForTimeout(500);
    const later = await commentX(page, 'flying in the window');
    assert.ok(first !== null && later !== null, 'the comment is on the stage in the window');
    assert.ok(later < first, `it moves left in the window (${first} → ${later})`);
    const width = await page.evaluate(() => (window as unknown as { layer: DanmakuLayer }).layer.clientWidth);
    assert.ok(later < width, `it is on screen in the window (${later} < ${width})`);

    await page.evaluate(() =>
      (window as unknown as { documentPictureInPicture: { window: Window } }).documentPictureInPicture.window.close(),
    );
    await page.waitForFunction(() => (window as unknown as { layer: DanmakuLayer }).layer.ownerDocument === document);
    await page.evaluate(() => (window as unknown as { layer: DanmakuLayer }).layer.updateComplete);
    assert.equal(await addAndPaint(page, 'back on the page'), true);
    const before = await commentX(page, 'back on the page');
    await page.waitForTimeout(500);
    const after = await commentX(page, 'back on the page');
    assert.ok(before !== null && after !== null && after < before, `it moves on the page again (${before} → ${after})`);
  } finally {
    await context.close();
  }
});

test('picture-in-picture, canvas renderer: the worker paints moving comments in the floating window', async (t) => {
  const { page, context } = await phone();
  try {
    // Read when the stage is made: the move into the window makes a new one.
    await page.evaluate(() => ((document.querySelector('danmaku-layer') as DanmakuLayer).renderer = 'canvas'));
    const pip = await openPictureInPicture(page, context);
    if (!pip) return t.skip('no Document Picture-in-Picture in this browser');
    // Moving made a new stage in the window, with a canvas and a worker of its own.
    await page.waitForFunction(() =>
      (window as unknown as { layer: DanmakuLayer }).layer.shadowRoot!.querySelector('canvas'),
    );
    assert.equal(await addAndPaint(page, 'PAINTED IN THE WINDOW'), true);
    // A screenshot of the window may show a frame from before the first paint: a few are taken.
    let first = Infinity;
    for (let shot = 0; shot < 10 && !(first < 1); shot++) first = await inkLeft(page, pip);
    await pip.waitForTimeout(300);
    const later = await inkLeft(page, pip);
    assert.ok(first < 1, `the comment is painted in the window (leftmost ink at ${first} of the width)`);
    assert.ok(later < first, `and moves left (${first} → ${later})`);
  } finally {
    await context.close();
  }
});

test('screenshots at 390×844 on a light and a dark page', async () => {
  mkdirSync(SCREENS, { recursive: true });
  for (const scheme of ['light', 'dark'] as const) {
    const { page, context } = await phone();
    try {
      await page.emulateMedia({ colorScheme: scheme });
      await page.evaluate((dark) => document.documentElement.classList.toggle('dark', dark), scheme === 'dark');
      await page.evaluate(() => {
        const layer = document.querySelector('danmaku-layer') as DanmakuLayer;
        layer.speed = 60;
        const comments = [
          { text: '前方高能!!!', color: '#ffe066' },
          { text: 'first time watching on my phone', color: '#ffffff' },
          { text: '666', color: '#7fdbff', size: 'large' },
          { text: 'これはテストです', color: '#ffffff' },
          { text: 'the lanterns 😍', color: '#ff9ff3', size: 'small' },
          { text: 'hello from the bus', color: '#ffffff', own: true },
          { text: 'TOP: welcome to the stream', color: '#2ecc71', mode: 'top' },
          { text: 'bottom line', color: '#ffffff', mode: 'bottom' },
        ];
        for (const c of comments) layer.add(c as never);
      });
      await page.waitForTimeout(2500);
      await page.screenshot({ path: `${SCREENS}/phone-${scheme}.png` });
    } finally {
      await context.close();
    }
  }
});
