/**
 * Per-process fan-out: one engine subscription per room, however many local clients watch it,
 * and comments coalesced into one frame per flush interval, encoded once for the whole room (the
 * first comment after a quiet interval goes at once).
 * Room events (retractions, clears, slow mode) follow the comments in order; the viewer count is
 * polled per room and sent when it changed.
 */
import type { Comment, PresenceMessage } from 'danmaku-layer-protocol';
import type { Engine, RoomEvent, Unsubscribe } from './engine.js';
import { PreparedFrame } from './prepared-frame.js';

/** What a room tells its members besides comments: its events and its viewer count. */
export type RoomNotice = RoomEvent | PresenceMessage;

/** A local receiver of a room's comments (a client connection). */
export interface RoomMember {
  /**
   * Receives one `comments` message, encoded and framed once for the whole room. Returns `true`
   * when it was sent, `false` when it was dropped (the member is closing or too far behind), and
   * nothing when the member counts what it does with it itself (while joining).
   */
  deliver(frame: PreparedFrame, comments: readonly Comment[]): boolean | void;
  /** The room's sequence restarted or has a hole (see `ResetListener`): the member must start over. */
  reset?(epoch?: string): void;
  /** Receives a room event or a viewer count, encoded once for the whole room, after the comments before it. */
  notify?(frame: PreparedFrame, notice: RoomNotice): void;
}

interface LocalRoom {
  /** The room's name (the key it is kept under). */
  name: string;
  members: Set<RoomMember>;
  /** Resolves once the engine subscription is live; every comment after that reaches `members`. */
  subscribed: Promise<void>;
  unsubscribe?: Unsubscribe;
  pending: Comment[];
  timer?: NodeJS.Timeout;
  /** When the room's last frame of comments had gone out to every member (`performance.now()`). */
  flushedAt: number;
  /** Polls the viewer count. */
  presenceTimer?: NodeJS.Timeout;
  /** The viewer count last sent (or first seen). */
  viewers?: number;
  /** A poll is running: the next tick waits for it. */
  polling: boolean;
}

/** Options of {@link RoomHub}. */
export interface RoomHubOptions {
  /**
   * How long comments are collected before one frame goes out to every member, in milliseconds.
   * A comment that finds the room quiet for at least that long goes out at once; those that follow
   * it within the interval are collected. `0` sends each comment at once. Default `25`.
   */
  flushInterval?: number;
  /**
   * How often each room's viewer count (every instance) is read, in milliseconds; members get a
   * `presence` message when it changed. `0` never. Default `2000`.
   */
  presenceInterval?: number;
  /**
   * Told after each batch how many comment deliveries went out and how many were dropped (one per
   * comment and member): counted once per batch rather than by every member.
   */
  onDelivered?: (sent: number, dropped: number) => void;
}

/**
 * Keeps the local members of each room and forwards the engine's comments to them.
 */
export class RoomHub {
  readonly #engine: Engine;
  readonly #flushInterval: number;
  readonly #presenceInterval: number;
  readonly #onDelivered?: (sent: number, dropped: number) => void;
  readonly #rooms = new Map<string, LocalRoom>();

  constructor(engine: Engine, options: RoomHubOptions = {}) {
    this.#engine = engine;
    this.#flushInterval = options.flushInterval ?? 25;
    this.#presenceInterval = options.presenceInterval ?? 2000;
    this.#onDelivered = options.onDelivered;
  }

