/**
 * The widget's link to a danmaku server: reconnects with jittered backoff, resumes from its
 * cursor, drops comments it already has, and turns sends into acknowledged promises (through
 * `outbox.ts`, fetched on the first send).
 * No DOM: it only needs a WebSocket implementation, so it is tested on its own.
 */
import ReconnectingWebSocket, { type Options as RwsOptions } from 'reconnecting-websocket';
import {
  CloseCode,
  ErrorCode,
  PROTOCOL,
  parseServerMessage,
  type Comment,
  type Role,
  type WelcomeMessage,
} from '../protocol.js';
import type { ModerationRequest, Outbox, SendOptions, SendReceipt } from './outbox.js';
import { ConnectionStatus } from './connection-status.js';
import { DanmakuError, type DanmakuErrorCode } from './danmaku-error.js';
import { loadOutbox } from './load-outbox.js';

/** Callbacks a connection reports through. */
export interface ConnectionEvents {
  status(status: ConnectionStatus): void;
  /** New comments, never one already delivered. `replay` marks history sent on join. */
  comments(comments: Comment[], replay: boolean): void;
  /** The server could not resume from the cursor: comments may have been missed. */
  reset(welcome: WelcomeMessage): void;
  welcome(welcome: WelcomeMessage): void;
  /** An error the server reported that answers no particular send. */
  error(error: DanmakuError): void;
  /**
   * Comments were taken back (`retract`: the `seqs` given), or the room was cleared (`clear`: every
   * comment up to `seqs[0]`, `clear` is `true`). Remove them wherever they are shown or kept.
   */
  retract?(seqs: number[], clear: boolean): void;
  /** The room's viewer count, from the server's `welcome` and `presence` messages. */
  presence?(viewers: number): void;
  /** The room's slow mode changed: one comment per `interval` seconds per user; `0` is off. */
  slowMode?(interval: number): void;
}

/** Options of {@link DanmakuConnection}. */
export interface ConnectionOptions {
  /**
   * WebSocket endpoint, e.g. `wss://example.com/ws`. A relative URL (`/ws`) or an `http(s):` URL is
   * resolved against the page and turned into `ws(s):`. Other query parameters are kept.
   */
  url: string;
  room: string;
  /** Recent comments to ask for when joining without a cursor. Default `0`. */
  last?: number;
  /** Longest wait for an acknowledgement once a send is on the wire, in ms. Default `10000`. */
  ackTimeout?: number;
  /** Most sends waiting (offline or unacknowledged) at once. Default `20`. */
  queueLimit?: number;
  /** Base of the reconnection backoff, in ms; each client draws its own within ±50%. Default `1000`. */
  reconnectDelay?: number;
  /** Cap of the reconnection backoff, in ms. Default `10000`. */
  maxReconnectDelay?: number;
  /**
   * Credentials for a server that requires authentication: a JWT, or a function that returns one
   * (called before every connection, so an expired token can be refreshed). Sent as the first
   * message, never in the URL, where proxies would log it. Default: none.
   */
  token?: string | (() => string | Promise<string>);
  /** WebSocket implementation, for non-browser use. Default: the global `WebSocket`. */
  WebSocket?: typeof WebSocket;
}

/** What the server said about the room and this connection's place in it (`welcome`, then updates). */
export interface RoomState {
  /** The role the token grants: moderation requests are allowed. */
  role?: Role;
  /** Seconds an author may retract their own comment; `0`: never. */
  retractWindow: number;
  /** Seconds between two comments of one user; `0`: off. */
  slowMode: number;
  /** Viewers in the room, once the server has said. */
  viewers?: number;
}

/** A count from the server, or `fallback` when it is not one (a broken server must not break the page). */
const count = <T>(value: unknown, fallback: T): number | T =>
  typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? value : fallback;

/** How many heartbeat intervals of silence mean the link is dead. */
const SILENCE_FACTOR = 2.5;

/**
 * One room's connection.
 *
 * @example
 * const link = new DanmakuConnection({ url: 'ws://localhost:8080/ws', room: 'lobby' }, events);
 * const { seq } = await link.send('hello');
 */
export class DanmakuConnection {
  readonly #options: Required<Omit<ConnectionOptions, 'WebSocket' | 'token'>> &
    Pick<ConnectionOptions, 'WebSocket' | 'token'>;
  readonly #events: ConnectionEvents;
  readonly #socket: ReconnectingWebSocket;
  /** The sends and their acknowledgements; loaded on the first send. */
  #outbox?: Outbox;
  /** Sends made while the outbox loads: they already count in {@link queued}. */
  #waiting = 0;
  #status: ConnectionStatus = ConnectionStatus.Connecting;
  /** Room epoch of the comments we hold. */
  #epoch?: string;
  /** Highest `seq` seen: the resume cursor. */
  #seq = 0;
  /** Comments at or below this `seq` are duplicates. Below the cursor only while a late-join replay arrives. */
  #floor = 0;
  #silence?: ReturnType<typeof setTimeout>;
  /** Code of the last error reported on the current connection. */
  #reported?: DanmakuErrorCode;
  #silenceLimit = 0;
  /** The room's state as the server told it: empty until the first `welcome`. */
  room: RoomState = { retractWindow: 0, slowMode: 0 };

