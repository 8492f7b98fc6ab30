/**
 * The DOM renderer (`renderer="dom"`, the default): one element per comment. Scroll comments ride on
 * belts (`belt.ts`: one compositor animation per velocity moves them all, so no JavaScript and no
 * per-comment animation runs per frame); top/bottom comments stand in place and fade in and out;
 * elements are recycled.
 *
 * A scroll comment that has left the stage past its left edge stays where it is, out of sight, until
 * the next comment drawn takes its element from the pool: a departure then costs the page no layout
 * of its own, only the arrival that reuses it does.
 */
import { isColored } from '../features/filter.js';
import { Belt, place } from './belt.js';
import type { Clock } from './clock.js';
import { xAt } from './lanes.js';
import { fadeOf, type Renderer, type Shown } from './renderer.js';

/** Detached elements kept for reuse; more are left to the garbage collector. */
const POOL = 64;

/** What the DOM renderer keeps for a comment it draws. */
interface Drawn {
  el: HTMLElement;
  /** The belt carrying it (a moving comment that is not held). */
  belt?: Belt;
  /** Its fade in or out (top/bottom comments), and the logical time that fade starts. */
  fade?: Animation;
  fadeAt?: number;
}

/** Draws comments as elements inside `root`, animated on `clock`; see the module description. */
export class DomRenderer implements Renderer {
  readonly #root: HTMLElement;
  readonly #clock: Clock;
  readonly #drawn = new Map<Shown, Drawn>();
  readonly #belts = new Set<Belt>();
  /**
   * Elements of comments that left, for reuse: detached, or still in place out of sight (a scroll
   * comment its belt carried past the edge).
   */
  readonly #pool: HTMLElement[] = [];

  constructor(root: HTMLElement, clock: Clock) {
    this.#root = root;
    this.#clock = clock;
  }

  draw(shown: Shown, now: number): void {
    const { slot, comment } = shown;
    let drawn = this.#drawn.get(shown);
    if (!drawn) {
      // Made in the stage's document, so that its animations run on that document's timeline (a
      // picture-in-picture window's, where the clock is).
      const el = this.#pool.pop() ?? this.#root.ownerDocument.createElement('div');
      drawn = { el };
      this.#drawn.set(shown, drawn);
      el.className = 'comment';
      el.setAttribute('part', comment.own ? 'comment own' : 'comment');
      el.dataset.mode = comment.mode;
      // `hide-modes="color"` hides these on the stage too (styles.ts).
      el.toggleAttribute('data-colored', isColored(comment.color));
      el.style.cssText = `font-size:${shown.px}px;line-height:${shown.line}px;height:${shown.line}px`;
      // A property, not cssText: a colour string cannot smuggle in other declarations.
      el.style.color = comment.color;
      if (slot.v === 0) {
        drawn.fade = this.#clock.drive(
          el.animate([{ opacity: 0 }, { opacity: 1 }], fadeOf(slot)),
          (drawn.fadeAt = now),
        );
      }
    }
    const { el } = drawn;
    // textContent, never innerHTML: comment text is data, not markup.
    el.textContent = shown.label;
    this.#offBelt(drawn);
    if (slot.v !== 0 && slot.held === undefined) {
      let belt: Belt | undefined;
      for (const b of this.#belts) if (b.v === slot.v && b.takes(now)) belt = b;
      if (!belt) {
        belt = new Belt(this.#root, slot.v, now);
        this.#clock.drive(belt.anim, now);
        this.#belts.add(belt);
      }
      belt.carry(el, slot);
      drawn.belt = belt;
    } else {
      place(el, xAt(slot, now), slot.y);
      this.#root.append(el);
    }
  }

  erase(shown: Shown): void {
    const drawn = this.#drawn.get(shown);
    if (!drawn) return;
    this.#drawn.delete(shown);
    drawn.fade?.cancel();
    // Past the left edge, a scroll comment stays where its belt carried it until its element is
    // reused: taking it out would cost the page a layout for a change nobody sees. Others go at once:
    // a top/bottom comment, one cleared or retracted before it left, and one past the right edge
    // (`reverse`), which a wider stage (fullscreen) would bring back into view.
    const { v, end } = shown.slot;
    if (!drawn.belt || v > 0 || end > this.#clock.now()) drawn.el.remove();
    this.#offBelt(drawn);
    if (this.#pool.length < POOL) this.#pool.push(drawn.el);
    else drawn.el.remove();
  }

  fade(shown: Shown, length: number): void {
    const drawn = this.#drawn.get(shown);
    if (!drawn) return;
    drawn.fade?.cancel();
    drawn.fade = this.#clock.drive(
      drawn.el.animate([{ opacity: 1 }, { opacity: 0 }], { duration: length, fill: 'forwards' }),
      (drawn.fadeAt = shown.slot.end - length),
    );
  }

  /** Every belt and fade is driven anew from the clock. */
  sync(): void {
    const clock = this.#clock;
    for (const belt of this.#belts) clock.drive(belt.anim, belt.origin);
    for (const { fade, fadeAt } of this.#drawn.values()) if (fade) clock.drive(fade, fadeAt!);
  }

  /** Nothing to do: elements are placed in px from the top left, whatever the size. */
  resize(): void {}

  dispose(): void {
    for (const shown of [...this.#drawn.keys()]) this.erase(shown);
    for (const belt of this.#belts) belt.remove();
    this.#belts.clear();
    this.#pool.length = 0;
  }

  /** Takes a comment off its belt; a belt left empty goes (a new one is cheap). */
  #offBelt(drawn: Drawn): void {
    const belt = drawn.belt;
    if (!belt) return;
    drawn.belt = undefined;
    if (--belt.count === 0) {
      belt.remove();
      this.#belts.delete(belt);
    }
  }
}
