/**
 * What draws the comments that the stage (`stage.ts`) places, the DOM renderer or the canvas one,
 * and what it is given: the placed comment.
 */
import type { CommentMode, CommentSize } from '../protocol.js';
import type { Slot } from './lanes.js';

/** Longest fade in or out of a top/bottom comment, logical ms. */
const FADE = 200;

/** What the stage needs to show a comment. Other fields are kept and handed back on click. */
export interface DisplayComment {
  text: string;
  color: string;
  mode: CommentMode;
  size: CommentSize;
  /** The viewer's own comment: underlined. */
  own?: boolean;
}

/** Length of the fades in and out of a top/bottom comment whose slot is `slot`, logical ms. */
export function fadeOf(slot: Slot): number {
  return Math.min(FADE, (slot.end - slot.start) / 4);
}

/** A comment on the stage. */
export interface Shown {
  comment: DisplayComment;
  slot: Slot;
  /** Its fade out has started. */
  fading?: boolean;
  /** Identical comments merged into it, itself included. */
  count: number;
  /** Logical time it was placed, for merging. */
  at: number;
  /** Font it is drawn in (a CSS font shorthand), its size and line height, px. */
  font: string;
  px: number;
  line: number;
  /** What it reads: its text, and "×n" once merged. */
  label: string;
}

/**
 * Draws what the stage places. The stage calls it; it never calls the stage. Positions come from
 * each comment's slot (`lanes.ts`) and the stage's logical clock, which the renderer was given.
 */
export interface Renderer {
  /**
   * Draws `shown` where its slot says at logical time `now`: when it is placed (a top/bottom one
   * fades in), when its label changes (merging), and when it is held or let go.
   */
  draw(shown: Shown, now: number): void;
  /** Undraws a comment that left or was cleared. */
  erase(shown: Shown): void;
  /** Starts the fade out, `length` logical ms, of a top/bottom comment whose time is nearly up. */
  fade(shown: Shown, length: number): void;
  /** Follows a pause, resume or rate change of the clock, or a change of the page's styles. */
  sync(): void;
  /** The stage is now `width` × `height` px. */
  resize(width: number, height: number): void;
  /** Removes everything it drew and ends what it started (animations, a worker). */
  dispose(): void;
}
