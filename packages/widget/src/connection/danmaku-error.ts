/** The error the widget's promises reject with and its `danmaku-error` events carry. */
import type { ErrorCode } from '../protocol.js';

/**
 * Codes of errors only the widget raises, about the page rather than the connection (the codes of
 * the protocol's {@link ErrorCode} cover the connection and sending). Stable; see `docs/protocol.md`.
 */
export const WidgetErrorCode = {
  /**
   * `renderer="canvas"` could not start (no OffscreenCanvas, a Trusted Types or Content-Security-Policy
   * refusal, a worker that failed to load); the layer draws with the DOM renderer instead.
   */
  CanvasUnavailable: 'canvas_unavailable',
} as const;
/** One of the codes in {@link WidgetErrorCode}. */
export type WidgetErrorCode = (typeof WidgetErrorCode)[keyof typeof WidgetErrorCode];

/** Every code a {@link DanmakuError} may carry. */
export type DanmakuErrorCode = ErrorCode | WidgetErrorCode;

/** A failed send or a server-reported error. `code` is stable; see `docs/protocol.md`. */
export class DanmakuError extends Error {
  override name = 'DanmakuError';
  /** Stable error code. */
  readonly code: DanmakuErrorCode;
  /** For `rate_limited`: milliseconds until a retry may succeed. */
  readonly retryAfter?: number;

  constructor(code: DanmakuErrorCode, message: string, retryAfter?: number) {
    super(message);
    this.code = code;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}
