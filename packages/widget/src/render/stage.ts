/**
 * Placement of comments on the layer's stage: lanes (`lanes.ts`) decide where and when; this
 * module measures each comment once, keeps a short, bounded waiting line for comments that find
 * no room, runs the logical clock, merges identical text, and counts. Drawing is a {@link Renderer}'s job (`dom-renderer.ts`, `canvas-renderer.ts`), told what
 * to draw, erase and fade; no DOM is touched here (but for a canvas to measure text).
 */
import type { CommentSize } from '../protocol.js';
import { Clock } from './clock.js';
import { Lanes, type Slot, type SlotRequest } from './lanes.js';
import { fadeOf, type DisplayComment, type Renderer, type Shown } from './renderer.js';

/** Why a comment was dropped: no room in time (or the line was full), or the page was hidden. */
export type DropReason = 'overload' | 'hidden';

/** Font size of each comment size, relative to `--danmaku-font-size`. */
const SIZE_SCALE: Record<CommentSize, number> = { small: 0.72, medium: 1, large: 1.44 };

/** A line box is the font size times this. */
const LINE = 1.25;
/** The font size `speed` is given for: speed scales with the type, from this size. */
const REFERENCE_SIZE = 25;

/**
 * Font size of `medium` comments, px, when `--danmaku-font-size` is `auto` (the default): 10 px plus
 * a 48th of the height of the 16:9 picture that fits the stage, kept between a readable 16 px and a
 * comfortable 40 px. A 1280×720 stage gets the classic 25 px; a portrait phone in fullscreen
 * (390×844) sizes from the 219 px of a 16:9 picture across it, not from its whole height.
 */
export function stageFontSize(width: number, height: number): number {
  return Math.round(Math.min(40, Math.max(16, 10 + Math.min(height, (width * 9) / 16) / 48)));
}
/**
 * Bounds of the wait before the next tick, in wall ms: at the next moment something is due (room
 * may open, a comment fades or leaves), but not sooner than MIN_TICK nor, while comments wait for
 * room, later than MAX_WAIT_TICK (so their waits still time out).
 */
const MIN_TICK = 4;
const MAX_WAIT_TICK = 100;
/**
 * While comments wait, how much later than due (wall ms) the timer fires: the first arrival after
 * the due time runs the tick in its own task, which under a flood spares most ticks a task of their own.
 */
const PIGGYBACK = 20;
/** Comments leave or start to fade up to this late (logical ms), so that several due together take one tick. */
const SLACK = 40;

/** Options of {@link Stage}; all may change at any time and apply to comments placed afterwards. */
export interface StageOptions {
  /** Speed of scroll comments, px/s, for a 25 px `medium` font (it scales with the font size). */
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
  /** Its mode and size: comments of one key that find no room are not retried in the same pass. */
  key: string;
  /** Wall time it started waiting. */
  since: number;
  count: number;
  /** Measured width and the font and label it was measured in: a comment is measured once. */
  w?: number;
  font?: string;
  label?: string;
}

/**
 * Places comments on a stage of a given size and has `renderer` draw them, on `clock` (which the
 * renderer reads too).
 */
export class Stage {
  /** The logical clock every position is computed from. */
  readonly clock: Clock;
  readonly #renderer: Renderer;
  readonly #lanes = new Lanes(0, 0, 24);
  /** The comments on the stage, by slot. */
  readonly #shown = new Map<Slot, Shown>();
  #queue: Waiting[] = [];
  /** Dropped for lack of room (already counted), not yet reported. */
  #dropped: DisplayComment[] = [];
  #timer?: ReturnType<typeof setTimeout>;
  /** Wall time the tick of `#timer` is due (while comments wait, the timer itself fires a little later). */
  #timerAt = 0;
  #ctx?: CanvasRenderingContext2D | null;
  #font = '';
  #width = 0;
  #height = 0;
  #options!: StageOptions;
  /**
   * Before this logical time no waiting comment can find room (the lanes said so after the last
   * failed pass): ticks before it only time waits out. Anything that may make room sooner resets it.
   */
  #roomAt = 0;
  /** No comment leaves or starts to fade before this logical time: until then a sweep finds nothing. Never later than the truth. */
  #sweepAt = 0;
  /** Base font size (medium), px, from `--danmaku-font-size`; `0` or unset: follows the stage ({@link stageFontSize}). */
  fontSize?: number;
  /** Vertical space between lanes, px; from `--danmaku-lane-gap`. */
  laneGap = 0;
  /** Font weight and family of the comments; from the stage's computed style. */
  fontWeight = '700';
  fontFamily = 'sans-serif';
  /**
   * Called with the comments dropped together for one reason: those the waiting line let go since
   * the last tick (reported by the next one, at most {@link MAX_WAIT_TICK} ms later: under a flood
   * one call per tick rather than one per arrival), or all that waited when the page was hidden.
   */
  onDrop: (comments: DisplayComment[], reason: DropReason) => void = () => {};
  /** Called for every comment placed on the stage. */
  onShow: (comment: DisplayComment) => void = () => {};
  /** Counters; given to the constructor to carry them over from an earlier stage. */
  readonly stats: Omit<StageStats, 'queued' | 'onScreen'>;