  /**
   * Adds a member to a room. The returned promise resolves when the room's subscription is live:
   * from then on the member receives every comment the engine publishes in the room.
   */
  async join(name: string, member: RoomMember): Promise<void> {
    let room = this.#rooms.get(name);
    if (!room) {
      const created: LocalRoom = {
        name,
        members: new Set(),
        subscribed: Promise.resolve(),
        pending: [],
        flushedAt: -Infinity,
        polling: false,
      };
      created.subscribed = this.#engine
        .subscribe(
          name,
          (comment) => this.#receive(created, comment),
          (epoch) => this.#reset(created, epoch),
          (event) => this.#event(created, event),
        )
        .then(
          (unsubscribe) => {
            created.unsubscribe = unsubscribe;
            // Everyone may have left while the subscription was being set up.
            if (created.members.size === 0) this.#drop(name, created);
          },
          (error: unknown) => {
            this.#rooms.delete(name);
            throw error;
          },
        );
      room = created;
      this.#rooms.set(name, room);
      if (this.#presenceInterval > 0) {
        created.presenceTimer = setInterval(() => this.#pollPresence(name, created), this.#presenceInterval);
        created.presenceTimer.unref();
      }
    }
    room.members.add(member);
    await room.subscribed;
  }

  /** Removes a member; the room's subscription ends with its last local member. */
  leave(name: string, member: RoomMember): void {
    const room = this.#rooms.get(name);
    if (!room) return;
    room.members.delete(member);
    if (room.members.size === 0 && room.unsubscribe) this.#drop(name, room);
  }

  /**
   * Tells the room the viewer count its first member was welcomed with, so that the first poll
   * does not send that same count again. Later members' counts are not taken: earlier members
   * have yet to hear of them.
   */
  welcomed(name: string, viewers: number): void {
    const room = this.#rooms.get(name);
    if (room && room.viewers === undefined) room.viewers = viewers;
  }

  /**
   * `name` as the hub keeps it when the room has local members, else `name` itself: members that
   * hold the returned string share one copy of it.
   */
  nameOf(name: string): string {
    return this.#rooms.get(name)?.name ?? name;
  }

  /** Whether the room has local members (or is being joined). */
  has(name: string): boolean {
    return this.#rooms.has(name);
  }

  /** Number of rooms with local members. */
  get roomCount(): number {
    return this.#rooms.size;
  }

  /** Sends every pending batch now and ends all subscriptions. */
  async close(): Promise<void> {
    const rooms = [...this.#rooms.entries()];
    this.#rooms.clear();
    await Promise.all(
      rooms.map(async ([, room]) => {
        clearInterval(room.presenceTimer);
        this.#flush(room);
        await room.subscribed.catch(() => {});
        await room.unsubscribe?.();
      }),
    );
  }

  #receive(room: LocalRoom, comment: Comment): void {
    room.pending.push(comment);
    if (room.timer) return;
    // Nagle's rule for a room: a comment that finds the room quiet for a whole interval goes out
    // at once instead of waiting that interval for others; those that follow it within the
    // interval are collected into the next frame. A steady stream never leaves the room quiet that
    // long and is batched as before; in a quiet room comments no longer wait.
    if (this.#flushInterval <= 0 || performance.now() - room.flushedAt >= this.#flushInterval) this.#flush(room);
    else room.timer = setTimeout(() => this.#flush(room), this.#flushInterval);
  }

  #flush(room: LocalRoom): void {
    if (room.timer) clearTimeout(room.timer);
    room.timer = undefined;
    if (room.pending.length === 0) return;
    const comments = room.pending;
    room.pending = [];
    // Encoded and framed once for the whole room: the cost of a frame does not grow with the audience.
    const frame = new PreparedFrame(JSON.stringify({ type: 'comments', comments }));
    let sent = 0;
    let dropped = 0;
    for (const member of room.members) {
      const delivered = member.deliver(frame, comments);
      if (delivered === true) sent++;
      else if (delivered === false) dropped++;
    }
    this.#onDelivered?.(sent * comments.length, dropped * comments.length);
    // Taken once every member has been handed the frame: a room whose fan-out took longer than the
    // interval is busy, not quiet, and what arrived meanwhile is batched.
    room.flushedAt = performance.now();
  }

  #event(room: LocalRoom, event: RoomEvent): void {
    // A retracted comment still in the batch is dropped rather than sent and then taken back.
    if (event.type === 'retract') {
      const gone = new Set(event.seqs);
      room.pending = room.pending.filter((c) => !gone.has(c.seq));
    } else if (event.type === 'clear') {
      room.pending = room.pending.filter((c) => c.seq > event.seq);
    }
    // What is batched came before the event: it goes first.
    this.#flush(room);
    this.#notify(room, event);
  }

  #notify(room: LocalRoom, notice: RoomNotice): void {
    const frame = new PreparedFrame(JSON.stringify(notice));
    for (const member of room.members) member.notify?.(frame, notice);
  }

  #pollPresence(name: string, room: LocalRoom): void {
    if (room.polling || this.#rooms.get(name) !== room) return;
    room.polling = true;
    this.#engine.addViewers(name, 0).then(
      (viewers) => {
        room.polling = false;
        if (viewers === room.viewers || this.#rooms.get(name) !== room) return;
        room.viewers = viewers;
        this.#notify(room, { type: 'presence', viewers });
      },
      // The engine reports its own failures; the next tick tries again.
      () => (room.polling = false),
    );
  }

  #reset(room: LocalRoom, epoch?: string): void {
    // What was batched belongs to the old sequence; send it before the members start over.
    this.#flush(room);
    for (const member of room.members) member.reset?.(epoch);
  }

  #drop(name: string, room: LocalRoom): void {
    if (this.#rooms.get(name) === room) this.#rooms.delete(name);
    clearInterval(room.presenceTimer);
    this.#flush(room);
    void room.unsubscribe?.();
  }
}
