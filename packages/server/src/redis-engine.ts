/**
 * The Redis engine: rooms shared by every server instance connected to one Redis, so N instances
 * behind a load balancer behave like one server (global order, history, dedupe and viewer count).
 */
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import type { Comment } from 'danmaku-layer-protocol';
import type {
  CommentListener,
  Engine,
  HistoryPage,
  NewComment,
  PublishResult,
  ReadinessListener,
  Removal,
  ResetListener,
  RoomEvent,
  RoomEventListener,
  RoomState,
  StoredComment,
  Unsubscribe,
} from './engine.js';
import { ENGINE_DEFAULTS, newEpoch, type EngineOptions } from './memory-engine.js';
import { RoomFeed, type EventFeedMessage, type FeedMessage, type FeedState } from './room-feed.js';
import {
  CLEAR_SCRIPT,
  EVENTS_SCRIPT,
  FIND_SCRIPT,
  HISTORY_SCRIPT,
  RETRACT_SCRIPT,
  PUBLISH_SCRIPT,
  ROLLBACK_SCRIPT,
  SIGNAL_SCRIPT,
  TOUCH_SCRIPT,
  VIEWERS_SCRIPT,
  roomKeys,
  type RoomKeys,
} from './redis-scripts.js';

/**
 * Options of {@link RedisEngine}: those of every engine (history size and age, dedupe window), plus
 * where Redis is. Comment timestamps and ages use the Redis server's clock (one clock for every
 * instance), so there is no `now` option.
 */
export interface RedisEngineOptions extends Omit<EngineOptions, 'now'> {
  /**
   * Redis URL: `redis://[:password@]host[:port][/db]`, or `rediss://…` for TLS.
   * Default `'redis://127.0.0.1:6379'`.
   */
  url?: string;
  /**
   * Further ioredis options (TLS, username/password, sentinels, `retryStrategy`, …), applied over
   * the engine's own. Default none.
   */
  redis?: RedisOptions;
  /** Prefix of every key and channel, so one Redis can serve several deployments. Must not contain `{` or `}`. Default `'danmaku:'`. */
  prefix?: string;
  /**
   * Interval of the engine's housekeeping, in milliseconds: it refreshes this instance's viewer
   * counts and the TTL of watched rooms, and checks quiet rooms for a missed last comment. An
   * instance silent for three intervals (it died) no longer counts towards viewers. Default `5000`.
   */
  heartbeatInterval?: number;
  /**
   * Longest wait for a Redis reply, in milliseconds: a call that takes longer fails (a sender gets
   * `internal` and may retry), and the engine reports not ready until Redis answers again, so a
   * Redis that hangs (paused, swapping, a network black hole) turns `/readyz` to 503 like one that
   * is down. Default `2000`.
   */
  commandTimeout?: number;
  /** Receives Redis failures (lost connection, failed reads); the engine recovers by itself. Default: ignored. */
  onError?: (error: unknown) => void;
}

/** Defaults of {@link RedisEngineOptions}, on top of {@link ENGINE_DEFAULTS}. */
export const REDIS_ENGINE_DEFAULTS = {
  url: 'redis://127.0.0.1:6379',
  prefix: 'danmaku:',
  heartbeatInterval: 5000,
  commandTimeout: 2000,
} as const;

/** How long a failed catch-up waits before it is tried again, in milliseconds. */
const RETRY_DELAY = 500;

/** The stored-comment scripts, as ioredis commands (EVALSHA, falling back to EVAL after a Redis restart). */
interface ScriptCommands {
  danmakuPublish(...args: Array<string | number>): Promise<[number, string]>;
  danmakuHistory(...args: Array<string | number>): Promise<[string, number, number, number, string[], number]>;
  danmakuViewers(...args: Array<string | number>): Promise<number>;
  danmakuTouch(...args: Array<string | number>): Promise<[string, number, number]>;
  danmakuRollback(...args: Array<string | number>): Promise<string>;
  danmakuFind(...args: Array<string | number>): Promise<[string | null, string | null, number]>;
  danmakuRetract(...args: Array<string | number>): Promise<[number[], string[]]>;
  danmakuClear(...args: Array<string | number>): Promise<[number, number[], string[]]>;
  danmakuSignal(...args: Array<string | number>): Promise<null>;
  danmakuEvents(...args: Array<string | number>): Promise<[number, string[]]>;
}
type ScriptedRedis = Redis & ScriptCommands;

