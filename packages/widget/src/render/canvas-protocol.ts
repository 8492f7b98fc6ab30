/**
 * Messages between the page (`canvas-stage.ts`) and the canvas renderer's worker (`canvas-worker.ts`).
 * Types only: both sides import it, neither runs it.
 */

/** A comment as the worker paints it: where it is, in px and logical ms, and what it looks like. */
export interface PaintedComment {
  id: number;
  label: string;
  /** CSS font shorthand, as measured on the page. */
  font: string;
  color: string;
  own: boolean;
  mode: string;
  /** Width (as measured) and line height, px. */
  w: number;
  line: number;
  /** Left edge at `start`, top, px; velocity, px per logical ms (0: fixed). */
  x0: number;
  y: number;
  v: number;
  /** Logical times it entered and leaves (or expires), ms; frozen at `held` while hovered. */
  start: number;
  end: number;
  held?: number;
  /** Length of its fades in and out, logical ms; 0 for none (moving comments). */
  fade: number;
}

export type PaintMessage =
  | { type: 'canvas'; canvas: OffscreenCanvas }
  | { type: 'size'; width: number; height: number; ratio: number }
  /** `outline`: draw a dark outline round the text; `hidden`: modes not painted (`hide-modes`). */
  | { type: 'look'; outline: boolean; hidden: string[] }
  /** The page's logical clock read `now` at epoch ms `wall` (`performance.timeOrigin + performance.now()`). */
  | { type: 'clock'; clock: { now: number; wall: number; rate: number; paused: boolean } }
  /** Comments drawn (placed, or changed) and erased since the last update; draws apply first. */
  | { type: 'update'; draws: PaintedComment[]; erases: number[] };

/** The worker's one message to the page: it runs (sent as it starts). */
export type ReadyMessage = { type: 'ready' };
