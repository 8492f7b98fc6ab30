/**
 * Time-coded comments (VOD): a bounded list sorted by media time with a play cursor.
 * Pure; the media element is bound elsewhere (`media-sync.ts`).
 */

/** Anything with a media time in seconds. */
export interface Timed {
  time?: number;
}

/**
 * Holds at most `limit` comments sorted by `time`; {@link TimedStore.take} hands out those whose
 * time has come, each once per pass.
 *
 * @example
 * store.load(comments);
 * store.seek(video.currentTime);
 * for (const c of store.take(video.currentTime)) layer.add(c);
 */
export class TimedStore<T extends Timed> {
  /** Most comments kept; beyond it the latest by time are left out. */
  readonly limit: number;
  #items: T[] = [];
  #cursor = 0;
  #at = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Comments held. */
  get size(): number {
    return this.#items.length;
  }

  /**
   * Adds comments that carry a finite, non-negative `time`; others are ignored. Returns how many
   * were ignored or left out by the limit.
   */
  load(items: Iterable<T>): number {
    const before = this.#items.length;
    let offered = 0;
    for (const item of items) {
      offered++;
      if (typeof item.time === 'number' && item.time >= 0 && Number.isFinite(item.time)) this.#items.push(item);
    }
    // Stable sort: comments with equal times keep their order.
    this.#items.sort((a, b) => a.time! - b.time!);
    if (this.#items.length > this.limit) this.#items.length = this.limit;
    this.seek(this.#at);
    return offered - (this.#items.length - before);
  }

  /** Moves the cursor: the next {@link take} starts with the first comment at or after `time`. */
  seek(time: number): void {
    this.#at = time;
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#items[mid]!.time! < time) lo = mid + 1;
      else hi = mid;
    }
    this.#cursor = lo;
  }

  /** The comments from the cursor up to `time` (inclusive); the cursor moves past them. */
  take(time: number): T[] {
    const out: T[] = [];
    while (this.#cursor < this.#items.length && this.#items[this.#cursor]!.time! <= time) {
      out.push(this.#items[this.#cursor++]!);
    }
    this.#at = time;
    return out;
  }

  /** Media time of the next comment, if any. */
  peek(): number | undefined {
    return this.#items[this.#cursor]?.time;
  }

  /** Forgets every comment. */
  clear(): void {
    this.#items = [];
    this.#cursor = 0;
  }
}
