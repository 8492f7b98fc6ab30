/**
 * One adapter per library: how to mount it on the stage, feed it a comment, and see what it shows.
 * Every adapter gets the same stage, speed, font and comment stream (see ../workload.mjs).
 *
 * Adapter shape:
 *   add(comment)   feed one comment
 *   displayed()    comments shown so far (accepted onto the stage, not dropped or still waiting)
 *   boxes()        boxes of the comments now on the stage, relative to it: {x, y, w, h, el, text}
 *                  (`el` identifies a drawn comment; null where the library draws on a canvas);
 *                  `boxes` itself is null where nothing tells where comments are drawn
 *   onScreen()     then: how many comments are on the stage
 */
import { FIXED_MS, FONT_FAMILY, FONT_PX, FONT_WEIGHT, SPEED, STAGE, TEXT_SHADOW } from '/bench/workload.mjs';

/** Loads a UMD build with a script tag (the peers ship no browser ES module we could import as is). */
function loadScript(src) {
  return new Promise((done, fail) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => done();
    script.onerror = () => fail(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

/** Boxes of `elements` relative to `stage`, keeping those that intersect it. */
function domBoxes(stage, elements) {
  const s = stage.getBoundingClientRect();
  const out = [];
  for (const el of elements) {
    const r = el.getBoundingClientRect();
    const x = r.left - s.left;
    const y = r.top - s.top;
    if (r.width === 0 || r.height === 0) continue;
    if (x + r.width <= 0 || x >= s.width || y + r.height <= 0 || y >= s.height) continue;
    out.push({ x, y, w: r.width, h: r.height, el, text: el.textContent });
  }
  return out;
}

/**
 * `<danmaku-layer>` through its public API only; `renderer` is `dom` (`ours`) or `canvas`
 * (`ours-canvas`, painted by a worker, so there are no elements to measure: its boxes are not
 * sampled, its comments on screen are `stats.onScreen`); `dist` is where its bundle is served.
 */
async function ours(stage, renderer = 'dom', dist = '/dist/') {
  await import(`${dist}danmaku-layer.bundle.js`);
  const layer = document.createElement('danmaku-layer');
  layer.renderer = renderer;
  layer.style.cssText = `position:absolute;inset:0;--danmaku-font-family:${FONT_FAMILY};--danmaku-font-weight:${FONT_WEIGHT}`;
  layer.speed = SPEED;
  layer.fixedDuration = FIXED_MS;
  stage.append(layer);
  await layer.updateComplete;
  // Let the ResizeObserver report the size before the first comment.
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  return {
    version: layer.constructor.version ?? 'workspace',
    add: (c) => layer.add({ text: c.text, color: c.color, mode: c.mode, size: c.size }),
    // Placed on the stage: a comment that waited for room and was then dropped is not counted.
    displayed: () => layer.stats.shown,
    boxes: renderer === 'dom' ? () => domBoxes(stage, layer.shadowRoot.querySelectorAll('[part~="comment"]')) : null,
    onScreen: () => layer.stats.onScreen,
    lane: { speed: layer.speed, gap: horizontalGap(layer) },
  };
}

/** Least horizontal distance between two comments of a lane, px: the element's `--danmaku-gap`. */
function horizontalGap(layer) {
  const value = parseFloat(getComputedStyle(layer).getPropertyValue('--danmaku-gap'));
  if (!Number.isFinite(value)) throw new Error('<danmaku-layer> defines no --danmaku-gap');
  return value;
}

/** `danmaku` (weizhenye/Danmaku), DOM or canvas engine, live mode. */
async function danmaku(stage, engine) {
  await loadScript('/vendor/danmaku/danmaku.min.js');
  const box = document.createElement('div');
  box.style.cssText = `position:absolute;inset:0;font-family:${FONT_FAMILY};`;
  stage.append(box);
  const d = new window.Danmaku({ container: box, engine, speed: SPEED });
  const modes = { scroll: 'rtl', top: 'top', bottom: 'bottom' };
  const style =
    engine === 'canvas'
      ? (c) => ({
          font: `${FONT_WEIGHT} ${FONT_PX[c.size]}px ${FONT_FAMILY}`,
          fillStyle: c.color,
          strokeStyle: '#000',
          lineWidth: 2,
          textBaseline: 'bottom',
        })
      : (c) => ({
          fontSize: `${FONT_PX[c.size]}px`,
          fontFamily: FONT_FAMILY,
          fontWeight: String(FONT_WEIGHT),
          color: c.color,
          textShadow: TEXT_SHADOW,
        });
  return {
    add: (c) => d.emit({ text: c.text, mode: modes[c.mode], style: style(c) }),
    // Live mode shows every comment it is given once the next frame picks it up.
    displayed: () => d._.position,
    boxes:
      engine === 'canvas'
        ? // Nothing to read from the DOM: the comments are pixels. Its own running list has each box.
          () =>
            d._.runningList
              .filter((c) => c.x + c.width > 0 && c.x < STAGE.width)
              .map((c) => ({ x: c.x, y: c.y, w: c.width, h: c.height, el: null, text: c.text }))
        : () => domBoxes(stage, d._.stage.children),
  };
}

/**
 * `danmu.js` (bytedance), live comments through `sendComment`. Used as its README shows, a comment
 * goes into a pool that, without a media element, its loop drains one comment per tick;
 * `realTime: true` (a comment field its source honours, not in the README) places it at once.
 * Both are measured: `danmu.js` and `danmu.js-realtime`.
 */
async function danmujs(stage, realTime) {
  await loadScript('/vendor/danmu.js/index.js');
  const box = document.createElement('div');
  box.style.cssText = `position:absolute;inset:0;font-family:${FONT_FAMILY};`;
  stage.append(box);
  const d = new window.DanmuJs({ container: box, comments: [], live: true });
  let shown = 0;
  d.on('bullet_start', () => shown++);
  d.start();
  let id = 0;
  return {
    add: (c) =>
      d.sendComment({
        id: String(++id),
        txt: c.text,
        realTime,
        mode: c.mode,
        duration: c.mode === 'scroll' ? 8000 : FIXED_MS,
        moveV: c.mode === 'scroll' ? SPEED : undefined,
        style: {
          color: c.color,
          fontSize: `${FONT_PX[c.size]}px`,
          fontFamily: FONT_FAMILY,
          fontWeight: String(FONT_WEIGHT),
          textShadow: TEXT_SHADOW,
        },
      }),
    displayed: () => shown,
    boxes: () => domBoxes(stage, box.querySelectorAll('.danmu > *')),
  };
}

/**
 * The harness plus one element moved by the compositor the way the DOM renderer moves its belt (a
 * linear `transform` animation, `will-change: transform`), with nothing in it and nothing fed to it.
 * Chromium brings every running animation's style up to date in each frame the page draws, even
 * one the compositor moves: this row, net of the harness, is that cost, which any renderer that
 * animates elements with CSS or the Web Animations API pays on a page with a frame loop.
 */
async function oneAnimation(stage) {
  const mover = document.createElement('div');
  mover.style.cssText = 'position:absolute;left:0;top:0;width:1px;height:1px;will-change:transform';
  stage.append(mover);
  const hour = 3_600_000;
  mover.animate([{ transform: 'translateX(0)' }, { transform: `translateX(${-SPEED * (hour / 1000)}px)` }], {
    duration: hour,
    fill: 'both',
  });
  return { add() {}, displayed: () => 0, boxes: () => [] };
}

/** Library id → mount function. */
export const ADAPTERS = {
  // The page and its feeding and frame-counting loops with nothing drawn: the floor every library stands on.
  harness: async () => ({ add() {}, displayed: () => 0, boxes: () => [] }),
  'one-animation': (stage) => oneAnimation(stage),
  ours: (stage) => ours(stage),
  'ours-canvas': (stage) => ours(stage, 'canvas'),
  // Another build of ours (run.mjs --baseline DIR serves its dist under /baseline/), for A/B runs.
  'ours@baseline': (stage) => ours(stage, 'dom', '/baseline/'),
  'ours-canvas@baseline': (stage) => ours(stage, 'canvas', '/baseline/'),
  'danmaku-dom': (stage) => danmaku(stage, 'dom'),
  'danmaku-canvas': (stage) => danmaku(stage, 'canvas'),
  'danmu.js': (stage) => danmujs(stage, false),
  'danmu.js-realtime': (stage) => danmujs(stage, true),
};
