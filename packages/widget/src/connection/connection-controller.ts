/**
 * The layer's connection as a Lit reactive controller: it opens a {@link DanmakuConnection} while
 * its host is on the page and has a `src`, opens a new one when `src`, `room`, `last` or `token`
 * change, and fires the connection's events from the host.
 *
 * The connection's code (`connection.ts` and reconnecting-websocket) is fetched the first time a
 * host has a `src`: a layer used only to show comments given to `add()` or `load()` never needs a
 * socket. Until it arrives the status is `connecting`, and sends wait, counted in `queued`.
 */
import type { ReactiveController, ReactiveControllerHost } from '@lit/reactive-element';
import { DEFAULT_LIMITS, ErrorCode, type Comment, type Limits } from '../protocol.js';
import { emit } from '../events.js';
import { chunk } from '../features/load-chunk.js';
import type { DanmakuConnection, RoomState } from './connection.js';
import { ConnectionStatus } from './connection-status.js';
import { DanmakuError } from './danmaku-error.js';
import type { ModerationRequest, SendOptions, SendReceipt } from './outbox.js';

/** Fetches the connection's code, once for every layer on the page (see load-chunk.ts). */
const loadConnection = chunk(() => import('./connection.js'));

/** A send or request made before the connection's code arrived: what to do with the connection. */
interface EarlySend {
  go: (connection: DanmakuConnection) => Promise<unknown>;
  resolve: (result: unknown) => void;
  reject: (error: DanmakuError) => void;
}

/** The link for one `src`, room, `last` and token: its connection once the code has arrived. */
interface Link {
  connection?: DanmakuConnection;
  /** Why the connection's code could not be loaded; sends reject with it. */
  failure?: DanmakuError;
  /** Sends made while the code loads, oldest first: handed to the connection in that order. */
  readonly early: EarlySend[];
}

/** What the controller reads from its host element. */
export interface ConnectionHost extends ReactiveControllerHost, HTMLElement {
  src: string;
  room: string;
  last: number;
  token?: string | (() => string | Promise<string>);
}

/**
 * Connects `host` to its `src` and room; `show` gets every comment that arrives (after
 * `danmaku-comment` has been fired for it), `own` when this host sent it.
 *
 * @example
 * readonly #link = new ConnectionController(this, (comment, own) => this.add({ ...comment, own }));
 */
export class ConnectionController implements ReactiveController {
  readonly #host: ConnectionHost;
  readonly #show: (comment: Comment, own: boolean) => void;
  #link?: Link;
  /** What the current link was opened for. */
  #key?: string;
  #status: ConnectionStatus = ConnectionStatus.Idle;
  /** The status the last `danmaku-status` carried. */
  #told: ConnectionStatus = ConnectionStatus.Idle;
  /**
   * Set from `hostConnected` until the current task has ended: frameworks (React, Vue) insert an
   * element, then finish mounting the component that holds it, so a status event fired at once
   * would reach a component that is not mounted yet.
   */
  #mounting = false;
  #limits: Limits = { maxTextLength: DEFAULT_LIMITS.maxTextLength, maxPayload: DEFAULT_LIMITS.maxPayload };

  readonly #retract: (seqs: number[], clear: boolean) => void;

  /** The room's state as the server told it; empty until a `welcome`, and again when the link goes. */
  get room(): Partial<RoomState> {
    return this.#link?.connection?.room ?? {};
  }

  /** `retract` hears retractions and clears, after `danmaku-retract` was fired. */
  constructor(
    host: ConnectionHost,
    show: (comment: Comment, own: boolean) => void,
    retract: (seqs: number[], clear: boolean) => void,
  ) {
    this.#host = host;
    this.#show = show;
    this.#retract = retract;
    host.addController(this);
  }

  /** Connection state: `idle` (no `src`), `connecting`, `open` or `closed`. */
  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Sends that wait for the server's acknowledgement, including those queued while offline. */
  get queued(): number {
    const link = this.#link;
    return (link?.early.length ?? 0) + (link?.connection?.queued ?? 0);
  }

  /** Limits the server announced; the protocol's defaults until one has. */
  get limits(): Limits {
    return this.#limits;
  }

  /**
   * Sends a comment; rejects with `closed` when there is no connection (no `src`, or off the page).
   * A send made while the connection's code loads waits for it; when that code could not be loaded,
   * sends reject with the `load_failed` error.
   */
  send(text: string, options: SendOptions = {}): Promise<SendReceipt> {
    return this.#use((connection) => connection.send(text, options));
  }

