/** The error the widget's promises reject with and its `danmaku-error` events carry. */
import type { ErrorCode } from '../protocol.js';

/** A failed send or a server-reported error. `code` is stable; see `docs/protocol.md`. */
export class DanmakuError extends Error {
  override name = 'DanmakuError';
  /** Stable error code. */
  readonly code: ErrorCode;
  /** For `rate_limited`: milliseconds until a retry may succeed. */
  readonly retryAfter?: number;

  constructor(code: ErrorCode, message: string, retryAfter?: number) {
    super(message);
    this.code = code;
    if (retryAfter !== undefined) this.retryAfter = retryAfter;
  }
}
