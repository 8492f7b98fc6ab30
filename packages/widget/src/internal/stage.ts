/**
 * Draws comments on the layer's stage. Lanes (`lanes.ts`) decide where and when; this module
 * measures each comment once, animates it with the Web Animations API on `transform` (the
 * compositor moves it, no JavaScript runs per frame), recycles its element, and keeps a short,
 * bounded waiting line for comments that find no room.
 */
import type { CommentMode, CommentSize } from '../protocol.js';
import { Clock } from './clock.js';
import { Lanes, type Slot } from './lanes.js';

/** What the stage needs to show a comment. Other fields are kept and handed back on click. */
export interface DisplayComment {
  text: string;
  color: string;
  mode: CommentMode;
  size: CommentSize;
  /** The viewer's own comment: outlined. */
  own?: boolean;
}

/** Why a comment was dropped: no room in time (or the line was full), or the page was hidden. */
export type DropReason = 'overload' | 'hidden';

/** Font size of each comment size, relative to `--danmaku-font-size`. */
export const SIZE_SCALE: Record<CommentSize, number> = { small: 0.72, medium: 1, large: 1.44 };

/** A line box is the font size times this. */
const LINE = 1.25;
/** Detached elements kept for reuse; more are removed. */
const POOL = 64;
/** Bounds of the wait before the waiting line is retried, in ms: at the next moment room may open, but not sooner than MIN_RETRY nor later than MAX_RETRY (so waits still time out). */
const MIN_RETRY = 4;
const MAX_RETRY = 100;

/** Options of {@link Stage}; all may change at any time and apply to comments placed afterwards. */
export interface StageOptions {
  /** Speed of scroll comments, px/s. */
  speed: number;
  /** When > 0, every scroll comment crosses the stage in this many ms instead (speed then varies). */
  duration: number;
  /** How long top/bottom comments stay, ms. */
  fixedDuration: number;
  /** Scroll left to right. */
  reverse: boolean;
  /** Fraction of the height comments may use, from the top. */
  area: number;
  /** Multiplies every font size. */
  fontScale: number;
  /** Longest wait for room, ms. */
  maxWait: number;
  /** Most comments waiting for room. */
  maxQueue: number;
  /** Identical text within this many ms is merged into one comment with a "×n" counter; 0: never. */
  merge: number;
  /** Comments fade in place instead of flying. */
  reducedMotion: boolean;
}

/** Counters of the stage. */
export interface StageStats {
  /** Comments placed on the stage. */
  shown: number;
  /** Comments dropped for lack of room or while the page was hidden. */
  dropped: number;
  /** Comments folded into an identical one's "×n" counter. */
  merged: number;
  /** Comments waiting for room now. */
  queued: number;
  /** Comments on the stage now. */
  onScreen: number;
}

interface Waiting {
  comment: DisplayComment;
  /** Wall time it started waiting. */
  since: number;
  count: number;
  /** Measured width and the font and label it was measured in: a comment is measured once. */
  w?: number;
  font?: string;
  label?: string;
}

/** A comment on the stage. */
export interface Shown {
  comment: DisplayComment;
  slot: Slot;
  el: HTMLElement;
  anim: Animation;
  /** Identical comments merged into it, itself included. */
  count: number;
  /** Logical time it was placed, for merging. */
  at: number;
  font: string;
}

/**
 * Places and animates comments inside `root` (absolutely positioned, the size of the host).
 */
export class Stage {
  /** The element comments are drawn in. */
  readonly root: HTMLElement;
  readonly #clock = new Clock();
  readonly #lanes = new Lanes(0, 0, 24);
  readonly #shown = new Map<Slot, Shown>();
  readonly #byEl = new WeakMap<Element, Shown>();
  /** Elements of comments that left, with their finished animation, for reuse. */
  readonly #pool: { el: HTMLElement; anim?: Animation }[] = [];
  #queue: Waiting[] = [];
  #retry?: ReturnType<typeof setTimeout>;
  #ctx?: CanvasRenderingContext2D | null;
  #font = '';
  #width = 0;
  #height = 0;
  options: StageOptions;
  /** Base font size (medium), px; from `--danmaku-font-size`. */
  fontSize = 25;
  /** Vertical space between lanes, px; from `--danmaku-lane-gap`. */
  laneGap = 2;
  /** Font weight and family of the comments; from the stage's computed style. */
  fontWeight = '700';
  fontFamily = 'sans-serif';
  /** Called for every dropped comment. */
  onDrop: (comment: DisplayComment, reason: DropReason) => void = () => {};
  /** Called for every comment placed on the stage. */
  onShow: (comment: DisplayComment) => void = () => {};
  readonly stats: Omit<StageStats, 'queued' | 'onScreen'> = { shown: 0, dropped: 0, merged: 0 };

  constructor(root: HTMLElement, options: StageOptions) {
    this.root = root;
    this.options = options;
  }

  /** Least horizontal distance between two comments, px; from `--danmaku-gap`. */
  get gap(): number {
    return this.#lanes.gap;
  }

  set gap(gap: number) {
    this.#lanes.gap = gap;
  }