  /** Sends a moderation request, as {@link send} sends a comment. */
  request(request: ModerationRequest): Promise<void> {
    return this.#use((connection) => connection.request(request));
  }

  #use<T>(go: (connection: DanmakuConnection) => Promise<T>): Promise<T> {
    const link = this.#link;
    if (!link) return Promise.reject(new DanmakuError(ErrorCode.Closed, 'The layer has no src to send to.'));
    if (link.connection) return go(link.connection);
    if (link.failure) return Promise.reject(link.failure);
    return new Promise<T>((resolve, reject) =>
      link.early.push({ go, resolve: resolve as (r: unknown) => void, reject }),
    );
  }

  hostConnected(): void {
    this.#mounting = true;
    setTimeout(() => {
      this.#mounting = false;
      this.#tell();
    });
    this.#connect();
  }

  hostDisconnected(): void {
    this.#disconnect();
  }

  hostUpdated(): void {
    if (this.#host.isConnected && this.#key !== this.#wanted()) {
      this.#disconnect();
      this.#connect();
    }
  }

  /** What a connection is opened for; a change of any part means a new connection. */
  #wanted(): string {
    const { src, room, last, token } = this.#host;
    return JSON.stringify([src, room, last, typeof token === 'string' ? token : !!token]);
  }

  #connect(): void {
    const host = this.#host;
    this.#key = this.#wanted();
    if (this.#link || !host.src) {
      if (!host.src) this.#setStatus(ConnectionStatus.Idle);
      return;
    }
    const link: Link = (this.#link = { early: [] });
    this.#setStatus(ConnectionStatus.Connecting);
    loadConnection().then(
      ({ DanmakuConnection }) => {
        // A link given up (new `src`, off the page) before its code arrived opens nothing.
        if (this.#link === link) this.#open(link, DanmakuConnection);
      },
      (error: DanmakuError) => {
        if (this.#link !== link) return;
        // Nothing to reconnect with: closed until `src`, `room`, `last` or `token` change or the
        // host comes back on the page, which fetch the code again.
        link.failure = error;
        for (const send of link.early.splice(0)) send.reject(error);
        this.#setStatus(ConnectionStatus.Closed);
        emit(host, 'danmaku-error', { error });
      },
    );
  }

  /** Opens the connection of `link`, now that its code has arrived, and hands it the early sends. */
  #open(link: Link, Connection: typeof DanmakuConnection): void {
    const host = this.#host;
    const connection = new Connection(
      { url: host.src, room: host.room, last: host.last, ...(host.token ? { token: host.token } : {}) },
      {
        status: (status) => this.#setStatus(status),
        comments: (comments, replay) => {
          for (const comment of comments) {
            const own = connection.isOwn(comment.id);
            emit(host, 'danmaku-comment', { comment, replay, own });
            this.#show(comment, own);
          }
        },
        reset: (welcome) => emit(host, 'danmaku-reset', { welcome }),
        welcome: ({ limits }) => {
          // Trust only well-formed numbers: a broken welcome must not disable the composer.
          if (limits && Number.isSafeInteger(limits.maxTextLength) && limits.maxTextLength > 0) {
            this.#limits = { maxTextLength: limits.maxTextLength, maxPayload: limits.maxPayload };
          }
        },
        error: (error) => emit(host, 'danmaku-error', { error }),
        retract: (seqs, clear) => {
          emit(host, 'danmaku-retract', { seqs, clear });
          this.#retract(seqs, clear);
        },
        presence: (viewers) => emit(host, 'danmaku-presence', { viewers }),
        slowMode: (interval) => emit(host, 'danmaku-slow-mode', { interval }),
      },
    );
    link.connection = connection;
    this.#setStatus(connection.status);
    // The connection applies its queue limit to them as to any send.
    for (const { go, resolve, reject } of link.early.splice(0)) go(connection).then(resolve, reject);
  }

  #disconnect(): void {
    const link = this.#link;
    this.#key = undefined;
    this.#link = undefined;
    link?.connection?.close();
    // As the connection does with its own pending sends when it closes.
    for (const send of link?.early.splice(0) ?? []) {
      send.reject(new DanmakuError(ErrorCode.Closed, 'The connection is closed.'));
    }
    this.#setStatus(this.#host.src ? ConnectionStatus.Closed : ConnectionStatus.Idle);
  }

  #setStatus(status: ConnectionStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    if (!this.#mounting) this.#tell();
  }

  /** Fires `danmaku-status` if the status changed since it was last told. */
  #tell(): void {
    const status = this.#status;
    if (status === this.#told) return;
    this.#told = status;
    emit(this.#host, 'danmaku-status', { status });
  }
}
