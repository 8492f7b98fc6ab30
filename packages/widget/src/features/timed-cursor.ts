/**
 * A play cursor over time-coded comments: the part of VOD playback only a layer with a bound
 * media element needs, so it travels with `media-sync.ts`. Pure; no DOM.
 */
import type { Timed } from './timed-store.js';

/**
 * Walks `list` (kept sorted by `time` elsewhere, see `addTimed`): {@link TimedCursor.take} hands
 * out the comments whose time has come, each once per pass.
 *
 * @example
 * const cursor = new TimedCursor(comments);
 * cursor.seek(video.currentTime);
 * for (const c of cursor.take(video.currentTime)) layer.add(c);
 */
export class TimedCursor<T extends Timed> {
  readonly #list: readonly T[];
  #cursor = 0;
  #at = 0;

  constructor(list: readonly T[]) {
    this.#list = list;
  }

  /** Moves the cursor: the next {@link take} starts with the first comment at or after `time`. */
  seek(time: number): void {
    this.#at = time;
    let lo = 0;
    let hi = this.#list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#list[mid].time! < time) lo = mid + 1;
      else hi = mid;
    }
    this.#cursor = lo;
  }

  /** The list changed (comments were added): finds the place of the last seek or take again. */
  reseek(): void {
    this.seek(this.#at);
  }

  /** The comments from the cursor up to `time` (inclusive); the cursor moves past them. */
  take(time: number): T[] {
    const out: T[] = [];
    while (this.#cursor < this.#list.length && this.#list[this.#cursor].time! <= time) {
      out.push(this.#list[this.#cursor++]);
    }
    this.#at = time;
    return out;
  }

  /** Media time of the next comment, if any. */
  peek(): number | undefined {
    return this.#list[this.#cursor]?.time;
  }
}
