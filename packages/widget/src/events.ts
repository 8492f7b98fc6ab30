/**
 * The events of `<danmaku-layer>` and `<danmaku-composer>`: names, detail types, and the one
 * helper that dispatches them.
 * Every event bubbles and is composed, so it can be heard from outside a shadow root.
 */
import type { Comment, WelcomeMessage } from './protocol.js';
import type { ConnectionStatus, DanmakuError, SendReceipt } from './internal/connection.js';

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

/** Detail of `danmaku-sent` (composer). */
export interface DanmakuSentDetail {
  /** The text as typed. */
  text: string;
  /** The server's acknowledgement. */
  receipt: SendReceipt;
}

/** Detail of `danmaku-send-error` (composer). */
export interface DanmakuSendErrorDetail {
  /** The text as typed. */
  text: string;
  error: DanmakuError;
}

/** Every event of `<danmaku-layer>` with its detail type. */
export interface DanmakuEventMap {
  'danmaku-status': CustomEvent<DanmakuStatusDetail>;
  'danmaku-comment': CustomEvent<DanmakuCommentDetail>;
  'danmaku-reset': CustomEvent<DanmakuResetDetail>;
  'danmaku-error': CustomEvent<DanmakuErrorDetail>;
}

/** Every event of `<danmaku-composer>` with its detail type. */
export interface DanmakuComposerEventMap {
  'danmaku-sent': CustomEvent<DanmakuSentDetail>;
  'danmaku-send-error': CustomEvent<DanmakuSendErrorDetail>;
}

type AllEvents = DanmakuEventMap & DanmakuComposerEventMap;

/** Dispatches one of the elements' events from `target`. */
export function emit<K extends keyof AllEvents>(target: EventTarget, name: K, detail: AllEvents[K]['detail']): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  // Makes `layer.addEventListener('danmaku-comment', e => e.detail.comment)` typed.
  interface HTMLElementEventMap extends DanmakuEventMap, DanmakuComposerEventMap {}
}
