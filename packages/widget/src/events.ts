/**
 * The layer's events: names, detail types, and the one helper that dispatches them.
 * Every event bubbles and is composed, so it can be heard from outside a shadow root.
 */
import type { Comment, WelcomeMessage } from './protocol.js';
import type { ConnectionStatus, DanmakuError } from './internal/connection.js';

/** Detail of `danmaku-status`. */
export interface DanmakuStatusDetail {
  status: ConnectionStatus;
}

/** Detail of `danmaku-comment`. */
export interface DanmakuCommentDetail {
  comment: Comment;
  /** The comment is part of a history replay (late join), not live. */
  replay: boolean;
  /** The comment was sent by this layer. */
  own: boolean;
}

/** Detail of `danmaku-reset`. */
export interface DanmakuResetDetail {
  /** The server's welcome: its `epoch` and `seq` now apply. */
  welcome: WelcomeMessage;
}

/** Detail of `danmaku-error`. */
export interface DanmakuErrorDetail {
  error: DanmakuError;
}

/** Every event of `<danmaku-layer>` with its detail type. */
export interface DanmakuEventMap {
  'danmaku-status': CustomEvent<DanmakuStatusDetail>;
  'danmaku-comment': CustomEvent<DanmakuCommentDetail>;
  'danmaku-reset': CustomEvent<DanmakuResetDetail>;
  'danmaku-error': CustomEvent<DanmakuErrorDetail>;
}

/** Dispatches one of the layer's events from `target`. */
export function emit<K extends keyof DanmakuEventMap>(
  target: EventTarget,
  name: K,
  detail: DanmakuEventMap[K]['detail'],
): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  // Makes `layer.addEventListener('danmaku-comment', e => e.detail.comment)` typed.
  interface HTMLElementEventMap extends DanmakuEventMap {}
}
