/**
 * The canvas renderer (`renderer="canvas"`): comments painted on a `<canvas>` by a worker
 * (`canvas-worker.ts`) instead of drawn with DOM elements. The stage (`stage.ts`) places them the
 * same way for both.
 *
 * Why: even compositor-driven DOM animation costs the page's main thread work on every frame
 * (Chromium restyles a running animation's element each frame), and each new element costs style,
 * layout and paint. Here the main thread only places comments and posts a message per batch; the
 * worker draws every frame on its own thread and hands the frames to the compositor directly.
 * Loaded on first use: pages with the DOM renderer never download it.
 */
import type { PaintMessage, PaintedComment } from './canvas-protocol.js';
import type { Clock } from './clock.js';
import { fadeOf, type Renderer, type Shown } from './renderer.js';
import { trustedScriptURL, POLICY_NAME } from './trusted-script-url.js';
import { DanmakuError, type WidgetErrorCode } from '../connection/danmaku-error.js';

/**
 * A canvas renderer in `root`. Rejects with a `canvas_unavailable` {@link DanmakuError} saying why
 * when the worker cannot paint: no OffscreenCanvas in this browser, a Trusted Types policy that
 * refuses `danmaku-layer`, a Content-Security-Policy that refuses the worker, a worker of another
 * origin that cannot be started, or a worker that fails to load. The caller then reports the error
 * and draws with the DOM renderer.
 */
export async function canvasRenderer(root: HTMLElement, clock: Clock): Promise<CanvasRenderer> {
  if (!('transferControlToOffscreen' in HTMLCanvasElement.prototype))
    throw unavailable('this browser has no OffscreenCanvas');
  // Written out in full so that bundlers (Vite, webpack, rollup) see the worker's file and emit it.
  // Not inside `new Worker(…)`, their other pattern: the URL must pass the Trusted Types policy
  // first. The worker imports nothing at run time, so it runs as emitted, bundled or not.
  return new CanvasRenderer(root, clock, await startWorker(String(new URL('./canvas-worker.js', import.meta.url))));
}

/** The `canvas_unavailable` error: the canvas renderer cannot run, for `reason`. */
function unavailable(reason: string): DanmakuError {
  // The literal, not WidgetErrorCode.CanvasUnavailable: the constant would join the entry file.
  return new DanmakuError(
    'canvas_unavailable' satisfies WidgetErrorCode,
    `danmaku-layer draws with the DOM renderer: the canvas renderer cannot start (${reason}); see docs/troubleshooting.md`,
  );
}

/**
 * Starts the worker at `url` and waits for its first message, which says that it runs.
 *
 * A page may start workers of its own origin only. When the widget's files come from another
 * origin (the script tag of the reference server, a CDN), the worker is started from a `blob:` of
 * this page holding one line, `import "<url>"`: the module is then fetched with CORS, like the
 * widget's other files. Pages whose Content-Security-Policy refuses `blob:` workers (`worker-src`)
 * get the DOM renderer and the error says so; the same happens to a `data:` worker (the one-file
 * build) under a policy that refuses `data:`.
 */
async function startWorker(url: string): Promise<Worker> {
  const target = new URL(url, document.baseURI);
  const remote = /^https?:$/.test(target.protocol) && target.origin !== location.origin;
  const source = remote
    ? URL.createObjectURL(new Blob([`import ${JSON.stringify(target.href)};`], { type: 'text/javascript' }))
    : url;
  let trusted: string;
  try {
    trusted = trustedScriptURL(source);
  } catch {
    throw unavailable(`the page's Trusted Types refuse the ${POLICY_NAME} policy`);
  }
  let worker: Worker | undefined;
  try {
    worker = new Worker(trusted, { type: 'module' });
    const started = worker;
    await new Promise((resolve, reject) => {
      started.addEventListener('message', resolve, { once: true });
      started.addEventListener('error', reject, { once: true });
    });
    return worker;
  } catch (error) {
    // Some refusals throw at once (Trusted Types, a URL of another origin), others fire `error`
    // (Content-Security-Policy, a missing file), which says nothing more.
    worker?.terminate();
    const why = error instanceof Error ? `: ${error.message}` : '';
    const what =
      target.protocol === 'data:' ? 'a data: URL' : remote ? `a blob: URL importing ${target.href}` : target.href;
    throw unavailable(`its worker, ${what}, was refused (the page's worker-src) or failed to load${why}`);
  } finally {
    if (source !== url) URL.revokeObjectURL(source);
  }
}