  /** Whether the stage is paused. */
  get paused(): boolean {
    return this.#clock.paused;
  }

  /** Comments waiting for room. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Comments on the stage. */
  get onScreen(): number {
    return this.#shown.size;
  }

  /** Updates the stage size, px. Comments on the stage keep going; new ones use the new size. */
  resize(width: number, height: number): void {
    this.#width = width;
    this.#height = height;
  }

  /**
   * Shows a comment, or lets it wait for room (in order of arrival). A comment that finds no room
   * within `maxWait`, or the oldest one when more than `maxQueue` wait, is dropped and reported.
   */
  add(comment: DisplayComment): void {
    const o = this.options;
    if (o.merge > 0 && this.#merge(comment)) return;
    const waiting: Waiting = { comment, since: performance.now(), count: 1 };
    // Arrivals keep their order: while others wait, a newcomer waits behind them for the next retry
    // (which also spares a lane search per arrival under a flood).
    if (this.#queue.length > 0 || !this.#place(waiting)) this.#queue.push(waiting);
    if (this.#queue.length > 0 && this.#retry === undefined) this.#schedule();
    while (this.#queue.length > Math.max(0, o.maxQueue)) this.drop(this.#queue.shift()!.comment, 'overload');
  }

  /** Freezes every comment where it is. */
  pause(): void {
    if (this.#clock.paused) return;
    this.#clock.paused = true;
    this.#syncAll();
  }

  /** Continues from where {@link pause} froze. */
  resume(): void {
    if (!this.#clock.paused) return;
    this.#clock.paused = false;
    this.#syncAll();
    this.#drain();
  }

  /** Playback rate: 2 runs everything twice as fast. Default `1`. */
  set rate(rate: number) {
    this.#clock.rate = rate;
    this.#syncAll();
  }

  /** Drops everything waiting and removes every comment on the stage. */
  clear(): void {
    this.flush('overload', false);
    for (const shown of [...this.#shown.values()]) this.#recycle(shown, true);
    this.#lanes.clear();
  }

  /** Empties the waiting line; `report` says whether the comments count as dropped. */
  flush(reason: DropReason, report = true): void {
    const queue = this.#queue;
    this.#queue = [];
    if (report) for (const w of queue) this.drop(w.comment, reason);
  }

  /** The comment shown by element `el`, if any. */
  find(el: Element): Shown | undefined {
    return this.#byEl.get(el);
  }

  /** Freezes a comment under the pointer, and whatever would otherwise run into it. */
  hold(shown: Shown): void {
    this.#sync(this.#lanes.hold(shown.slot, this.#clock.now()));
  }

  /** Lets a held comment go on. */
  release(shown: Shown): void {
    this.#sync(this.#lanes.release(shown.slot, this.#clock.now()));
    this.#drain();
  }

  /** Removes every element and stops every timer. */
  destroy(): void {
    this.clear();
    clearTimeout(this.#retry);
    this.#retry = undefined;
    for (const { el } of this.#pool) el.remove();
    this.#pool.length = 0;
  }

  /** Counts `comment` as dropped and reports it. */
  drop(comment: DisplayComment, reason: DropReason): void {
    this.stats.dropped++;
    this.onDrop(comment, reason);
  }

  /** Tries the waiting line in order; a mode and size that found no room is not retried this pass. */
  #drain(): void {
    clearTimeout(this.#retry);
    this.#retry = undefined;
    const wall = performance.now();
    const failed = new Set<string>();
    const queue = this.#queue;
    let n = 0;
    for (const w of queue) {
      const key = w.comment.mode + w.comment.size;
      if (!failed.has(key) && this.#place(w)) continue;
      failed.add(key);
      if (wall - w.since > this.options.maxWait) this.drop(w.comment, 'overload');
      else queue[n++] = w;
    }
    queue.length = n;
    if (n > 0) this.#schedule();
  }

  /** Retries the waiting line when the lanes say room may open. */
  #schedule(): void {
    const clock = this.#clock;
    const now = clock.now();
    const wait = clock.paused ? MAX_RETRY : (this.#lanes.next(now) - now) / clock.rate;
    this.#retry = setTimeout(() => this.#drain(), Math.min(MAX_RETRY, Math.max(MIN_RETRY, wait)));
  }

  /** Folds `comment` into an identical recent one (on the stage or waiting). */
  #merge(comment: DisplayComment): boolean {
    const since = this.#clock.now() - this.options.merge;
    for (const w of this.#queue) {
      if (w.comment.text === comment.text && w.comment.mode === comment.mode) {
        w.count++;
        this.stats.merged++;
        return true;
      }
    }
    for (const s of this.#shown.values()) {
      if (s.at < since || s.comment.text !== comment.text || s.slot.held !== undefined) continue;
      const label = `${comment.text} ×${s.count + 1}`;
      const now = this.#clock.now();
      if (!this.#lanes.widen(s.slot, this.#measure(label, s.font), now)) return false;
      s.count++;
      s.el.textContent = label;
      this.#animate(s);
      this.stats.merged++;
      return true;
    }
    return false;
  }

  #measure(text: string, font: string): number {
    this.#ctx ??= document.createElement('canvas').getContext('2d');
    if (!this.#ctx) return text.length * 16;
    // Setting a canvas font parses it: skip when unchanged.
    if (this.#font !== font) this.#ctx.font = this.#font = font;
    // Canvas and layout shape text alike; the extra pixel absorbs layout's sub-pixel rounding.
    return Math.ceil(this.#ctx.measureText(text).width) + 1;
  }

  #place(waiting: Waiting): boolean {
    const o = this.options;
    if (this.#width <= 0 || this.#height <= 0) return false;
    const { comment, count } = waiting;
    const px = Math.round(this.fontSize * SIZE_SCALE[comment.size] * o.fontScale);
    const font = `${this.fontWeight} ${px}px ${this.fontFamily}`;
    const label = count > 1 ? `${comment.text} ×${count}` : comment.text;
    if (waiting.font !== font || waiting.label !== label) {
      waiting.w = this.#measure(label, font);
      waiting.font = font;
      waiting.label = label;
    }
    const w = waiting.w!;
    const line = Math.ceil(px * LINE);
    const lanes = this.#lanes;
    lanes.width = this.#width;
    lanes.height = Math.floor(this.#height * Math.min(1, Math.max(0, o.area)));
    lanes.reverse = o.reverse;
    const scroll = comment.mode === 'scroll' && !o.reducedMotion;
    const now = this.#clock.now();
    const slot = lanes.place(
      {
        kind: scroll ? 'scroll' : comment.mode === 'bottom' ? 'bottom' : 'top',
        w,
        h: line + this.laneGap,
        speed: (o.duration > 0 ? (this.#width + w) / o.duration : o.speed / 1000),
        life: o.fixedDuration,
      },
      now,
    );
    if (!slot) return false;
    const pooled = this.#pool.pop();
    const el = pooled?.el ?? document.createElement('div');
    el.className = 'comment';
    el.hidden = false;
    el.setAttribute('part', comment.own ? 'comment own' : 'comment');
    el.dataset.mode = comment.mode;
    // textContent, never innerHTML: comment text is data, not markup.
    el.textContent = label;
    el.style.cssText = `font-size:${px}px;line-height:${line}px;height:${line}px`;
    // A property, not cssText: a colour string cannot smuggle in other declarations.
    el.style.color = comment.color;
    if (!el.isConnected) this.root.append(el);
    const shown: Shown = { comment, slot, el, anim: pooled?.anim!, count, at: now, font };
    this.#shown.set(slot, shown);
    this.#byEl.set(el, shown);
    this.#animate(shown);
    this.stats.shown++;
    this.onShow(comment);
    return true;
  }

  /** (Re)creates the animation of `shown` from its slot: where it is now follows from the clock. */
  #animate(shown: Shown): void {
    const { slot, el } = shown;
    const at = (px: number, opacity = 1, offset?: number): Keyframe => ({
      transform: `translate(${px}px,${slot.y}px)`,
      opacity,
      offset,
    });
    const life = slot.end - slot.start;
    const fade = Math.min(0.5, 200 / life);
    // Every animation ends off the stage (a fixed one jumps away in its last microsecond), so a
    // finished comment needs no DOM change to disappear: its element waits there to be reused.
    const frames =
      slot.v !== 0
        ? [at(slot.x0), at(slot.x0 + slot.v * life)]
        : [at(slot.x0, 0), at(slot.x0, 1, fade), at(slot.x0, 1, 1 - fade), at(slot.x0, 0, 1 - 1e-6), at(-1e5, 0)];
    const effect = shown.anim?.effect as KeyframeEffect | undefined;
    if (effect) {
      effect.setKeyframes(frames);
      effect.updateTiming({ duration: life });
    } else {
      shown.anim = el.animate(frames, { duration: life, fill: 'both' });
    }
    shown.anim.onfinish = () => this.#recycle(shown);
    this.#sync([slot]);
  }

  /** Puts the element of a comment that left (or is `removed` early) back in the pool. */
  #recycle(shown: Shown, removed = false): void {
    const { el, anim, slot } = shown;
    if (this.#shown.get(slot) !== shown) return;
    this.#shown.delete(slot);
    this.#byEl.delete(el);
    this.#lanes.remove(slot);
    anim.onfinish = null;
    if (removed || this.#pool.length >= POOL) {
      anim.cancel();
      el.hidden = true;
    }
    if (this.#pool.length < POOL) this.#pool.push(removed ? { el } : { el, anim });
    else el.remove();
  }

  #syncAll(): void {
    this.#sync([...this.#shown.keys()]);
  }

  /** Puts the animations of `slots` where the logical clock says they are, running or paused. */
  #sync(slots: Slot[]): void {
    const clock = this.#clock;
    for (const slot of slots) {
      const anim = this.#shown.get(slot)?.anim;
      if (!anim) continue;
      anim.playbackRate = clock.rate;
      if (clock.paused || slot.held !== undefined) {
        anim.pause();
        anim.currentTime = (slot.held ?? clock.now()) - slot.start;
      } else {
        // startTime is on the document timeline, which shares performance.now()'s origin.
        anim.startTime = clock.wallOf(slot.start);
      }
    }
  }
}
