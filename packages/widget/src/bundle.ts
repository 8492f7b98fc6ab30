/**
 * Entry of the self-contained script-tag bundle (`dist/danmaku-layer.bundle.js`), lit included;
 * the connection, with reconnecting-websocket, is a chunk fetched when a layer first has a `src`
 * (connection/connection-controller.ts). It defines `<danmaku-layer>` at once. `<danmaku-composer>`
 * lives in `dist/danmaku-composer.bundle.js` next to it (sharing lit with this file) and is
 * fetched the first time the page holds a `<danmaku-composer>`: pages that only show comments
 * never download the input. Server-only code (the validators of `protocol.ts`) is left out.
 */
import { loadWhenUsed } from './features/load-when-used.js';
import { chunk } from './features/load-chunk.js';
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

loadWhenUsed('danmaku-composer', () =>
  loadComposer().catch((error: DanmakuError) => {
    // A composer that cannot be defined would take no room at all: it shows why, as text, and the
    // layers tell the page.
    for (const composer of document.querySelectorAll('danmaku-composer')) composer.textContent = error.message;
    for (const layer of document.querySelectorAll('danmaku-layer')) emit(layer, 'danmaku-error', { error });
  }),
);