  constructor(
    renderer: Renderer,
    clock: Clock,
    options: StageOptions,
    stats: Omit<StageStats, 'queued' | 'onScreen'> = { shown: 0, dropped: 0, merged: 0 },
  ) {
    this.#renderer = renderer;
    this.clock = clock;
    this.stats = stats;
    this.options = options;
  }

  /** Options; setting them (any change of size, speed, area…) retries the waiting line. */
  get options(): StageOptions {
    return this.#options;
  }

  set options(options: StageOptions) {
    this.#options = options;
    this.#roomAt = 0;
    // What the renderer reads from the page (e.g. `hide-modes`, the stroke) may have changed too.
    this.#renderer.sync();
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
    return this.clock.paused;
  }

  /** Comments waiting for room. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Comments on the stage. */
  get onScreen(): number {
    return this.#shown.size;
  }

  /** The comments on the stage now (hit-testing lives with the code that needs it: `interaction.ts`). */
  get comments(): Iterable<Shown> {
    return this.#shown.values();
  }

  /**
   * Updates the stage size, px. Comments on the stage keep going at their size and speed; new ones
   * (and those waiting, measured again) take the size of type the new stage calls for.
   */
  resize(width: number, height: number): void {
    this.#width = width;
    this.#height = height;
    this.#roomAt = 0;
    this.#renderer.resize(width, height);
  }

