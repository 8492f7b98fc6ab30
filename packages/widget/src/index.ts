/**
 * danmaku-layer: live bullet comments over any element.
 *
 * Importing the package registers `<danmaku-layer>` (when a `customElements` registry exists).
 *
 * @example
 * import 'danmaku-layer';
 * const layer = document.querySelector('danmaku-layer')!;
 * layer.addEventListener('danmaku-comment', (e) => console.log(e.detail.comment.text));
 */
export { DanmakuLayer } from './danmaku-layer.js';
export type { LocalComment, DanmakuStats } from './danmaku-layer.component.js';
export type { BlockRule } from './internal/filter.js';
export type { DropReason } from './internal/stage.js';
export { ConnectionStatus, DanmakuConnection, DanmakuError, randomId } from './internal/connection.js';
export type { ConnectionOptions, ConnectionEvents, SendOptions, SendReceipt } from './internal/connection.js';
export type {
  DanmakuEventMap,
  DanmakuStatusDetail,
  DanmakuCommentDetail,
  DanmakuResetDetail,
  DanmakuErrorDetail,
  DanmakuDropDetail,
  DanmakuCommentClickDetail,
  LayerComment,
} from './events.js';
export * from './protocol.js';
