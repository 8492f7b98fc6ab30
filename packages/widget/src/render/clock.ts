/**
 * The stage's logical clock: wall time that stops while paused and runs at a playback rate.
 * Every position on the stage is computed from it; nothing is read back from the DOM.
 */

/**
 * A pausable clock in ms. `wall` must share the time origin of `document.timeline` (that of
 * `performance.now()`), so that {@link Clock.wallOf} can set an animation's `startTime`.
 *
 * @example
 * const clock = new Clock();
 * clock.rate = 2; // follows a video played at 2×
 * clock.drive(animation, slot.start);
 */
export class Clock {
  /**
   * A clock on the timeline of `doc`, the document the stage's animations run in. Each window has
   * its own time origin: a layer moved into a picture-in-picture window animates on that window's
   * timeline, which a clock read from the page's `performance.now()` would be seconds ahead of
   * (new comments would wait that long off the edge before moving).
   */
  static of(doc: Document): Clock {
    const view = doc.defaultView;
    return view ? new Clock(() => view.performance.now()) : new Clock();
  }

  readonly #wall: () => number;
  /** Logical time at `#anchor`. */
  #base = 0;
  /** Wall time of the last pause, resume or rate change. */
  #anchor: number;
  #rate = 1;
  #paused = false;

  constructor(wall: () => number = () => performance.now()) {
    this.#wall = wall;
    this.#anchor = wall();
  }

  /** Current logical time, ms. */
  now(): number {
    return this.#paused ? this.#base : this.#base + (this.#wall() - this.#anchor) * this.#rate;
  }

  /** Whether the clock is stopped. */
  get paused(): boolean {
    return this.#paused;
  }

  set paused(paused: boolean) {
    if (paused === this.#paused) return;
    this.#rebase();
    this.#paused = paused;
  }

  /** Logical ms per wall ms (a media element's `playbackRate`). Default `1`. */
  get rate(): number {
    return this.#rate;
  }

  set rate(rate: number) {
    if (!(rate > 0) || rate === this.#rate) return;
    this.#rebase();
    this.#rate = rate;
  }

  /** The wall time at which the running clock reads (or read) `logical`. */
  wallOf(logical: number): number {
    return this.#anchor + (logical - this.#base) / this.#rate;
  }

  /**
   * Drives `anim` by this clock: its time 0 is logical time `origin`, and it runs, pauses and
   * changes rate with the clock. Call again after every pause, resume or rate change.
   */
  drive(anim: Animation, origin: number): Animation {
    anim.playbackRate = this.#rate;
    if (this.#paused) {
      anim.pause();
      anim.currentTime = this.now() - origin;
    } else {
      // startTime is on the document timeline, which shares performance.now()'s origin.
      anim.startTime = this.wallOf(origin);
    }
    return anim;
  }

  #rebase(): void {
    this.#base = this.now();
    this.#anchor = this.#wall();
  }
}
