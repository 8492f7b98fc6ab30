/**
 * A conveyor belt: one container that moves at a constant velocity on the stage's logical clock and
 * carries every scroll comment of that velocity, each at a fixed place on it.
 *
 * Why one animation for many comments: Chromium updates the style of every running animation's
 * element on each main-thread frame, even when the compositor moves it. One animation per comment
 * makes that work grow with the comments on screen (about 1 ms of main thread per second per
 * comment, measured); one per belt keeps it flat however full the stage is.
 *
 * Why rows: a comment arriving or leaving makes the browser lay out again the element it is added
 * to or removed from, with every comment in it. On the belt itself that was every comment on
 * screen; in a row of one lane (`.row`, contained in layout and size, so that nothing outside it is
 * laid out again) it is the few comments of that lane.
 */
import type { Slot } from './lanes.js';

/**
 * How long a belt takes new comments, in logical ms. Its offset then grows only until its last
 * comment has left, which keeps transforms small (compositors interpolate in single precision).
 */
const INTAKE = 60_000;

/** The animation runs this long (it is replaced by a new belt long before): offset = v × time. */
const SPAN = 3_600_000;

/**
 * Puts `el` at `x`, `y` px of its container with `left` and `top`, not a transform: a transform
 * would give each comment a paint property node of its own, which the page's main thread then
 * layerizes and commits with every change of the stage (the belt's one transform moves them all).
 */
export function place(el: HTMLElement, x: number, y: number): void {
  el.style.left = `${x}px`;
  el.style.top = `${y}px`;
}

/** A new `<div>` of class `className` at the end of `parent`. */
function div(parent: HTMLElement, className: string): HTMLElement {
  const el = parent.ownerDocument.createElement('div');
  el.className = className;
  parent.append(el);
  return el;
}

/** A moving container of comments, see the module description. */
export class Belt {
  /** The container, absolutely placed at the stage's top left. */
  readonly el: HTMLElement;
  /** Velocity, px per logical ms (negative: right to left). */
  readonly v: number;
  /** Logical time at which the belt's offset is 0. */
  readonly origin: number;
  /** Comments riding on it now. */
  count = 0;
  /** Moves the belt; driven by the stage's clock from {@link Belt.origin}. */
  readonly anim: Animation;
  /** One row per lane, by its top in px: made when its first comment arrives, kept while the belt runs. */
  readonly #rows = new Map<number, HTMLElement>();

  constructor(parent: HTMLElement, v: number, origin: number) {
    this.v = v;
    this.origin = origin;
    this.el = div(parent, 'belt');
    this.anim = this.el.animate([{ transform: 'translateX(0)' }, { transform: `translateX(${v * SPAN}px)` }], {
      duration: SPAN,
      fill: 'both',
    });
  }

  /** Whether a comment placed at logical time `now` may still ride on this belt. */
  takes(now: number): boolean {
    return now - this.origin < INTAKE;
  }

  /**
   * Puts `el`, the comment of `slot`, on the belt where the slot says it is. The slot must move at
   * the belt's velocity.
   */
  carry(el: HTMLElement, slot: Slot): void {
    let row = this.#rows.get(slot.y);
    if (!row) {
      this.#rows.set(slot.y, (row = div(this.el, 'row')));
      place(row, 0, slot.y);
    }
    // On screen x = x0 + v(t - start); the belt adds v(t - origin), so on the belt x = x0 + v(origin - start).
    place(el, slot.x0 + this.v * (this.origin - slot.start), 0);
    if (el.parentElement !== row) row.append(el);
    this.count++;
  }

  /** Takes the belt off the stage (its comments go with it). */
  remove(): void {
    this.anim.cancel();
    this.el.remove();
  }
}
