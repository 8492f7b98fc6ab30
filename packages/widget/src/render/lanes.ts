/**
 * Lane allocation: where and when a comment may enter the stage so that it never overlaps another.
 * Pure geometry over one logical clock (ms); no DOM, so it is unit-tested on its own.
 *
 * Every placed comment is a {@link Slot}: a vertical pixel interval and a horizontal position that
 * is a linear function of time. Two slots whose intervals intersect must keep at least `gap` px
 * between them for as long as both are on the stage. Because their distance is linear in time,
 * checking it when the newcomer enters and when the first of the two leaves is enough: that is
 * both "the tail has cleared the entry edge by the gap" and "it cannot catch up before it leaves".
 */

/** How a comment moves: across the stage, or fixed at the top or bottom. */
export type SlotKind = 'scroll' | 'top' | 'bottom';

/** A comment on the stage, in px and logical ms. */
export interface Slot {
  readonly id: number;
  /** Top of the occupied interval, px from the top of the stage. */
  y: number;
  /** Height of the occupied interval, px (the line height plus the lane gap). */
  h: number;
  /** Width, px. */
  w: number;
  /** Left edge at `start`, px. */
  x0: number;
  /** Horizontal velocity in px/ms: negative right to left, positive left to right, 0 fixed. */
  v: number;
  /** Logical time it entered, ms. */
  start: number;
  /** Logical time it has left the stage (or expires, when fixed), ms. */
  end: number;
  /** Logical time it was frozen at (hovered); it does not move or expire while frozen. */
  held?: number;
  /** Id of the slot whose hover froze this one. */
  group?: number;
}

/** What {@link Lanes.place} needs to know about a comment. */
export interface SlotRequest {
  kind: SlotKind;
  /** Width, px. */
  w: number;
  /** Occupied height, px. */
  h: number;
  /** Scroll comments: speed in px/ms (> 0). */
  speed?: number;
  /** Fixed comments: time on screen, ms. */
  life?: number;
}

/** Far enough in the future to stand for "never" while keeping arithmetic finite. */
const FOREVER = 1e12;

/** Left edge of `s` at logical time `t`. */
export function xAt(s: Slot, t: number): number {
  return s.x0 + s.v * (Math.min(t, s.held ?? t) - s.start);
}

function endOf(s: Slot): number {
  return s.held === undefined ? s.end : FOREVER;
}

/** Whether the vertical intervals of `a` and `b` intersect. */
export function intersects(a: Slot, b: Slot): boolean {
  return a.y < b.y + b.h && b.y < a.y + a.h;
}

/**
 * Whether `a` and `b` come closer than `gap` px horizontally at some time from `t0` until the
 * first of them leaves. Vertical intervals are not looked at.
 */
export function clash(a: Slot, b: Slot, t0: number, gap: number): boolean {
  const from = Math.max(t0, a.start, b.start);
  const to = Math.min(endOf(a), endOf(b));
  if (to <= from) return false;
  const first = side(a, b, from, gap);
  return first === 0 || first !== side(a, b, to, gap);
}

/** Where `b` is from `a` at time `t`: 1 right of it by the gap, -1 left of it, 0 too close. */
function side(a: Slot, b: Slot, t: number, gap: number): number {
  const d = xAt(b, t) - xAt(a, t);
  return d >= a.w + gap ? 1 : d <= -(b.w + gap) ? -1 : 0;
}

/**
 * The slots of one stage. `width`/`height` may change at any time (a resize): slots already placed
 * keep their positions and speeds, new ones use the new size.
 *
 * @example
 * const lanes = new Lanes(1280, 720, 24);
 * const slot = lanes.place({ kind: 'scroll', w: 120, h: 32, speed: 0.16 }, clock.now());
 * if (!slot) queue.push(comment);
 */
export class Lanes {
  /** Stage width, px. */
  width: number;
  /** Usable height from the top, px (the `area` of the stage). */
  height: number;
  /** Least horizontal distance between two comments, px. */
  gap: number;
  /** Scroll comments move left to right. */
  reverse = false;
  #slots: Slot[] = [];
  #ids = 0;

