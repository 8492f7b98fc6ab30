/**
 * Turns an at-most-once stream of a room's comments and events (pub/sub messages) into the engine
 * contract: every comment exactly once, in `seq` order, no gaps — by filling gaps from the stored
 * history — and every event once, in order with the comments, by reading missed ones from the
 * room's event log.
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
  /**
   * The event's number in the room: 1, 2, 3… A number skipped is an event missed, read from the
   * room's event log. Absent from messages of servers that keep no log (delivered as they come).
   */
  n?: number;
  e?: string;
  s?: number;
  v: RoomEvent;
}

/** A message on a room's channel. */
export type FeedMessage = CommentFeedMessage | EventFeedMessage;

/** Where the room stands: its sequence and the number of its latest event. */
export interface FeedState extends RoomState {
  /** Number of the room's latest event (0: none yet). */
  events: number;
}

/** Where a feed reads what the live stream missed. */
export interface FeedStore {
  /** The room's history after `after` (see `Engine.history`). */
  history(after: number, limit: number): Promise<HistoryPage>;
  /** Gives the room a new epoch if, under `epoch`, its seq is now below `last` (lost writes). */
  restartIfBehind(epoch: string, last: number): Promise<void>;
  /** The number of the room's latest event, and the latest events its log holds, oldest first. */
  events(): Promise<{ events: number; messages: EventFeedMessage[] }>;
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
  /** Number of the latest event delivered (or left behind with an old sequence). */
  #events = 0;
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
  begin(state: FeedState): void {
    this.#epoch = state.epoch;
    this.#last = state.seq;
    this.#events = state.events;
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
  check(state: FeedState): void {
    if (!this.begun) return;
    if (state.epoch !== this.#epoch || state.seq !== this.#last || state.events !== this.#events) this.sync();
  }

  /** Reads history after the last delivered seq and the event log, and delivers what the live stream missed. */
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
        const { n } = message;
        // Delivered already: read from the log before its message arrived.
        if (n !== undefined && n <= this.#events) continue;
        // A number skipped means events were missed: the catch-up below reads them from the log.
        if (n === undefined || n === this.#events + 1) {
          if (message.s === undefined || (message.e === this.#epoch && message.s <= this.#last)) {
            this.#emitEvent(message);
            continue;
          }
          // An event of another epoch, met again after a catch-up, belongs to a sequence left behind.
          if (this.#waited.has(message) && message.e !== this.#epoch) {
            this.#events = n ?? this.#events;
            continue;
          }
        }
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
      // them (a retracted one as nothing); dropping them here loses nothing. Events wait for the
      // read and go out after it, behind the ones the event log says were missed.
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
    if (!this.#closed) await this.#readEventLog();
  }

  /**
   * Puts the events the live stream missed, read from the room's log, before whatever waits: the
   * drain then delivers them in order, each once. Events missed that the log no longer holds make
   * the listeners start over, like comments the history no longer holds.
   */
  async #readEventLog(): Promise<void> {
    const { events: latest, messages } = await this.#store.events();
    if (this.#closed) return;
    if (latest <= this.#events) {
      // Nothing missed; or the room's count started over with a new sequence, whose events follow.
      this.#events = latest;
      return;
    }
    const missed = unbrokenRunTo(messages, latest).filter((m) => m.n! > this.#events);
    if (missed[0]?.n !== this.#events + 1) {
      this.#events = latest;
      this.#reset();
      return;
    }
    // Read after a catch-up: one of another epoch is then left behind (see #drain).
    for (const message of missed) this.#waited.add(message);
    // The log's copies take the place of live messages of the same events still waiting, in order.
    const later = this.#pending.filter((m) => !('v' in m) || m.n === undefined || m.n > latest);
    this.#pending = [...missed, ...later];
  }

  #emitEvent(message: EventFeedMessage): void {
    if (message.n !== undefined) this.#events = message.n;
    this.#emit(message.v);
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

/**
 * The messages of `log` that number `…, latest - 1, latest` without a break, oldest first: the log of
 * a room that Redis lost and began anew may still end with messages of its earlier life.
 */
function unbrokenRunTo(log: readonly EventFeedMessage[], latest: number): EventFeedMessage[] {
  let start = log.length;
  while (start > 0 && log[start - 1].n === latest - (log.length - start)) start--;
  return log.slice(start);
}
