/**
 * The in-memory engine: rooms live in this process only. The default; needs nothing installed.
 */
import { randomBytes } from 'node:crypto';
import type { Comment } from 'danmaku-layer-protocol';
import type {
  CommentListener,
  Engine,
  HistoryPage,
  NewComment,
  PublishResult,
  ReadinessListener,
  RoomState,
  Unsubscribe,
} from './engine.js';

/** Options shared by every engine: how much history a room keeps and how long sends are deduplicated. */
export interface EngineOptions {
  /** Most comments kept per room for recovery and late joiners. Default `1000`. */
  historySize?: number;
  /** Longest time a comment is kept in history, in milliseconds. Default `300_000` (5 minutes). */
  historyAge?: number;
  /** How long a sent id is remembered to drop resends, in milliseconds. Default `120_000`. */
  dedupeWindow?: number;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Defaults of {@link EngineOptions}. */
export const ENGINE_DEFAULTS = {
  historySize: 1000,
  historyAge: 300_000,
  dedupeWindow: 120_000,
} as const;

/** Most send ids remembered per room, whatever the dedupe window. */
const MAX_RECENT = 10_000;

/** A new random epoch: 16 hex characters. */
export function newEpoch(): string {
  return randomBytes(8).toString('hex');
}

interface Room {
  epoch: string;
  seq: number;
  /** Oldest first; trimmed by count on append and by age on read. */
  history: Comment[];
  /** Client id → the comment it posted, in insertion (= time) order, for deduplication. */
  recent: Map<string, Comment>;
  listeners: Set<CommentListener>;
  viewers: number;
}

/**
 * Rooms in a `Map`, each with its sequence, a bounded history and a bounded dedupe window.
 * Rooms with no listeners, no viewers and no history left are forgotten, so memory follows
 * activity rather than every room name ever used.
 */
export class MemoryEngine implements Engine {
  readonly ready = true;
  readonly #rooms = new Map<string, Room>();
  readonly #historySize: number;
  readonly #historyAge: number;
  readonly #dedupeWindow: number;
  readonly #now: () => number;

  constructor(options: EngineOptions = {}) {
    this.#historySize = options.historySize ?? ENGINE_DEFAULTS.historySize;
    this.#historyAge = options.historyAge ?? ENGINE_DEFAULTS.historyAge;
    this.#dedupeWindow = options.dedupeWindow ?? ENGINE_DEFAULTS.dedupeWindow;
    this.#now = options.now ?? Date.now;
  }

  async publish(roomName: string, input: NewComment): Promise<PublishResult> {
    const room = this.#room(roomName);
    const now = this.#now();
    this.#expireRecent(room, now);
    const earlier = room.recent.get(input.id);
    if (earlier) return { comment: earlier, duplicate: true };

    const comment: Comment = { seq: ++room.seq, ...input, ts: now };
    room.recent.set(input.id, comment);
    // Bound the window by count too, so a flood within the window cannot grow it without limit.
    if (room.recent.size > MAX_RECENT) room.recent.delete(room.recent.keys().next().value!);
    room.history.push(comment);
    if (room.history.length > this.#historySize) room.history.splice(0, room.history.length - this.#historySize);
    for (const listener of room.listeners) listener(comment);
    return { comment, duplicate: false };
  }

  async subscribe(roomName: string, listener: CommentListener): Promise<Unsubscribe> {
    const room = this.#room(roomName);
    room.listeners.add(listener);
    return async () => {
      room.listeners.delete(listener);
      this.#forgetIfIdle(roomName, room);
    };
  }

  async state(roomName: string): Promise<RoomState> {
    const room = this.#room(roomName);
    return { epoch: room.epoch, seq: room.seq };
  }

  async history(roomName: string, after: number, limit: number): Promise<HistoryPage> {
    const room = this.#room(roomName);
    this.#expireHistory(room, this.#now());
    const oldest = room.history.length > 0 ? room.history[0]!.seq : room.seq + 1;
    let comments = room.history.filter((c) => c.seq > after);
    // Every comment after `after` is still here when the oldest kept one is at most after + 1.
    let complete = after >= room.seq || oldest <= after + 1;
    if (comments.length > limit) {
      comments = comments.slice(comments.length - limit);
      complete = false;
    }
    return { epoch: room.epoch, seq: room.seq, comments, complete };
  }

  async addViewers(roomName: string, delta: number): Promise<number> {
    const room = this.#room(roomName);
    room.viewers = Math.max(0, room.viewers + delta);
    const viewers = room.viewers;
    this.#forgetIfIdle(roomName, room);
    return viewers;
  }

  onReadiness(_listener: ReadinessListener): () => void {
    // Memory is always ready.
    return () => {};
  }

  async close(): Promise<void> {
    this.#rooms.clear();
  }

  /** Number of rooms held in memory (for metrics and tests). */
  get roomCount(): number {
    return this.#rooms.size;
  }

  #room(name: string): Room {
    let room = this.#rooms.get(name);
    if (!room) {
      room = { epoch: newEpoch(), seq: 0, history: [], recent: new Map(), listeners: new Set(), viewers: 0 };
      this.#rooms.set(name, room);
    }
    return room;
  }

  #expireHistory(room: Room, now: number): void {
    const cutoff = now - this.#historyAge;
    let drop = 0;
    while (drop < room.history.length && room.history[drop]!.ts < cutoff) drop++;
    if (drop > 0) room.history.splice(0, drop);
  }

  #expireRecent(room: Room, now: number): void {
    const cutoff = now - this.#dedupeWindow;
    // Map iteration follows insertion order, which is time order: stop at the first fresh entry.
    for (const [id, comment] of room.recent) {
      if (comment.ts >= cutoff) break;
      room.recent.delete(id);
    }
  }

  #forgetIfIdle(name: string, room: Room): void {
    if (room.listeners.size > 0 || room.viewers > 0) return;
    const now = this.#now();
    this.#expireHistory(room, now);
    this.#expireRecent(room, now);
    // Keep a room with history: its epoch and seq must survive for clients that resume into it.
    if (room.history.length === 0 && room.recent.size === 0) this.#rooms.delete(name);
  }
}
