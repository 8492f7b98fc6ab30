/**
 * The in-memory engine: rooms live in this process only. The default; needs nothing installed.
 */
import { randomBytes } from 'node:crypto';
import type { Comment } from 'danmaku-layer-protocol';
import type {
  CommentListener,
  Engine,
  EngineStats,
  HistoryPage,
  NewComment,
  PublishResult,
  ReadinessListener,
  Removal,
  RoomEvent,
  RoomEventListener,
  RoomState,
  StoredComment,
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

/** Options of {@link MemoryEngine}. */
export interface MemoryEngineOptions extends EngineOptions {
  /**
   * Most rooms held in memory. Past it, the least recently used room without subscribers or viewers
   * is forgotten (its history and dedupe window with it; a client resuming into it gets
   * `recovered: false`). Rooms with subscribers or viewers are never forgotten, so this is exceeded
   * only while more rooms than that are in use. Default `20000`.
   */
  maxHeldRooms?: number;
  /**
   * How often idle rooms are swept, in milliseconds (`0` = never): a room without subscribers or
   * viewers is forgotten once its history has aged out and its dedupe window expired. Default: half
   * the longer of `historyAge` and `dedupeWindow`, between 1 and 30 seconds.
   */
  sweepInterval?: number;
}

/** Defaults of {@link MemoryEngineOptions} beyond {@link ENGINE_DEFAULTS}. */
export const MEMORY_ENGINE_DEFAULTS = {
  maxHeldRooms: 20_000,
  /** Longest default sweep interval, in ms. */
  sweepInterval: 30_000,
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
  /** Highest seq that left the history by trimming or age (not by retraction): below it, a replay has a hole. */
  trimmed: number;
  /** Sender of each comment in `history`, by seq; entries leave with their comment. */
  senders: Map<number, string>;
  events: Set<RoomEventListener>;
  /** Client id → the comment it posted, in insertion (= time) order, for deduplication. */
  recent: Map<string, Comment>;
  listeners: Set<CommentListener>;
  viewers: number;
}

/**
 * Rooms in a `Map`, each with its sequence, a bounded history and a bounded dedupe window.
 * Nothing a client names stays longer than its time: a background sweep (unref'd, like socket.io's
 * session sweep) forgets every room without listeners or viewers once its history and dedupe window
 * have expired, and the number of rooms held is capped, least recently used first. The `Map` keeps
 * rooms in order of last use (a used room is moved to the end), so both walk from the oldest.
 */
export class MemoryEngine implements Engine {
  readonly ready = true;
  readonly #rooms = new Map<string, Room>();
  readonly #historySize: number;
  readonly #historyAge: number;
  readonly #dedupeWindow: number;
  readonly #maxHeldRooms: number;
  readonly #now: () => number;
  readonly #sweeper?: NodeJS.Timeout;
  /** Sum of every room's `recent.size`, kept as entries come and go. */
  #dedupeEntries = 0;

  constructor(options: MemoryEngineOptions = {}) {
    this.#historySize = options.historySize ?? ENGINE_DEFAULTS.historySize;
    this.#historyAge = options.historyAge ?? ENGINE_DEFAULTS.historyAge;
    this.#dedupeWindow = options.dedupeWindow ?? ENGINE_DEFAULTS.dedupeWindow;
    this.#maxHeldRooms = options.maxHeldRooms ?? MEMORY_ENGINE_DEFAULTS.maxHeldRooms;
    this.#now = options.now ?? Date.now;
    // No room can go before its windows end: sweeping much more often than that finds nothing.
    const interval =
      options.sweepInterval ??
      Math.min(
        MEMORY_ENGINE_DEFAULTS.sweepInterval,
        Math.max(1000, Math.max(this.#historyAge, this.#dedupeWindow) / 2),
      );
    for (const [name, value, min] of [
      ['historySize', this.#historySize, 1],
      ['historyAge', this.#historyAge, 1],
      ['dedupeWindow', this.#dedupeWindow, 1],
      ['maxHeldRooms', this.#maxHeldRooms, 1],
      ['sweepInterval', interval, 0],
    ] as const) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min)
        throw new RangeError(`Option "${name}" must be a number ≥ ${min}; got ${String(value)}.`);
    }
    if (interval > 0) {
      this.#sweeper = setInterval(() => this.sweep(), interval);
      // The sweep must never keep a process alive on its own.
      this.#sweeper.unref();
    }
  }

  async publish(roomName: string, input: NewComment, sender?: string): Promise<PublishResult> {
    const room = this.#room(roomName);
    const now = this.#now();
    this.#expireRecent(room, now);
    const earlier = room.recent.get(input.id);
    if (earlier) return { comment: earlier, duplicate: true };

    const comment: Comment = { seq: ++room.seq, ...input, ts: now };
    room.recent.set(input.id, comment);
    this.#dedupeEntries++;
    // Bound the window by count too, so a flood within the window cannot grow it without limit.
    if (room.recent.size > MAX_RECENT) {
      room.recent.delete(room.recent.keys().next().value!);
      this.#dedupeEntries--;
    }
    room.history.push(comment);
    if (sender !== undefined) room.senders.set(comment.seq, sender);
    if (room.history.length > this.#historySize) this.#trim(room, room.history.length - this.#historySize);
    for (const listener of room.listeners) listener(comment);
    return { comment, duplicate: false };
  }

  async subscribe(
    roomName: string,
    listener: CommentListener,
    _onReset?: unknown,
    onEvent?: RoomEventListener,
  ): Promise<Unsubscribe> {
    const room = this.#room(roomName);
    room.listeners.add(listener);
    // A distinct wrapper per subscription, so that one listener given twice is removed once each.
    const events: RoomEventListener | undefined = onEvent ? (event) => onEvent(event) : undefined;
    if (events) room.events.add(events);
    return async () => {
      room.listeners.delete(listener);
      if (events) room.events.delete(events);
      this.#forgetIfIdle(roomName, room);
    };
  }

  async find(roomName: string, seq: number): Promise<StoredComment | undefined> {
    const room = this.#rooms.get(roomName);
    if (!room) return undefined;
    this.#expireHistory(room, this.#now());
    const comment = room.history.find((c) => c.seq === seq);
    if (!comment) return undefined;
    const sender = room.senders.get(seq);
    return sender === undefined ? { comment } : { comment, sender };
  }

  async retract(roomName: string, seqs: readonly number[]): Promise<Removal> {
    const room = this.#rooms.get(roomName);
    const removal: Removal = { seqs: [], ids: [] };
    if (!room) return removal;
    const wanted = new Set(seqs);
    room.history = room.history.filter((comment) => {
      if (!wanted.has(comment.seq)) return true;
      removal.seqs.push(comment.seq);
      removal.ids.push(comment.id);
      room.senders.delete(comment.seq);
      return false;
    });
    if (removal.seqs.length > 0) this.#emit(room, { type: 'retract', seqs: removal.seqs });
    return removal;
  }

  async clear(roomName: string): Promise<Removal & { seq: number }> {
    const room = this.#room(roomName);
    const removal = { seqs: room.history.map((c) => c.seq), ids: room.history.map((c) => c.id), seq: room.seq };
    room.history = [];
    room.senders.clear();
    this.#emit(room, { type: 'clear', seq: room.seq });
    return removal;
  }

  async signal(roomName: string, event: RoomEvent): Promise<void> {
    const room = this.#rooms.get(roomName);
    if (room) this.#emit(room, event);
  }

  async state(roomName: string): Promise<RoomState> {
    const room = this.#room(roomName);
    return { epoch: room.epoch, seq: room.seq };
  }

  async history(roomName: string, after: number, limit: number): Promise<HistoryPage> {
    const room = this.#room(roomName);
    this.#expireHistory(room, this.#now());
    let comments = room.history.filter((c) => c.seq > after);
    // Every comment after `after` is still here (or was retracted) unless trimming took one.
    let complete = after >= room.seq || room.trimmed <= after;
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
    clearInterval(this.#sweeper);
    this.#rooms.clear();
    this.#dedupeEntries = 0;
  }

  /** Number of rooms held in memory (for metrics and tests). */
  get roomCount(): number {
    return this.#rooms.size;
  }

  /** Rooms held and dedupe entries, for `danmaku_engine_rooms` and `danmaku_engine_dedupe_entries`. */
  stats(): EngineStats {
    return { rooms: this.#rooms.size, dedupeEntries: this.#dedupeEntries };
  }

  /**
   * Forgets every room without listeners or viewers whose history and dedupe window have expired.
   * Runs every `sweepInterval` ms by itself; public so that tests and embedders can run it now.
   */
  sweep(): void {
    for (const [name, room] of this.#rooms) this.#forgetIfIdle(name, room);
  }

  #room(name: string): Room {
    let room = this.#rooms.get(name);
    if (room) {
      // Move to the end: the Map's order is the order of last use.
      this.#rooms.delete(name);
      this.#rooms.set(name, room);
      return room;
    }
    if (this.#rooms.size >= this.#maxHeldRooms) this.#evict();
    room = {
      epoch: newEpoch(),
      seq: 0,
      history: [],
      trimmed: 0,
      senders: new Map(),
      events: new Set(),
      recent: new Map(),
      listeners: new Set(),
      viewers: 0,
    };
    this.#rooms.set(name, room);
    return room;
  }

  /** Forgets the least recently used idle room, to make space for a new one. */
  #evict(): void {
    // Rooms in use are moved to the end as they are passed, so a run of them at the front is not
    // walked again for the next new room. Bounded: each room is looked at once.
    let budget = this.#rooms.size;
    for (const [name, room] of this.#rooms) {
      if (budget-- <= 0) return;
      if (room.listeners.size === 0 && room.viewers === 0) {
        this.#delete(name, room);
        return;
      }
      this.#rooms.delete(name);
      this.#rooms.set(name, room);
    }
  }

  #delete(name: string, room: Room): void {
    // A late unsubscribe may name a room that was evicted and opened again since: leave that one.
    if (this.#rooms.get(name) !== room) return;
    this.#dedupeEntries -= room.recent.size;
    this.#rooms.delete(name);
  }

  #expireHistory(room: Room, now: number): void {
    const cutoff = now - this.#historyAge;
    let drop = 0;
    while (drop < room.history.length && room.history[drop].ts < cutoff) drop++;
    if (drop > 0) this.#trim(room, drop);
  }

  /** Drops the `count` oldest comments of the history (by size or age: a hole for replays). */
  #trim(room: Room, count: number): void {
    for (const comment of room.history.splice(0, count)) {
      room.senders.delete(comment.seq);
      room.trimmed = comment.seq;
    }
  }

  #emit(room: Room, event: RoomEvent): void {
    for (const listener of room.events) listener(event);
  }

  #expireRecent(room: Room, now: number): void {
    const cutoff = now - this.#dedupeWindow;
    // Map iteration follows insertion order, which is time order: stop at the first fresh entry.
    for (const [id, comment] of room.recent) {
      if (comment.ts >= cutoff) break;
      room.recent.delete(id);
      this.#dedupeEntries--;
    }
  }

  #forgetIfIdle(name: string, room: Room): void {
    if (room.listeners.size > 0 || room.viewers > 0) return;
    const now = this.#now();
    this.#expireHistory(room, now);
    this.#expireRecent(room, now);
    // Keep a room with history: its epoch and seq must survive for clients that resume into it.
    if (room.history.length === 0 && room.recent.size === 0) this.#delete(name, room);
  }
}
