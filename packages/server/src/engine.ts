/**
 * The engine interface: where rooms keep their sequence, history and fan-out.
 *
 * The server's connection handling is written against this interface only. Two implementations
 * exist: {@link MemoryEngine} (the default, one process, nothing to install) and the Redis engine
 * (several processes sharing rooms). Every method may be called concurrently for many rooms.
 */
import type {
  Author,
  ClearedMessage,
  Comment,
  CommentMode,
  CommentSize,
  RetractedMessage,
  SlowModeChangedMessage,
} from 'danmaku-layer-protocol';

/** A validated comment before the engine has given it a `seq` and timestamp. */
export interface NewComment {
  /** The sender's client-generated id; the engine posts each (room, id) at most once. */
  id: string;
  text: string;
  color: string;
  mode: CommentMode;
  size: CommentSize;
  time?: number;
  user?: Author;
}

/** What {@link Engine.publish} returns. */
export interface PublishResult {
  /** The stored comment, with its `seq` and `ts`. For a duplicate, the comment stored the first time. */
  comment: Comment;
  /** `true` when the (room, id) pair had been posted already and nothing new was stored or published. */
  duplicate: boolean;
}

/** Where a room stands. */
export interface RoomState {
  /** Random id of the room's current sequence; changes whenever the sequence restarts. */
  epoch: string;
  /** The latest `seq` assigned in the room (0 when none yet). */
  seq: number;
}

/** What {@link Engine.history} returns. */
export interface HistoryPage extends RoomState {
  /** Comments with `seq` greater than the requested one, oldest first. */
  comments: Comment[];
  /**
   * `false` when the history no longer holds every comment after the requested `seq` (they aged
   * out or were trimmed): the caller cannot offer a gap-free replay.
   */
  complete: boolean;
}

/**
 * A change to a room that is not a comment: comments retracted, the room cleared, its slow mode
 * changed. Delivered to every subscriber in order with the comments (a comment is never delivered
 * after its retraction). Shaped as the server message that tells clients.
 */
export type RoomEvent = RetractedMessage | ClearedMessage | SlowModeChangedMessage;

/** Receives a room's events (see {@link RoomEvent}). */
export type RoomEventListener = (event: RoomEvent) => void;

/** A stored comment and who sent it (server side only, never broadcast). */
export interface StoredComment {
  comment: Comment;
  /** The sender key given to {@link Engine.publish}, when one was. */
  sender?: string;
}

/** What {@link Engine.retract} and {@link Engine.clear} took out of the history. */
export interface Removal {
  /** The seqs removed, ascending. */
  seqs: number[];
  /** Their client-generated ids, to remove them from an archive too. */
  ids: string[];
}

/** Receives a room's comments, in `seq` order, each exactly once and with no gaps. */
export type CommentListener = (comment: Comment) => void;

/**
 * Told that a room's sequence could not be continued: its epoch changed (the store lost the room)
 * or comments were missed that the history no longer holds. Comments that follow belong to the new
 * state of the room; a receiver that promised a gap-free stream must start over (e.g. a client is
 * disconnected and reconnects with its cursor, which then yields `recovered: false`).
 *
 * `epoch` is the sequence that follows when the epoch changed: a receiver that already joined that
 * sequence (it read the room's state after the store restarted) lost nothing and may stay. Without
 * it (a gap in the same epoch), every receiver starts over.
 */
export type ResetListener = (epoch?: string) => void;

/** Ends a subscription. Safe to call twice. */
export type Unsubscribe = () => Promise<void>;

/** What an engine holds in this process, for metrics (`danmaku_engine_*`). */
export interface EngineStats {
  /** Rooms held: with subscribers, viewers, history or recent sends. */
  rooms: number;
  /** Send ids remembered for deduplication, over every room. */
  dedupeEntries: number;
}

/** Receives changes of an engine's health (for `/readyz`). */
export type ReadinessListener = (ready: boolean) => void;

/**
 * A room engine: assigns order, stores bounded history, deduplicates sends and fans comments out
 * to every subscriber of a room (on every process, for a shared engine).
 */
export interface Engine {
  /**
   * Posts a comment: in one atomic step, checks the (room, id) pair against recent sends, assigns
   * the next `seq`, stores the comment in the room's history and publishes it to subscribers.
   * Rejects only when the engine itself fails (e.g. its store is unreachable).
   *
   * @param sender Who sent it (see `senderKey`), kept beside the comment for as long as the history
   *   keeps it, for mutes by seq and author retraction; never broadcast.
   */
  publish(room: string, comment: NewComment, sender?: string): Promise<PublishResult>;

  /**
   * Subscribes to a room. The listener receives every comment published after the subscription is
   * established (the returned promise has resolved), in `seq` order with no gaps. When a shared
   * engine cannot keep that promise (its store lost the room, or a gap aged out of history), it
   * calls `onReset` first; an engine that never loses comments (memory) never calls it.
   */
  subscribe(
    room: string,
    listener: CommentListener,
    onReset?: ResetListener,
    onEvent?: RoomEventListener,
  ): Promise<Unsubscribe>;

  /** The comment with this seq and its sender, while the room's history holds it. */
  find(room: string, seq: number): Promise<StoredComment | undefined>;

  /**
   * Removes comments from the room's history and tells every subscriber (a `retract` event, in
   * order with the comments). A removal is not a gap: a client resuming over it is still
   * recovered. Seqs the history does not hold are ignored; nothing removed, no event.
   */
  retract(room: string, seqs: readonly number[]): Promise<Removal>;

  /**
   * Empties the room's history and tells every subscriber (a `clear` event with the room's latest
   * seq). The sequence and epoch go on: the next comment gets seq + 1.
   */
  clear(room: string): Promise<Removal & { seq: number }>;

  /**
   * Tells every subscriber of the room (every instance) of a change the history has no part in:
   * slow mode, or the retraction of a comment only an archive still holds. Not ordered with the
   * comments.
   */
  signal(room: string, event: RoomEvent): Promise<void>;

  /** The room's epoch and latest `seq`. A room with no epoch yet is given one. */
  state(room: string): Promise<RoomState>;

  /**
   * Reads stored comments with `seq > after`, oldest first, at most `limit` of them (the newest
   * `limit` when more are stored; `complete` is then `false`).
   */
  history(room: string, after: number, limit: number): Promise<HistoryPage>;

  /**
   * Adds `delta` (+1 or -1) to the room's viewer count and returns the new count (the global count,
   * for a shared engine).
   */
  addViewers(room: string, delta: number): Promise<number>;

  /** Whether the engine can serve requests now (its store is reachable). */
  readonly ready: boolean;

  /** Registers a listener for readiness changes. Returns a function that removes it. */
  onReadiness(listener: ReadinessListener): () => void;

  /** Releases every resource. Safe to call twice. */
  close(): Promise<void>;

  /** What the engine holds in this process; optional (an engine whose store expires keys itself may omit it). */
  stats?(): EngineStats;
}
