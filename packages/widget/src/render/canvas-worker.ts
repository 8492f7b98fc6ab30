/**
 * The canvas renderer's painter, run in a dedicated worker: it owns the layer's `<canvas>` (handed
 * over with `transferControlToOffscreen`) and redraws it every frame from what `canvas-stage.ts`
 * tells it. Placement, waiting and dropping stay on the page (`stage.ts`); this only paints, so the
 * page's main thread does no per-frame work at all.
 *
 * Self-contained on purpose: importing the element's modules would run them in the worker, and
 * sharing one with the entry would split it out of the entry into a file of its own.
 */
import type { PaintMessage, PaintedComment, ReadyMessage } from './canvas-protocol.js';

/** Whether `color` is other than white, as `isColored` of `features/filter.ts` says (`hide-modes="color"`). */
const isColored = (color: string): boolean => !/^#f{3}(f{3})?$/i.test(color);

/** Transparent margin around a sprite for the outline, px. */
const PAD = 2;

interface Sprite extends PaintedComment {
  /** The comment's pixels, drawn once (text, outline and own frame); made on its first frame. */
  image?: ImageBitmap;
}

/**
 * The one canvas every sprite is drawn on, then taken off as an ImageBitmap. A canvas per sprite
 * made Chromium ask the page's main thread for a GPU context (and register its memory) once per
 * comment, work the page then did for a canvas it never sees.
 */
let scratch: OffscreenCanvasRenderingContext2D | undefined;

const sprites = new Map<number, Sprite>();
let ctx: OffscreenCanvasRenderingContext2D | null = null;
let width = 0;
let height = 0;
let ratio = 1;
let outline = true;
let hidden: string[] = [];
/** The page's clock: logical time `now` at epoch ms `wall`, running at `rate` unless paused. */
let clock = { now: 0, wall: 0, rate: 1, paused: false };
let frame = 0;

/** Logical time now, ms: the page's clock, carried over by the shared epoch. */
function logicalNow(): number {
  return clock.paused ? clock.now : clock.now + (performance.timeOrigin + performance.now() - clock.wall) * clock.rate;
}

/** Lets go of the pixels of `s` (an ImageBitmap holds them until closed or collected). */
function forget(s: Sprite | undefined): void {
  s?.image?.close();
  if (s) s.image = undefined;
}

function sprite(s: Sprite): ImageBitmap {
  const g = (scratch ??= new OffscreenCanvas(1, 1).getContext('2d')!);
  // Sizing the canvas clears it and resets the context's state.
  g.canvas.width = Math.ceil((s.w + 2 * PAD) * ratio);
  g.canvas.height = Math.ceil((s.line + 2 * PAD) * ratio);
  g.scale(ratio, ratio);
  g.font = s.font;
  g.textBaseline = 'middle';
  // fillText draws text as glyphs: comment text is never parsed as markup here.
  if (outline) {
    g.lineJoin = 'round';
    g.lineWidth = 2;
    g.strokeStyle = 'rgba(0,0,0,.75)';
    g.strokeText(s.label, PAD, PAD + s.line / 2);
  }
  g.fillStyle = s.color;
  g.fillText(s.label, PAD, PAD + s.line / 2);
  if (s.own) {
    // The viewer's own comment: underlined in its colour, outlined like the text (as the DOM renderer does).
    const thick = Math.max(1.5, s.line * 0.08);
    const y = PAD + s.line * 0.86;
    if (outline) {
      g.fillStyle = 'rgba(0,0,0,.75)';
      g.fillRect(PAD - 1, y - 1, s.w + 2, thick + 2);
      g.fillStyle = s.color;
    }
    g.fillRect(PAD, y, s.w, thick);
  }
  return g.canvas.transferToImageBitmap();
}

/** Paints one frame; asks for the next only while something can move or fade. */
function paint(): void {
  frame = 0;
  if (!ctx) return;
  const t = logicalNow();
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  let moving = false;
  for (const s of sprites.values()) {
    if (hidden.includes(s.mode) || (hidden.includes('color') && isColored(s.color))) continue;
    const at = Math.min(t, s.held ?? t);
    const x = s.x0 + s.v * (at - s.start);
    if (x >= width || x + s.w <= 0 || at >= s.end) continue;
    let alpha = 1;
    if (s.fade > 0 && s.held === undefined)
      alpha = Math.max(0, Math.min(1, (at - s.start) / s.fade, (s.end - at) / s.fade));
    if (alpha <= 0) continue;
    ctx.globalAlpha = alpha;
    ctx.drawImage(
      (s.image ??= sprite(s)),
      0,
      0,
      s.image.width,
      s.image.height,
      x - PAD,
      s.y - PAD,
      s.w + 2 * PAD,
      s.line + 2 * PAD,
    );
    moving ||= s.held === undefined;
  }
  ctx.globalAlpha = 1;
  if (moving && !clock.paused) request();
}

function request(): void {
  frame ||= requestAnimationFrame(paint);
}

onmessage = ({ data }: MessageEvent<PaintMessage>) => {
  switch (data.type) {
    case 'canvas':
      ctx = data.canvas.getContext('2d');
      break;
    case 'size':
      // Sprites are drawn at the pixel ratio: only a new ratio (zoom, another screen) redraws them.
      if (ratio !== data.ratio) sprites.forEach(forget);
      ({ width, height, ratio } = data);
      if (ctx) {
        ctx.canvas.width = Math.round(width * ratio);
        ctx.canvas.height = Math.round(height * ratio);
      }
      break;
    case 'look':
      if (outline !== data.outline) sprites.forEach(forget);
      ({ outline, hidden } = data);
      break;
    case 'clock':
      clock = data.clock;
      break;
    case 'update':
      // Draws first: a comment drawn and erased in the same task must end up erased.
      for (const c of data.draws) {
        const old = sprites.get(c.id);
        // The same comment re-drawn (held, let go, or merged): its pixels stay unless its label changed.
        if (old && old.label === c.label) {
          sprites.set(c.id, { ...c, image: old.image });
        } else {
          forget(old);
          sprites.set(c.id, c);
        }
      }
      for (const id of data.erases) {
        forget(sprites.get(id));
        sprites.delete(id);
      }
      break;
  }
  request();
};

// Tells the page the worker runs: a worker that a Content-Security-Policy or a missing file keeps
// from starting fires `error` instead, and the page then draws with the DOM renderer.
postMessage({ type: 'ready' } satisfies ReadyMessage);