  /**
   * Shows a comment, or lets it wait for room (in order of arrival). A comment that finds no room
   * within `maxWait`, or the oldest one when more than `maxQueue` wait, is dropped and reported.
   */
  add(comment: DisplayComment): void {
    const o = this.options;
    if (o.merge > 0 && this.#merge(comment)) return;
    // The key is made once here: every tick reads it for every comment waiting.
    const wall = performance.now();
    const waiting: Waiting = { comment, key: comment.mode + comment.size, since: wall, count: 1 };
    // Arrivals keep their order: while others wait, a newcomer waits behind them for the next tick
    // (which also spares a lane search per arrival under a flood).
    if (this.#queue.length > 0 || !this.#place(waiting)) {
      this.#queue.push(waiting);
      if (this.#queue.length === 1) this.#schedule();
    }
    // Reported by the next tick, which a waiting line always has.
    while (this.#queue.length > Math.max(0, o.maxQueue)) this.#drop(this.#queue.shift()!);
    // A tick that is due runs in this arrival's task rather than in a timer task of its own.
    if (this.#timer !== undefined && wall >= this.#timerAt) this.#tick();
  }

  /** Freezes every comment where it is. */
  pause(): void {
    if (this.clock.paused) return;
    this.clock.paused = true;
    this.#renderer.sync();
  }

  /** Continues from where {@link pause} froze. */
  resume(): void {
    if (!this.clock.paused) return;
    this.clock.paused = false;
    this.#renderer.sync();
    this.#tick();
  }

  /** Playback rate: 2 runs everything twice as fast. Default `1`. */
  set rate(rate: number) {
    this.clock.rate = rate;
    this.#renderer.sync();
    this.#schedule();
  }

  /** Drops everything waiting and removes every comment on the stage. */
  clear(): void {
    this.remove(() => true);
    this.#lanes.clear();
  }

  /**
   * Takes the comments `match` selects off the stage at once and out of the waiting line, without
   * counting them as dropped (retracted comments, a cleared room).
   */
  remove(match: (comment: DisplayComment) => boolean): void {
    this.#queue = this.#queue.filter((w) => !match(w.comment));
    for (const shown of [...this.#shown.values()]) if (match(shown.comment)) this.#recycle(shown);
  }

  /** Clears the stage, stops its timer and ends the renderer (its worker, its elements). */
  dispose(): void {
    this.#report();
    this.clear();
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#renderer.dispose();
  }

  /** Empties the waiting line; `report` says whether the comments count as dropped. */
  flush(reason: DropReason, report = true): void {
    const queue = this.#queue;
    this.#queue = [];
    this.#report();
    if (report)
      this.drop(
        queue.map((w) => w.comment),
        reason,
      );
  }

  /**
   * Lets `change` freeze or thaw slots at the current logical time (`hold.ts`: a comment under the
   * pointer), then re-places the comments of the slots it returns: held ones stand still, the
   * others ride again. Then does what is due, as room may have opened.
   */
  rearrange(change: (lanes: Lanes, now: number) => Slot[]): void {
    const now = this.clock.now();
    for (const slot of change(this.#lanes, now)) {
      const shown = this.#shown.get(slot);
      if (shown) this.#renderer.draw(shown, now);
    }
    this.#roomAt = this.#sweepAt = 0;
    this.#tick();
  }

  /** Counts `comments` as dropped and reports them. */
  drop(comments: DisplayComment[], reason: DropReason): void {
    this.stats.dropped += comments.length;
    if (comments.length) this.onDrop(comments, reason);
  }

  /** Counts a waiting comment as dropped for lack of room; {@link #report} reports it. */
  #drop(waiting: Waiting): void {
    this.stats.dropped++;
    this.#dropped.push(waiting.comment);
  }

  /** Reports the comments dropped for lack of room since the last report. */
  #report(): void {
    const dropped = this.#dropped;
    this.#dropped = [];
    if (dropped.length) this.onDrop(dropped, 'overload');
  }

  /**
   * Does what is due: recycles comments that have left, fades out top/bottom comments at the end of
   * their time, then tries the waiting line in order (a mode and size that found no room is not
   * retried in the same pass).
   */
  #tick(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.clock.now();
    this.#sweep(now);
    const wall = performance.now();
    // Before #roomAt nothing can fit: only waits time out.
    const tried = now >= this.#roomAt;
    const failed = new Set<string>();
    const queue = this.#queue;
    let n = 0;
    for (const w of queue) {
      const key = w.key;
      if (tried && !failed.has(key) && this.#place(w)) continue;
      failed.add(key);
      if (wall - w.since > this.options.maxWait) this.#drop(w);
      else queue[n++] = w;
    }
    queue.length = n;
    if (n && tried) this.#roomAt = this.#lanes.next(now);
    this.#report();
    this.#schedule();
  }

  /** Recycles what has left by `now` and starts the fade out of top/bottom comments whose time is nearly up. */
  #sweep(now: number): void {
    if (now < this.#sweepAt) return;
    this.#sweepAt = Infinity;
    for (const shown of this.#shown.values()) {
      const { slot } = shown;
      if (slot.held !== undefined) continue;
      if (slot.end <= now) {
        this.#recycle(shown);
        continue;
      }
      const fade = fadeOf(slot);
      if (slot.v === 0 && !shown.fading && slot.end - fade <= now) {
        shown.fading = true;
        this.#renderer.fade(shown, fade);
      }
      this.#sweepAt = Math.min(this.#sweepAt, this.#dueOf(shown));
    }
  }

  /** When `shown` next needs the sweep: its fade out (top/bottom), else its end. */
  #dueOf({ slot, fading }: Shown): number {
    return slot.v !== 0 || fading ? slot.end : slot.end - fadeOf(slot);
  }

  /**
   * Sets the timer for the next {@link #tick}, at the first moment something is due. A timer set
   * for sooner is kept: a tick that finds nothing to do costs less than re-arming a timer on every
   * arrival.
   */
  #schedule(): void {
    const clock = this.clock;
    const waiting = this.#queue.length > 0;
    let wait = Infinity;
    if (!clock.paused) {
      const now = clock.now();
      const due = Math.min(this.#sweepAt + SLACK, waiting ? this.#lanes.next(now) : Infinity);
      wait = (due - now) / clock.rate;
    }
    if (waiting) wait = Math.min(wait, MAX_WAIT_TICK);
    if (wait === Infinity) return;
    wait = Math.max(MIN_TICK, wait);
    const at = performance.now() + wait;
    if (this.#timer !== undefined && this.#timerAt <= at) return;
    clearTimeout(this.#timer);
    // While comments wait they come often: the timer leaves the next arrival after `at` PIGGYBACK
    // ms to run the tick (see add) before it does, still within MAX_WAIT_TICK.
    this.#timer = setTimeout(
      () => this.#tick(),
      waiting ? Math.max(wait, Math.min(wait + PIGGYBACK, MAX_WAIT_TICK)) : wait,
    );
    this.#timerAt = at;
  }

  /** Folds `comment` into an identical recent one (on the stage or waiting). */
  #merge(comment: DisplayComment): boolean {
    const since = this.clock.now() - this.options.merge;
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
      const now = this.clock.now();
      // Wider, a right-to-left comment leaves later: the next tick is recomputed below.
      if (!this.#lanes.widen(s.slot, this.#measure(label, s.font), now)) return false;
      s.count++;
      s.label = label;
      this.#renderer.draw(s, now);
      this.stats.merged++;
      this.#schedule();
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
    const width = this.#width;
    if (width <= 0 || this.#height <= 0) return false;
    const { comment, count } = waiting;
    const base = this.fontSize || stageFontSize(width, this.#height);
    const px = Math.round(base * SIZE_SCALE[comment.size] * o.fontScale);
    const font = `${this.fontWeight} ${px}px ${this.fontFamily}`;
    const label = count > 1 ? `${comment.text} ×${count}` : comment.text;
    const line = Math.ceil(px * LINE);
    const lanes = this.#lanes;
    lanes.width = width;
    lanes.height = Math.floor(this.#height * Math.min(1, Math.max(0, o.area)));
    lanes.reverse = o.reverse;
    const scroll = comment.mode === 'scroll' && !o.reducedMotion;
    const now = this.clock.now();
    // The lanes forget comments that have left; their elements must go in the same step, or a
    // lingering top/bottom comment could be covered by the one that takes its place.
    this.#sweep(now);
    const request = (w: number): SlotRequest => ({
      kind: scroll ? 'scroll' : comment.mode === 'bottom' ? 'bottom' : 'top',
      w,
      h: line + this.laneGap,
      // Speed scales with the type: comments cross a small player and a large one in similar times.
      speed: o.duration > 0 ? (width + w) / o.duration : (o.speed * base) / REFERENCE_SIZE / 1000,
      life: o.fixedDuration,
    });
    if (waiting.font !== font || waiting.label !== label) {
      // Measuring text costs far more than asking the lanes: under a flood most comments never find
      // room, and those that find none even at width 0 wait unmeasured (see Lanes.place).
      if (!lanes.place(request(0), now, true)) return false;
      waiting.w = this.#measure(label, font);
      waiting.font = font;
      waiting.label = label;
    }
    const slot = lanes.place(request(waiting.w!), now);
    if (!slot) return false;
    const shown: Shown = { comment, slot, count, at: now, font, label, px, line };
    this.#shown.set(slot, shown);
    this.#renderer.draw(shown, now);
    this.#sweepAt = Math.min(this.#sweepAt, this.#dueOf(shown));
    // From a tick, the tick schedules the next one when done.
    if (!this.#queue.length) this.#schedule();
    this.stats.shown++;
    this.onShow(comment);
    return true;
  }

  /** Takes a comment that left (or is cleared) off the stage. */
  #recycle(shown: Shown): void {
    const { slot } = shown;
    if (this.#shown.get(slot) !== shown) return;
    this.#shown.delete(slot);
    this.#lanes.remove(slot);
    this.#roomAt = 0;
    this.#renderer.erase(shown);
  }
}
