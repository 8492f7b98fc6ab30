/**
 * The events of `<danmaku-layer>`, `<danmaku-composer>` and `<danmaku-settings>`: names, detail types, and the one
 * helper that dispatches them.
 * Every event bubbles and is composed, so it can be heard from outside a shadow root.
 */
import type { Comment, WelcomeMessage } from './protocol.js';
import type { ConnectionStatus } from './connection/connection-status.js';
import type { DanmakuError } from './connection/danmaku-error.js';
import type { SendReceipt } from './connection/outbox.js';
import type { DisplayComment } from './render/renderer.js';
import type { DropReason } from './render/stage.js';
import type { ViewerSettings } from './settings/viewer-settings.js';

/** A comment as the layer displays it: its text, colour, mode and size, plus any other field it came with. */
export type LayerComment = DisplayComment & Partial<Comment>;

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

/** Detail of `danmaku-drop`. */
export interface DanmakuDropDetail {
  /**
   * The comments dropped together, in order of arrival: under overload, those the waiting line let
   * go in one pass (one event per pass, not per comment); when the page is hidden, those that waited.
   */
  comments: LayerComment[];
  /** The first of `comments` (the only one when one comment was dropped). */
  comment: LayerComment;
  /** `overload`: no room within `max-wait` (or too many waiting); `hidden`: arrived while the page was hidden. */
  reason: DropReason;
}

/** Detail of `danmaku-comment-click`. */
export interface DanmakuCommentClickDetail {
  comment: LayerComment;
  /** Identical comments merged into the one clicked, itself included (see `merge`). */
  count: number;
}

/** Detail of `danmaku-retract`. */
export interface DanmakuRetractDetail {
  /**
   * The comments taken back, by `seq`; for a clear, one `seq`: every comment up to it is gone.
   *
   * @example
   * const gone = (c) => (detail.clear ? c.seq <= detail.seqs[0] : detail.seqs.includes(c.seq));
   */
  seqs: number[];
  /** The room was cleared (every comment up to `seqs[0]`), rather than some comments retracted. */
  clear: boolean;
}

/** Detail of `danmaku-presence`. */
export interface DanmakuPresenceDetail {
  /** Viewers in the room, counted over every server instance. */
  viewers: number;
}

/** Detail of `danmaku-slow-mode`. */
export interface DanmakuSlowModeDetail {
  /** One comment per this many seconds per user; `0`: slow mode is off. */
  interval: number;
}

/** Every event of `<danmaku-layer>` with its detail type. */
export interface DanmakuEventMap {
  'danmaku-status': CustomEvent<DanmakuStatusDetail>;
  'danmaku-comment': CustomEvent<DanmakuCommentDetail>;
  'danmaku-reset': CustomEvent<DanmakuResetDetail>;
  'danmaku-error': CustomEvent<DanmakuErrorDetail>;
  'danmaku-drop': CustomEvent<DanmakuDropDetail>;
  'danmaku-comment-click': CustomEvent<DanmakuCommentClickDetail>;
  'danmaku-retract': CustomEvent<DanmakuRetractDetail>;
  'danmaku-presence': CustomEvent<DanmakuPresenceDetail>;
  'danmaku-slow-mode': CustomEvent<DanmakuSlowModeDetail>;
}

/** Every event of `<danmaku-composer>` with its detail type. */
export interface DanmakuComposerEventMap {
  'danmaku-sent': CustomEvent<DanmakuSentDetail>;
  'danmaku-send-error': CustomEvent<DanmakuSendErrorDetail>;
}

/** Detail of `danmaku-settings-change`. */
export interface DanmakuSettingsChangeDetail {
  /** What the viewer chose, only the fields that differ from the page's values (a copy). */
  settings: ViewerSettings;
}

/** Every event of `<danmaku-settings>` with its detail type. */
export interface DanmakuSettingsEventMap {
  'danmaku-settings-change': CustomEvent<DanmakuSettingsChangeDetail>;
}

type AllEvents = DanmakuEventMap & DanmakuComposerEventMap & DanmakuSettingsEventMap;

/** Dispatches one of the elements' events from `target`. */
export function emit<K extends keyof AllEvents>(target: EventTarget, name: K, detail: AllEvents[K]['detail']): void {
  target.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
}

declare global {
  // Makes `layer.addEventListener('danmaku-comment', e => e.detail.comment)` typed.
  interface HTMLElementEventMap extends DanmakuEventMap, DanmakuComposerEventMap, DanmakuSettingsEventMap {}
}