/** Paints comments with a worker on a canvas in `root`; see the module description. */
class CanvasRenderer implements Renderer {
  readonly #root: HTMLElement;
  readonly #clock: Clock;
  readonly #worker: Worker;
  readonly #canvas: HTMLCanvasElement;
  /** Comments to (re)draw and to erase, posted together once the current task is done. */
  #draws: PaintedComment[] = [];
  #erases: number[] = [];
  #posting = false;
  /** The last `look` message, to post it only when it changes. */
  #look = '';

  /** `worker` runs `canvas-worker.ts` and has said so. */
  constructor(root: HTMLElement, clock: Clock, worker: Worker) {
    this.#root = root;
    this.#clock = clock;
    this.#worker = worker;
    const canvas = (this.#canvas = document.createElement('canvas'));
    canvas.style.cssText = 'position:absolute;inset:0;width:100%;height:100%';
    root.append(canvas);
    const offscreen = canvas.transferControlToOffscreen();
    this.#post({ type: 'canvas', canvas: offscreen }, [offscreen]);
    this.sync();
  }

  draw(shown: Shown, _now: number): void {
    const { slot, comment } = shown;
    this.#draws.push({
      id: slot.id,
      label: shown.label,
      font: shown.font,
      color: comment.color,
      own: !!comment.own,
      mode: comment.mode,
      w: slot.w,
      line: shown.line,
      x0: slot.x0,
      y: slot.y,
      v: slot.v,
      start: slot.start,
      end: slot.end,
      held: slot.held,
      fade: slot.v === 0 ? fadeOf(slot) : 0,
    });
    this.#soon();
  }

  erase(shown: Shown): void {
    this.#erases.push(shown.slot.id);
    this.#soon();
  }

  /** Nothing to do: the worker fades top/bottom comments from their times. */
  fade(): void {}

  /** Sends the clock, and what changes the look: `hide-modes` and whether `--danmaku-stroke` is `none`. */
  sync(): void {
    const clock = this.#clock;
    this.#post({
      type: 'clock',
      clock: {
        now: clock.now(),
        wall: performance.timeOrigin + performance.now(),
        rate: clock.rate,
        paused: clock.paused,
      },
    });
    const host = (this.#root.getRootNode() as ShadowRoot).host;
    const hidden = (host?.getAttribute('hide-modes') ?? '').split(/\s+/).filter(Boolean);
    const outline = getComputedStyle(this.#root).getPropertyValue('--danmaku-stroke').trim() !== 'none';
    const look = JSON.stringify([outline, hidden]);
    if (look === this.#look) return;
    this.#look = look;
    this.#post({ type: 'look', outline, hidden });
  }

  resize(width: number, height: number): void {
    this.#post({ type: 'size', width, height, ratio: devicePixelRatio || 1 });
  }

  /** Ends the worker and takes the canvas away. */
  dispose(): void {
    this.#worker.terminate();
    this.#canvas.remove();
  }

  /** Posts what was drawn and erased once the current task is done: one message per task. */
  #soon(): void {
    if (this.#posting) return;
    this.#posting = true;
    queueMicrotask(() => {
      this.#posting = false;
      // One message for both: each postMessage costs the page a serialisation and a task for the worker.
      this.#post({ type: 'update', draws: this.#draws, erases: this.#erases });
      this.#draws = [];
      this.#erases = [];
    });
  }

  #post(message: PaintMessage, transfer: Transferable[] = []): void {
    this.#worker.postMessage(message, transfer);
  }
}
