/**
 * Turns an at-most-once stream of a room's comments (pub/sub messages) into the engine contract:
 * every comment exactly once, in `seq` order, no gaps — by filling gaps from the stored history.
 */
import type { Comment } from 'danmaku-layer-protocol';
import type { CommentListener, HistoryPage, ResetListener, RoomEvent, RoomEventListener, RoomState } from './engine.js';

/** A message on a room's channel carrying a comment: the epoch it belongs to and the comment. */
export interface CommentFeedMessage {
  /** Epoch of the sequence the comment belongs to. */
  e: string;
  /** The stored comment. */
  c: Comment;
}

/**
 * A message on a room's channel carrying an event. An ordered one (a retraction, a clear) names
 * the epoch and the latest seq when it happened: it is delivered once every comment up to that
 * seq has been. One without them (slow mode) is delivered when it arrives.
 */
export interface EventFeedMessage {
  e?: string;
  s?: number;
  v: RoomEvent;
}

/** A message on a room's channel. */
export type FeedMessage = CommentFeedMessage | EventFeedMessage;

/** Where a feed reads what the live stream missed. */
export interface FeedStore {
  /** The room's history after `after` (see `Engine.history`). */
  history(after: number, limit: number): Promise<HistoryPage>;
  /** Gives the room a new epoch if, under `epoch`, its seq is now below `last` (lost writes). */
  restartIfBehind(epoch: string, last: number): Promise<void>;
}

/** Options of {@link RoomFeed}. */
export interface RoomFeedOptions {
  /** Most comments read from history at once; the room's history size. */
  historySize: number;
  /** How long a failed history read waits before it is retried, in milliseconds. */
  retryDelay: number;
  /** Receives failed reads and listener exceptions. */
  onError: (error: unknown) => void;
}

/**
 * One room's ordered delivery. It remembers the last seq delivered; a message that does not
 * continue it (or carries another epoch) makes it read the missing range from history first. Reads
 * run one at a time; messages arriving meanwhile wait, and whatever history already covered is
 * dropped by seq.
 */
export class RoomFeed {
  /** Receive each comment once, in order. */
  readonly listeners = new Set<CommentListener>();
  /** Told when the sequence cannot be continued (see `ResetListener`). */
  readonly resetListeners = new Set<ResetListener>();
  /** Receive the room's events, in order with the comments. */
  readonly eventListeners = new Set<RoomEventListener>();
  readonly #store: FeedStore;
  readonly #options: RoomFeedOptions;
  #epoch?: string;
  /** Highest seq delivered. */
  #last = 0;
  /** Messages not yet delivered, in arrival order. */
  #pending: FeedMessage[] = [];
  /** A history read runs (or the feed has not begun): messages wait in `#pending`. */
  #syncing = true;
  /** Another read was asked for while one was running. */
  #dirty = false;
  #retry?: NodeJS.Timeout;
  #closed = false;