  constructor(width: number, height: number, gap: number) {
    this.width = width;
    this.height = height;
    this.gap = gap;
  }

  /** Slots on the stage (read-only view). */
  get slots(): readonly Slot[] {
    return this.#slots;
  }

  /**
   * Finds room for a comment at logical time `now` and takes it. Scroll and top comments search
   * from the top, bottom comments from the bottom. Returns `undefined` when there is no room now.
   *
   * With `probe`, only says where the comment would go and takes nothing. Probing with `w` 0 (and,
   * for a scroll comment, the speed it would have at width 0) answers cheaply whether any comment
   * of that kind and height could go now: a wider one covers the narrow one's point for all of the
   * narrow one's time on the stage, so where the narrow one clashes, the wide one does too. That
   * spares measuring text that has no room yet.
   */
  place(req: SlotRequest, now: number, probe = false): Slot | undefined {
    this.prune(now);
    const { w, h } = req;
    const W = this.width;
    const H = this.height;
    if (h > H || W <= 0) return undefined;
    const scroll = req.kind === 'scroll';
    const speed = req.speed ?? 0;
    if (scroll && !(speed > 0)) return undefined;
    const slot: Slot = {
      id: ++this.#ids,
      y: 0,
      h,
      w,
      x0: scroll ? (this.reverse ? -w : W) : (W - w) / 2,
      v: scroll ? (this.reverse ? speed : -speed) : 0,
      start: now,
      end: now + (scroll ? (W + w) / speed : (req.life ?? 0)),
    };
    const up = req.kind === 'bottom';
    // Whether two slots clash horizontally does not depend on where they are vertically: the slots
    // that would block the newcomer are found once, then only they are compared with each place tried.
    const blockers = this.#slots.filter((s) => s.held !== undefined || clash(s, slot, now, this.gap));
    let y = up ? H - h : 0;
    while (up ? y >= 0 : y + h <= H) {
      slot.y = y;
      let next = up ? Infinity : -Infinity;
      for (const s of blockers) {
        if (intersects(s, slot)) {
          // Every position up to the far side of a blocker intersects it too: jump past it.
          next = up ? Math.min(next, s.y - h) : Math.max(next, s.y + s.h);
        }
      }
      if (next === Infinity || next === -Infinity) {
        if (!probe) this.#slots.push(slot);
        return slot;
      }
      y = next;
    }
    return undefined;
  }

  /**
   * Widens a placed slot (its text grew, e.g. a "×3" merge counter) if that overlaps nothing.
   * The left edge stays where it is. Returns whether it was widened.
   */
  widen(slot: Slot, w: number, now: number): boolean {
    const old = slot.w;
    const oldEnd = slot.end;
    slot.w = w;
    // Right to left, a comment leaves when its right edge passes 0, which is now later.
    if (slot.v < 0) slot.end = slot.start + (slot.x0 + w) / -slot.v;
    for (const s of this.#slots) {
      if (s !== slot && intersects(s, slot) && clash(s, slot, now, this.gap)) {
        slot.w = old;
        slot.end = oldEnd;
        return false;
      }
    }
    return true;
  }

  /**
   * The earliest time after `now` at which room may open: a tail clears the entry edge by the gap,
   * or a comment leaves. `Infinity` when nothing is due (empty, or only frozen slots).
   */
  next(now: number): number {
    let next = Infinity;
    for (const s of this.#slots) {
      if (s.held !== undefined) continue;
      const clear = s.v === 0 ? s.end : s.start + (s.w + this.gap) / Math.abs(s.v);
      const t = clear > now ? clear : s.end;
      if (t > now && t < next) next = t;
    }
    return next;
  }

  /** Removes a slot (its comment is gone). */
  remove(slot: Slot): void {
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
  }

  /** Forgets slots that have left the stage by `now`. */
  prune(now: number): void {
    let n = 0;
    for (const s of this.#slots) if (s.held !== undefined || s.end > now) this.#slots[n++] = s;
    this.#slots.length = n;
  }

  /** Forgets every slot. */
  clear(): void {
    this.#slots.length = 0;
  }
}