/** A room this instance listens to. */
interface WatchedRoom {
  name: string;
  keys: RoomKeys;
  feed: RoomFeed;
  /** Resolves when the channel is subscribed and the feed has begun. */
  started: Promise<void>;
  closed: boolean;
}

/**
 * Rooms in Redis. Publishing is one Lua script (dedupe, seq, history, PUBLISH), so order and resume
 * cursors are global. Pub/sub is at-most-once, so each instance tracks the last seq it delivered per
 * room and fills any gap from the stored history before going on: listeners still get every comment
 * once, in order. Events (retractions, clears, slow mode) are numbered and logged per room, and
 * missed ones are read from the log the same way. While Redis is unreachable, `ready` is `false`,
 * calls reject, and the engine reconnects and catches up by itself.
 *
 * @example
 * const engine = new RedisEngine({ url: 'redis://127.0.0.1:6379' });
 * const danmaku = await createDanmakuServer({ engine });
 */
export class RedisEngine implements Engine {
  readonly #redis: ScriptedRedis;
  /** Pub/sub needs a connection of its own: a subscribed connection cannot run other commands. */
  readonly #sub: Redis;
  readonly #prefix: string;
  readonly #historySize: number;
  readonly #historyAge: number;
  readonly #dedupeWindow: number;
  readonly #heartbeatInterval: number;
  /** How long a room's keys outlive its last activity, in milliseconds. */
  readonly #roomTtl: number;
  readonly #onError: (error: unknown) => void;
  /** Identifies this instance's share of the viewer counts. */
  readonly #instance = randomBytes(8).toString('hex');
  readonly #rooms = new Map<string, WatchedRoom>();
  readonly #byChannel = new Map<string, WatchedRoom>();
  /** This instance's viewers per room. */
  readonly #viewers = new Map<string, number>();
  readonly #readinessListeners = new Set<ReadinessListener>();
  readonly #timer: NodeJS.Timeout;
  #ready = false;
  /** Set when a call timed out; cleared when Redis answers again. */
  #stalled = false;
  #closing?: Promise<void>;

  constructor(options: RedisEngineOptions = {}) {
    const prefix = options.prefix ?? REDIS_ENGINE_DEFAULTS.prefix;
    if (/[{}]/.test(prefix)) throw new TypeError(`Option "prefix" must not contain "{" or "}"; got ${prefix}.`);
    this.#prefix = prefix;
    this.#historySize = positive('historySize', options.historySize ?? ENGINE_DEFAULTS.historySize);
    this.#historyAge = positive('historyAge', options.historyAge ?? ENGINE_DEFAULTS.historyAge);
    this.#dedupeWindow = positive('dedupeWindow', options.dedupeWindow ?? ENGINE_DEFAULTS.dedupeWindow);
    this.#heartbeatInterval = positive(
      'heartbeatInterval',
      options.heartbeatInterval ?? REDIS_ENGINE_DEFAULTS.heartbeatInterval,
    );
    this.#roomTtl = Math.max(this.#historyAge, this.#dedupeWindow) + 10 * this.#heartbeatInterval;
    this.#onError = options.onError ?? (() => {});

    const redisOptions: RedisOptions = {
      // Fail calls made during an outage (after the current connection attempt) instead of queueing
      // them until Redis returns: a sender gets an `internal` error now, not a late surprise.
      maxRetriesPerRequest: 0,
      commandTimeout: positive('commandTimeout', options.commandTimeout ?? REDIS_ENGINE_DEFAULTS.commandTimeout),
      // Resubscription is done by the engine, which must also catch up on what it missed.
      autoResubscribe: false,
      // RESP2, as Redis has spoken since before 6: pub/sub on its own connection, replies as arrays.
      protocol: 2,
      ...options.redis,
    };
    const url = options.url ?? REDIS_ENGINE_DEFAULTS.url;
    this.#redis = new Redis(url, redisOptions) as ScriptedRedis;
    this.#redis.defineCommand('danmakuPublish', { numberOfKeys: 4, lua: PUBLISH_SCRIPT });
    this.#redis.defineCommand('danmakuHistory', { numberOfKeys: 2, lua: HISTORY_SCRIPT });
    this.#redis.defineCommand('danmakuViewers', { numberOfKeys: 2, lua: VIEWERS_SCRIPT });
    this.#redis.defineCommand('danmakuTouch', { numberOfKeys: 2, lua: TOUCH_SCRIPT });
    this.#redis.defineCommand('danmakuRollback', { numberOfKeys: 1, lua: ROLLBACK_SCRIPT });
    this.#redis.defineCommand('danmakuFind', { numberOfKeys: 3, lua: FIND_SCRIPT });
    this.#redis.defineCommand('danmakuRetract', { numberOfKeys: 4, lua: RETRACT_SCRIPT });
    this.#redis.defineCommand('danmakuClear', { numberOfKeys: 4, lua: CLEAR_SCRIPT });
    this.#redis.defineCommand('danmakuSignal', { numberOfKeys: 2, lua: SIGNAL_SCRIPT });
    this.#redis.defineCommand('danmakuEvents', { numberOfKeys: 2, lua: EVENTS_SCRIPT });
    this.#sub = new Redis(url, redisOptions);

