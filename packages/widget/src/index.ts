/**
 * danmaku-layer: live bullet comments over any element.
 *
 * Importing the package registers `<danmaku-layer>`, `<danmaku-composer>` and `<danmaku-settings>` (when a
 * `customElements` registry exists; on a server without a DOM it only exports).
 *
 * @example
 * import 'danmaku-layer';
 * const layer = document.querySelector('danmaku-layer')!;
 * layer.addEventListener('danmaku-comment', (e) => console.log(e.detail.comment.text));
 */
export { DanmakuLayer } from './danmaku-layer.js';
export { DanmakuComposer } from './danmaku-composer.js';
export { COMPOSER_STRINGS, COMPOSER_STRINGS_ZH, COMPOSER_STRINGS_JA } from './danmaku-composer.strings.js';
export type { ComposerStrings } from './danmaku-composer.strings.js';
export { DanmakuSettings } from './danmaku-settings.js';
export { SETTINGS_STRINGS, SETTINGS_STRINGS_ZH, SETTINGS_STRINGS_JA } from './danmaku-settings.strings.js';
export type { SettingsStrings } from './danmaku-settings.strings.js';
export type { ViewerSettings, ViewerBlockRule } from './settings/viewer-settings.js';
export type { LocalComment, DanmakuStats } from './danmaku-layer.component.js';
export type { BlockRule } from './features/filter.js';
export type { DropReason } from './render/stage.js';
export { DanmakuConnection } from './connection/connection.js';
export type { ConnectionOptions, ConnectionEvents } from './connection/connection.js';
export { ConnectionStatus } from './connection/connection-status.js';
export { DanmakuError, WidgetErrorCode } from './connection/danmaku-error.js';
export type { DanmakuErrorCode } from './connection/danmaku-error.js';
export { randomId } from './connection/random-id.js';
export type { SendOptions, SendReceipt, ModerationRequest } from './connection/outbox.js';
export type { MuteTarget, MuteOptions } from './danmaku-layer.component.js';
export type {
  DanmakuEventMap,
  DanmakuStatusDetail,
  DanmakuCommentDetail,
  DanmakuResetDetail,
  DanmakuErrorDetail,
  DanmakuComposerEventMap,
  DanmakuSentDetail,
  DanmakuSendErrorDetail,
  DanmakuDropDetail,
  DanmakuCommentClickDetail,
  DanmakuRetractDetail,
  DanmakuPresenceDetail,
  DanmakuSlowModeDetail,
  DanmakuSettingsEventMap,
  DanmakuSettingsChangeDetail,
  LayerComment,
} from './events.js';
export * from './protocol.js';