  constructor(options: ConnectionOptions, events: ConnectionEvents) {
    const base = options.reconnectDelay ?? 1000;
    this.#options = {
      last: 0,
      ackTimeout: 10_000,
      queueLimit: 20,
      reconnectDelay: base,
      maxReconnectDelay: 10_000,
      ...options,
    };
    this.#events = events;
    const rwsOptions: RwsOptions = {
      // Each client draws its own first delay, so a restarted server sees reconnects spread over
      // a window instead of every client in the same millisecond.
      minReconnectionDelay: base * (0.5 + Math.random()),
      maxReconnectionDelay: this.#options.maxReconnectDelay,
      reconnectionDelayGrowFactor: 1.5 + Math.random() * 0.5,
      connectionTimeout: 5000,
      ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
    };
    this.#socket = new ReconnectingWebSocket(() => this.#url(), [PROTOCOL], rwsOptions);
    this.#socket.addEventListener('message', (event) => this.#onMessage(event.data));
    this.#socket.addEventListener('open', () => void this.#authenticate());
    this.#socket.addEventListener('close', (event) => this.#onClose(event.code, event.reason));
    this.#socket.addEventListener('error', () => this.#onDisconnect());
    this.#setStatus(ConnectionStatus.Connecting);
  }

  /** Current state. */
  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Sends waiting for an acknowledgement, including those queued while offline. */
  get queued(): number {
    return this.#waiting + (this.#outbox?.size ?? 0);
  }

  /** The resume cursor: room epoch and last `seq` received. */
  get cursor(): { epoch: string | undefined; seq: number } {
    return { epoch: this.#epoch, seq: this.#seq };
  }

  /** Whether `id` was sent from this connection (to mark a viewer's own comments). */
  isOwn(id: string): boolean {
    return !!this.#outbox?.isOwn(id);
  }

  /**
   * Sends a comment. Resolves when the server acknowledges it; rejects with a {@link DanmakuError}.
   * While offline, the send waits in a bounded queue and goes out on reconnect; a resend after a
   * reconnect carries the same id, so the server posts it once.
   */
  send(text: string, options: SendOptions = {}): Promise<SendReceipt> {
    return this.#withOutbox((outbox) => outbox.send(text, options));
  }

  /**
   * Sends a moderation request (`retract`, `report`, `mute`, `unmute`, `slow_mode`, `clear`; the
   * request `id` is added). Resolves when the server acknowledges it; rejects with a
   * {@link DanmakuError} (`forbidden`, `not_found`, …). It counts in the same bounded queue as
   * sends, but is never sent twice: offline it waits at most `ackTimeout`.
   *
   * @example
   * await link.request({ type: 'retract', seq: 42 });
   */
  request(request: ModerationRequest): Promise<void> {
    return this.#withOutbox((outbox) => outbox.request(request));
  }

  /** Runs `use` with the outbox, fetched on first use, within the queue limit. */
  #withOutbox<T>(use: (outbox: Outbox) => Promise<T>): Promise<T> {
    // Once closed, the outbox refuses every send with `closed`.
    if (this.#status !== ConnectionStatus.Closed && this.queued >= this.#options.queueLimit) {
      return Promise.reject(new DanmakuError(ErrorCode.QueueFull, 'Too many comments waiting to be sent.'));
    }
    this.#waiting++;
    return loadOutbox().then(
      ({ Outbox }) => {
        this.#waiting--;
        this.#outbox ??= new Outbox(
          () => this.#status,
          (data) => this.#socket.send(data),
          this.#options.ackTimeout,
        );
        return use(this.#outbox);
      },
      (error: DanmakuError) => {
        // The next send tries again; the page hears of it even if nobody awaits this send.
        this.#waiting--;
        this.#events.error(error);
        throw error;
      },
    );
  }

  /** Reconnects now (e.g. after the page comes back online). */
  reconnect(): void {
    if (this.#status !== ConnectionStatus.Closed) this.#socket.reconnect();
  }

  /** Closes for good: pending sends reject with `closed`. Safe to call twice. */
  close(): void {
    if (this.#status === ConnectionStatus.Closed) return;
    this.#setStatus(ConnectionStatus.Closed);
    clearTimeout(this.#silence);
    this.#socket.close(1000);
    this.#outbox?.close();
  }

  #url(): string {
    // A relative or http(s) URL names the page's own server: `src="/ws"` just works.
    const url = new URL(this.#options.url, globalThis.location?.href);
    if (url.protocol === 'http:' || url.protocol === 'https:')
      url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('room', this.#options.room);
    if (this.#epoch !== undefined) {
      url.searchParams.set('epoch', this.#epoch);
      url.searchParams.set('seq', String(this.#seq));
    }
    if (this.#options.last > 0) url.searchParams.set('last', String(this.#options.last));
    return url.href;
  }

  #onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    this.#watchSilence();
    const message = parseServerMessage(data);
    if (!message) return;
    switch (message.type) {
      case 'welcome':
        this.#onWelcome(message);
        break;
      case 'comments':
        this.#onComments(message.comments, message.replay === true);
        break;
      case 'ack':
        this.#outbox?.settle(message.id, message.seq ?? 0);
        break;
      case 'error': {
        const error = new DanmakuError(message.code, message.message, message.retryAfter);
        if (!this.#outbox?.settle(message.id, error)) this.#report(error);
        break;
      }
      case 'retract':
        this.#events.retract?.(message.seqs, false);
        break;
      case 'clear':
        this.#events.retract?.([message.seq], true);
        break;
      case 'presence':
        this.#presence(message.viewers);
        break;
      case 'slow_mode':
        this.room.slowMode = count(message.interval, 0);
        this.#events.slowMode?.(this.room.slowMode);
        break;
      default:
        // A heartbeat only proves the link is alive.
        break;
    }
  }

  #onWelcome(welcome: WelcomeMessage): void {
    this.#silenceLimit = welcome.heartbeat > 0 ? welcome.heartbeat * SILENCE_FACTOR : 0;
    this.#watchSilence();
    if (welcome.recovered === true) {
      // Resumed. A cursor at seq 0 may resume into a new epoch: nothing was seen, nothing lost.
      if (welcome.epoch !== this.#epoch) {
        this.#epoch = welcome.epoch;
        this.#seq = this.#floor = 0;
      }
    } else {
      if (this.#epoch !== undefined) this.#events.reset(welcome);
      this.#epoch = welcome.epoch;
      this.#seq = welcome.seq;
      // A late-join replay carries comments up to welcome.seq: let them through once.
      this.#floor = this.#options.last > 0 ? 0 : welcome.seq;
    }
    const { role, retractWindow, slowMode, viewers } = welcome;
    this.room = {
      ...(role === 'moderator' || role === 'admin' ? { role } : {}),
      retractWindow: count(retractWindow, 0),
      slowMode: count(slowMode, 0),
    };
    this.#setStatus(ConnectionStatus.Open);
    this.#events.welcome(welcome);
    if (viewers !== undefined) this.#presence(viewers);
    // Everything not yet acknowledged goes (again) now.
    this.#outbox?.flush();
  }

  #presence(viewers: unknown): void {
    const known = count(viewers, undefined);
    if (known === undefined) return;
    this.room.viewers = known;
    this.#events.presence?.(known);
  }

  #onComments(comments: Comment[], replay: boolean): void {
    const fresh: Comment[] = [];
    for (const comment of comments) {
      if (comment.seq <= this.#floor) continue;
      this.#floor = comment.seq;
      if (comment.seq > this.#seq) this.#seq = comment.seq;
      fresh.push(comment);
    }
    if (fresh.length > 0) this.#events.comments(fresh, replay);
  }

  /** Reports an error that answers no send, remembering its code until the next connection. */
  #report(error: DanmakuError): void {
    this.#reported = error.code;
    this.#events.error(error);
  }

  async #authenticate(): Promise<void> {
    this.#reported = undefined;
    const { token } = this.#options;
    if (token === undefined) return;
    const socket = this.#socket;
    try {
      const value = typeof token === 'function' ? await token() : token;
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify({ type: 'auth', token: value }));
    } catch (error) {
      this.#report(new DanmakuError(ErrorCode.Unauthorized, `Could not get a token: ${String(error)}`));
    }
  }

  #onClose(code: number, reason: string): void {
    // Reconnecting cannot fix a bad room name or refused credentials: stop and say why.
    if (code === CloseCode.BadRoom || code === CloseCode.Unauthorized) {
      const error =
        code === CloseCode.BadRoom
          ? new DanmakuError(ErrorCode.Invalid, `Refused by the server: ${reason || 'invalid room name'}`)
          : new DanmakuError(ErrorCode.Unauthorized, `Refused by the server: ${reason || 'unauthorized'}`);
      this.close();
      // The server usually said why in an `error` message just before closing: report it once.
      if (this.#reported !== error.code) this.#events.error(error);
      return;
    }
    this.#onDisconnect();
  }

  #onDisconnect(): void {
    clearTimeout(this.#silence);
    if (this.#status === ConnectionStatus.Closed) return;
    // Unacknowledged sends stop their clocks: they are resent on the next welcome.
    this.#outbox?.hold();
    this.#setStatus(ConnectionStatus.Connecting);
  }

  #watchSilence(): void {
    clearTimeout(this.#silence);
    if (this.#silenceLimit <= 0 || this.#status === ConnectionStatus.Closed) return;
    this.#silence = setTimeout(() => {
      // Browsers cannot see protocol pings; silence past the server's heartbeat means a dead link.
      this.#socket.reconnect();
    }, this.#silenceLimit);
  }

  #setStatus(status: ConnectionStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    this.#events.status(status);
  }
}