  constructor(store: FeedStore, options: RoomFeedOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Whether {@link begin} was called: the feed knows its epoch and position. */
  get begun(): boolean {
    return this.#epoch !== undefined;
  }

  /** Starts delivering what follows `state` (read after subscribing, so nothing falls between). */
  begin(state: RoomState): void {
    this.#epoch = state.epoch;
    this.#last = state.seq;
    this.#syncing = false;
    if (this.#dirty) this.sync();
    else this.#drain();
  }

  /** A message from the live stream. */
  receive(message: FeedMessage): void {
    if (this.#closed) return;
    if (this.#syncing && this.#pending.length >= this.#options.historySize) {
      // A long catch-up (its reads failing): stop buffering. Everything dropped here is stored,
      // and `dirty` makes the catch-up read once more, so nothing is lost that history holds.
      this.#pending = [];
      this.#dirty = true;
      return;
    }
    this.#pending.push(message);
    if (!this.#syncing) this.#drain();
  }

  /** Compares with the room's current state; catches up if anything differs (a lost last message, a restart). */
  check(state: RoomState): void {
    if (this.begun && (state.epoch !== this.#epoch || state.seq !== this.#last)) this.sync();
  }

  /** Reads history after the last delivered seq and delivers what the live stream missed. */
  sync(): void {
    if (this.#closed) return;
    if (this.#syncing) {
      this.#dirty = true;
      return;
    }
    this.#syncing = true;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    this.#catchUp().then(
      () => {
        this.#syncing = false;
        this.#drain();
      },
      (error: unknown) => {
        this.#syncing = false;
        this.#options.onError(error);
        if (this.#closed) return;
        this.#retry = setTimeout(() => this.sync(), this.#options.retryDelay);
        this.#retry.unref();
      },
    );
  }

  /** Stops delivering and retrying. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#pending = [];
  }

  #drain(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (let i = 0; i < pending.length; i++) {
      if (this.#closed) return;
      const message = pending[i];
      if ('v' in message) {
        if (message.s === undefined || (message.e === this.#epoch && message.s <= this.#last)) {
          this.#emit(message.v);
          continue;
        }
        // An event of another epoch, met again after a catch-up, belongs to a sequence left behind.
        if (this.#waited.has(message)) continue;
      } else {
        const { e: epoch, c: comment } = message;
        if (epoch === this.#epoch && comment.seq <= this.#last) continue;
        if (epoch === this.#epoch && comment.seq === this.#last + 1) {
          this.#last = comment.seq;
          this.#deliver(comment);
          continue;
        }
      }
      // Comments still pending were stored before the history read starts, so that read returns
      // them (a retracted one as nothing); dropping them here loses nothing. Events are not
      // stored: they wait for the read and go out after it.
      const events = pending.slice(i).filter((m): m is EventFeedMessage => 'v' in m);
      this.#waited = new Set(events);
      this.#pending = [...events, ...this.#pending];
      this.sync();
      return;
    }
  }

  /** Events kept across the current catch-up: met again after it, they are delivered or dropped. */
  #waited = new Set<EventFeedMessage>();

  async #catchUp(): Promise<void> {
    const { historySize } = this.#options;
    do {
      this.#dirty = false;
      let page = await this.#store.history(this.#last, historySize);
      if (this.#closed) return;
      if (page.epoch === this.#epoch && page.seq < this.#last) {
        // The store lost acknowledged writes but kept the epoch; reusing those seq numbers would
        // make clients drop new comments as already seen. Restart the epoch (every instance then
        // sees the change) and handle it as a restart below.
        await this.#store.restartIfBehind(page.epoch, this.#last);
        page = await this.#store.history(this.#last, historySize);
        if (this.#closed) return;
      }
      if (page.epoch !== this.#epoch) {
        // The sequence restarted (the store lost the room, or it expired): the old one cannot be
        // continued. Tell the listeners, then follow the new sequence from its start.
        page = await this.#store.history(0, historySize);
        if (this.#closed) return;
        this.#epoch = page.epoch;
        this.#last = 0;
        this.#reset(page.epoch);
      } else if (!page.complete) {
        // The missed comments are no longer stored: the gap cannot be filled.
        this.#reset();
      }
      for (const comment of page.comments) {
        if (this.#closed) return;
        if (comment.seq <= this.#last) continue;
        this.#last = comment.seq;
        this.#deliver(comment);
      }
      this.#last = Math.max(this.#last, page.seq);
    } while (this.#dirty && !this.#closed);
  }

  #deliver(comment: Comment): void {
    for (const listener of this.listeners) {
      try {
        listener(comment);
      } catch (error) {
        this.#options.onError(error);
      }
    }
  }

  #emit(event: RoomEvent): void {
    for (const listener of this.eventListeners) {
      try {
        listener(event);
      } catch (error) {
        this.#options.onError(error);
      }
    }
  }

  #reset(epoch?: string): void {
    for (const listener of this.resetListeners) {
      try {
        listener(epoch);
      } catch (error) {
        this.#options.onError(error);
      }
    }
  }
}
