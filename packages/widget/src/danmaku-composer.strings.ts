/** The texts `<danmaku-composer>` shows and announces, in English, and their shape for translations. */
import type { CommentMode, CommentSize } from './protocol.js';
import type { DanmakuErrorCode } from './connection/danmaku-error.js';

/** Every text of the composer. Give any of them to its `strings` property to translate or reword. */
export interface ComposerStrings {
  /** Button. */
  send: string;
  /** Button while rate limited, with the seconds left. */
  wait(seconds: number): string;
  /** Accessible names of the pickers. */
  color: string;
  mode: string;
  size: string;
  /** Names of the modes and sizes in the pickers. */
  modes: Record<CommentMode, string>;
  sizes: Record<CommentSize, string>;
  /** What screen readers hear for the counter. */
  counter(length: number, max: number): string;
  /** Feedback while the text is over the limit. */
  over(excess: number): string;
  /** Feedback after the server acknowledged a comment. */
  sent: string;
  /** Feedback while (re)connecting with nothing queued. */
  connecting: string;
  /** Feedback while offline with comments queued. */
  offline(queued: number): string;
  /** Feedback when the layer has no server or was closed. */
  notConnected: string;
  /** Feedback when no layer was found. */
  noLayer: string;
  /** The room's viewer count, already formatted for the page's language (e.g. `1,234`). */
  viewers(count: string): string;
  /** Feedback while the room is in slow mode, with the seconds between two comments. */
  slowMode(seconds: number): string;
  /** Feedback while the viewer is muted, with the time left formatted for the page's language (e.g. `in 10 minutes`). */
  muted(left: string): string;
  /** Feedback for a failed send, by error code; codes without one show the server's message. */
  failures: Partial<Record<DanmakuErrorCode, string>>;
}

/** The composer's English texts. */
export const COMPOSER_STRINGS: ComposerStrings = {
  send: 'Send',
  wait: (seconds) => `Wait ${seconds} s`,
  color: 'Colour',
  mode: 'Mode',
  size: 'Size',
  modes: { scroll: 'Scroll', top: 'Top', bottom: 'Bottom' },
  sizes: { small: 'Small', medium: 'Medium', large: 'Large' },
  counter: (length, max) => `${length} of ${max} characters`,
  over: (excess) => `${excess} characters too many.`,
  sent: 'Sent.',
  connecting: 'Connecting…',
  offline: (queued) => `Offline: ${queued} waiting to be sent.`,
  notConnected: 'Not connected.',
  noLayer: 'No danmaku layer to send to.',
  viewers: (count) => `${count} watching`,
  slowMode: (seconds) => `Slow mode: one comment every ${seconds} s.`,
  muted: (left) => `You are muted; you can comment again ${left}.`,
  failures: {
    rate_limited: 'Too many comments: wait a moment before sending again.',
    too_long: 'This comment is too long.',
    empty: 'Type a comment first.',
    rejected: 'This comment was not accepted.',
    forbidden: 'You cannot send comments in this room.',
    unauthorized: 'You cannot send comments in this room.',
    queue_full: 'Too many comments are waiting to be sent.',
    timeout: 'The server did not confirm the comment; it may not have been posted.',
    closed: 'Not connected.',
    load_failed: 'Comments cannot be sent: a file of this comment box did not load. Try again later.',
  },
};
