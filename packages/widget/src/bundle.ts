/**
 * Entry of the self-contained script-tag bundle (`dist/danmaku-layer.bundle.js`), lit and
 * reconnecting-websocket included. It defines `<danmaku-layer>` at once. `<danmaku-composer>`
 * lives in `dist/danmaku-composer.bundle.js` next to it (sharing lit with this file) and is
 * fetched the first time the page holds a `<danmaku-composer>`: pages that only show comments
 * never download the input. Server-only code (the validators of `protocol.ts`) is left out.
 */
import { loadWhenUsed } from './internal/load-when-used.js';

export { DanmakuLayer } from './danmaku-layer.js';
export { ConnectionStatus, DanmakuError } from './internal/connection.js';
export { CommentMode, CommentSize, ErrorCode } from './protocol.js';

loadWhenUsed('danmaku-composer', () => import('./danmaku-composer.js'));
