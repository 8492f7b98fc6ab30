/**
 * Entry of the self-contained script-tag bundle (`dist/danmaku-layer.bundle.js`), lit included;
 * the connection, with reconnecting-websocket, is a chunk fetched when a layer first has a `src`
 * (connection/connection-controller.ts). It defines `<danmaku-layer>` at once. `<danmaku-composer>`
 * and `<danmaku-settings>` live in `dist/danmaku-composer.bundle.js` and
 * `dist/danmaku-settings.bundle.js` next to it (sharing lit with this file) and are fetched the
 * first time the page holds one: pages that only show comments never download them. Server-only
 * code (the validators of `protocol.ts`) is left out.
 */
import { loadWhenUsed } from './features/load-when-used.js';
import { chunk } from './features/load-chunk.js';
import { stageGate } from './features/stage-gate.js';
import type { DanmakuError } from './connection/danmaku-error.js';
import { emit } from './events.js';

export { DanmakuLayer } from './danmaku-layer.js';
export { ConnectionStatus } from './connection/connection-status.js';
export { DanmakuError } from './connection/danmaku-error.js';
export { CommentMode, CommentSize, ErrorCode } from './protocol.js';

/**
 * Fetches and defines `<danmaku-composer>` now. The bundle does it by itself when a composer
 * appears in the document; call this for one inside another component's shadow root, which the
 * bundle cannot see. Rejects with a `DanmakuError` of code `load_failed` when
 * `danmaku-composer.bundle.js` cannot be fetched (tried twice).
 *
 * @example
 * import { loadComposer } from 'https://cdn.jsdelivr.net/npm/danmaku-layer/dist/danmaku-layer.bundle.js';
 * await loadComposer();
 */
export const loadComposer: () => Promise<unknown> = chunk(() => import('./danmaku-composer.js'));

/**
 * Fetches and defines `<danmaku-settings>` now; like {@link loadComposer}, for one inside another
 * component's shadow root. Rejects with a `load_failed` `DanmakuError` when
 * `danmaku-settings.bundle.js` cannot be fetched (tried twice).
 */
export const loadSettings: () => Promise<unknown> = chunk(() => import('./danmaku-settings.js'));

/** Fetches an element's file when the page holds one of its tag. */
const defineWhenUsed = (tag: string, load: () => Promise<unknown>): void =>
  loadWhenUsed(tag, () =>
    load().catch((error: DanmakuError) => {
      // An element that cannot be defined would take no room at all: it shows why, as text, and
      // the layers tell the page.
      for (const element of document.querySelectorAll(tag)) element.textContent = error.message;
      for (const layer of document.querySelectorAll('danmaku-layer')) emit(layer, 'danmaku-error', { error });
    }),
  );

defineWhenUsed('danmaku-composer', loadComposer);
defineWhenUsed('danmaku-settings', () => {
  const loading = loadSettings();
  // Layers place no comment until the viewer's saved settings are applied, or failed to arrive
  // (features/stage-gate.ts).
  stageGate.until = loading.catch(() => 0);
  return loading;
});