    for (const connection of [this.#redis, this.#sub]) {
      // ioredis reports every failed reconnect attempt as an `error` event; without a listener it logs them.
      connection.on('error', (error: unknown) => this.#failed(error));
      for (const event of ['ready', 'close', 'end', 'reconnecting'])
        connection.on(event, () => this.#updateReadiness());
    }
    this.#sub.on('ready', () => this.#resubscribe());
    this.#sub.on('message', (channel: string, message: string) => this.#onMessage(channel, message));
    this.#timer = setInterval(() => void this.#housekeeping(), this.#heartbeatInterval);
    this.#timer.unref();
  }

  /** Whether both Redis connections (commands and pub/sub) are up. */
  get ready(): boolean {
    return this.#ready;
  }

  onReadiness(listener: ReadinessListener): () => void {
    this.#readinessListeners.add(listener);
    return () => this.#readinessListeners.delete(listener);
  }

  /**
   * Resolves once the engine is ready (both connections up), or rejects after `timeout` ms.
   * Calls work without it; it lets a process report ready only when it can serve.
   */
  whenReady(timeout = 10_000): Promise<void> {
    if (this.#ready) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`Redis was not reachable within ${timeout} ms.`));
      }, timeout);
      const off = this.onReadiness((ready) => {
        if (!ready) return;
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  async publish(room: string, input: NewComment, sender?: string): Promise<PublishResult> {
    const keys = roomKeys(this.#prefix, room);
    const [duplicate, stored] = await this.#redis.danmakuPublish(
      keys.meta,
      keys.history,
      keys.dedupe + input.id,
      keys.senders,
      newEpoch(),
      this.#roomTtl,
      JSON.stringify(input),
      this.#historySize,
      this.#dedupeWindow,
      keys.channel,
      sender ?? '',
    );
    return { comment: JSON.parse(stored) as Comment, duplicate: duplicate === 1 };
  }

  async find(room: string, seq: number): Promise<StoredComment | undefined> {
    const keys = roomKeys(this.#prefix, room);
    const [item, sender, now] = await this.#redis.danmakuFind(keys.meta, keys.history, keys.senders, seq);
    if (!item) return undefined;
    const comment = JSON.parse(item) as Comment & { gone?: 1 };
    if (comment.gone || comment.ts < now - this.#historyAge) return undefined;
    return sender ? { comment, sender } : { comment };
  }

  async retract(room: string, seqs: readonly number[]): Promise<Removal> {
    if (seqs.length === 0) return { seqs: [], ids: [] };
    const [removed, ids] = await this.#redis.danmakuRetract(...this.#removalArgs(room), ...seqs);
    return { seqs: removed, ids };
  }

  async clear(room: string): Promise<Removal & { seq: number }> {
    const [seq, seqs, ids] = await this.#redis.danmakuClear(...this.#removalArgs(room));
    return { seq, seqs, ids };
  }

  /** The keys and arguments the retract and clear scripts begin with (see redis-scripts.ts). */
  #removalArgs(room: string): Array<string | number> {
    const keys = roomKeys(this.#prefix, room);
    return [keys.meta, keys.history, keys.senders, keys.events, keys.channel, this.#roomTtl];
  }

  async signal(room: string, event: RoomEvent): Promise<void> {
    const keys = roomKeys(this.#prefix, room);
    await this.#redis.danmakuSignal(keys.meta, keys.events, keys.channel, this.#roomTtl, JSON.stringify(event));
  }

  async subscribe(
    room: string,
    listener: CommentListener,
    onReset?: ResetListener,
    onEvent?: RoomEventListener,
  ): Promise<Unsubscribe> {
    let watched = this.#rooms.get(room);
    if (!watched) {
      const keys = roomKeys(this.#prefix, room);
      const feed = new RoomFeed(
        {
          history: (after, limit) => this.history(room, after, limit),
          restartIfBehind: async (epoch, last) => {
            await this.#redis.danmakuRollback(keys.meta, epoch, last, newEpoch());
          },
          events: async () => {
            const [events, messages] = await this.#redis.danmakuEvents(keys.meta, keys.events);
            return { events, messages: messages.map((message) => JSON.parse(message) as EventFeedMessage) };
          },
        },
        { historySize: this.#historySize, retryDelay: RETRY_DELAY, onError: (error) => this.#failed(error) },
      );
      const created: WatchedRoom = { name: room, keys, feed, started: Promise.resolve(), closed: false };
      created.started = this.#start(created);
      this.#rooms.set(room, created);
      this.#byChannel.set(keys.channel, created);
      watched = created;
    }
    const target = watched;
    target.feed.listeners.add(listener);
    if (onReset) target.feed.resetListeners.add(onReset);
    // A wrapper of its own, so that one function given to two subscriptions is removed once each.
    const events: RoomEventListener | undefined = onEvent ? (event) => onEvent(event) : undefined;
    if (events) target.feed.eventListeners.add(events);
    let done = false;
    const unsubscribe = async (): Promise<void> => {
      if (done) return;
      done = true;
      target.feed.listeners.delete(listener);
      if (onReset) target.feed.resetListeners.delete(onReset);
      if (events) target.feed.eventListeners.delete(events);
      if (target.feed.listeners.size === 0) await this.#unwatch(target);
    };
    try {
      await target.started;
    } catch (error) {
      await unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  async state(room: string): Promise<RoomState> {
    const { epoch, seq } = await this.#feedState(room);
    return { epoch, seq };
  }

  /** {@link state}, and the number of the room's latest event: where the room's feed begins. */
  async #feedState(room: string): Promise<FeedState> {
    const { epoch, seq, events } = await this.#read(room, Number.MAX_SAFE_INTEGER, 0);
    return { epoch, seq, events };
  }

  async history(room: string, after: number, limit: number): Promise<HistoryPage> {
    const { epoch, seq, comments, complete } = await this.#read(room, after, limit);
    return { epoch, seq, comments, complete };
  }

  /** {@link history}, and the number of the room's latest event (for the room's feed). */
  async #read(room: string, after: number, limit: number): Promise<HistoryPage & FeedState> {
    const keys = roomKeys(this.#prefix, room);
    const [epoch, seq, complete, now, items, events] = await this.#redis.danmakuHistory(
      keys.meta,
      keys.history,
      newEpoch(),
      this.#roomTtl,
      Math.max(0, Math.floor(after)),
      Math.max(0, Math.floor(limit)),
    );
    const cutoff = now - this.#historyAge;
    const fresh = items.map((item) => JSON.parse(item) as Comment & { gone?: 1 }).filter((c) => c.ts >= cutoff);
    // Comments age out oldest first: if one after `after` is gone, the replay has a hole.
    const aged = fresh.length < items.length && after < seq;
    // A removed comment (a tombstone) is no hole: it is simply not replayed.
    const comments: Comment[] = fresh.filter((c) => !c.gone);
    return { epoch, seq, comments, complete: complete === 1 && !aged, events };
  }

  async addViewers(room: string, delta: number): Promise<number> {
    const count = Math.max(0, (this.#viewers.get(room) ?? 0) + delta);
    if (count > 0) this.#viewers.set(room, count);
    else this.#viewers.delete(room);
    // The absolute count is written, not the delta: a lost update is repaired by the next heartbeat.
    return this.#writeViewers(room, count);
  }

  /** Disconnects from Redis after taking this instance's viewers off the counts. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      for (const room of this.#rooms.values()) this.#forget(room);
      if (this.#ready) {
        const rooms = [...this.#viewers.keys()];
        this.#viewers.clear();
        await Promise.all(rooms.map((room) => this.#writeViewers(room, 0).catch(() => {})));
      }
      this.#sub.disconnect();
      this.#redis.disconnect();
      this.#setReady(false);
    })();
    return this.#closing;
  }

  #writeViewers(room: string, count: number): Promise<number> {
    const keys = roomKeys(this.#prefix, room);
    return this.#redis.danmakuViewers(
      keys.viewers,
      keys.viewersSeen,
      this.#instance,
      count,
      3 * this.#heartbeatInterval,
    );
  }

  async #start(room: WatchedRoom): Promise<void> {
    await this.#sub.subscribe(room.keys.channel);
    // Read after subscribing: whatever is published from here on arrives as a message.
    room.feed.begin(await this.#feedState(room.name));
  }

  async #unwatch(room: WatchedRoom): Promise<void> {
    if (room.closed) return;
    this.#forget(room);
    // Issued before any later SUBSCRIBE of the same channel, so a quick re-join is never undone.
    await this.#sub.unsubscribe(room.keys.channel).catch(() => {});
  }

  #forget(room: WatchedRoom): void {
    room.closed = true;
    room.feed.close();
    if (this.#rooms.get(room.name) === room) this.#rooms.delete(room.name);
    if (this.#byChannel.get(room.keys.channel) === room) this.#byChannel.delete(room.keys.channel);
  }

  #onMessage(channel: string, raw: string): void {
    const room = this.#byChannel.get(channel);
    if (!room || room.closed) return;
    try {
      room.feed.receive(JSON.parse(raw) as FeedMessage);
    } catch (error) {
      this.#failed(error);
    }
  }

  /** After the pub/sub connection (re)connects: subscribe every watched room again and fill what was missed. */
  #resubscribe(): void {
    const rooms = [...this.#rooms.values()];
    if (rooms.length === 0) return;
    this.#sub.subscribe(...rooms.map((room) => room.keys.channel)).then(
      () => {
        for (const room of rooms) if (room.feed.begun) room.feed.sync();
      },
      (error: unknown) => this.#failed(error),
    );
  }

  /** Heartbeat: confirms viewer counts, keeps watched rooms alive, spots a missed last comment. */
  async #housekeeping(): Promise<void> {
    if (!this.#connected) return;
    // Connected is not answering: a paused Redis keeps its sockets open. A PING shows which.
    try {
      await this.#redis.ping();
      this.#setStalled(false);
    } catch (error) {
      this.#failed(error);
      return;
    }
    const pipeline = this.#redis.pipeline() as unknown as ScriptCommands & {
      exec(): Promise<Array<[Error | null, unknown]> | null>;
    };
    const viewerRooms = this.#viewers.size;
    for (const [room, count] of this.#viewers) {
      const keys = roomKeys(this.#prefix, room);
      void pipeline.danmakuViewers(keys.viewers, keys.viewersSeen, this.#instance, count, 3 * this.#heartbeatInterval);
    }
    const rooms = [...this.#rooms.values()].filter((room) => room.feed.begun);
    for (const room of rooms) void pipeline.danmakuTouch(room.keys.meta, room.keys.history, newEpoch(), this.#roomTtl);
    let results: Array<[Error | null, unknown]> | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      this.#failed(error);
      return;
    }
    const touched = (results ?? []).slice(viewerRooms);
    rooms.forEach((room, i) => {
      const [error, value] = touched[i] ?? [new Error('no reply'), undefined];
      if (error) return this.#failed(error);
      const [epoch, seq, events] = value as [string, number, number];
      if (!room.closed) room.feed.check({ epoch, seq, events });
    });
  }

  /** Whether both connections are up (which is not yet answering: see `#stalled`). */
  get #connected(): boolean {
    return this.#redis.status === 'ready' && this.#sub.status === 'ready';
  }

  #updateReadiness(): void {
    if (this.#closing) return;
    this.#setReady(this.#connected && !this.#stalled);
  }

  #setStalled(stalled: boolean): void {
    if (stalled === this.#stalled) return;
    this.#stalled = stalled;
    this.#updateReadiness();
  }

  /** Reports a Redis failure; a timed-out call means Redis is not answering: not ready. */
  #failed(error: unknown): void {
    if (error instanceof Error && /timed out/i.test(error.message)) this.#setStalled(true);
    this.#onError(error);
  }

  #setReady(ready: boolean): void {
    if (ready === this.#ready) return;
    this.#ready = ready;
    for (const listener of this.#readinessListeners) {
      try {
        listener(ready);
      } catch (error) {
        this.#onError(error);
      }
    }
  }
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new RangeError(`Option "${name}" must be a positive number; got ${value}.`);
  return value;
}
