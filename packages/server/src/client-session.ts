/**
 * One client connection: joins its room with a gap-free replay, validates and posts its
 * comments, and keeps the link alive with heartbeats.
 */
import type { WebSocket } from 'ws';
import {
  CloseCode,
  ErrorCode,
  parseClientMessage,
  type Comment,
  type ErrorMessage,
  type ServerMessage,
  type WelcomeMessage,
} from 'danmaku-layer/protocol.js';
import type { Engine } from './engine.js';
import type { RoomHub, RoomMember } from './room-hub.js';

/** Where a reconnecting client left off: the room epoch and the last `seq` it received. */
export interface Cursor {
  epoch: string;
  seq: number;
}

/** What the upgrade request asked for. */
export interface JoinRequest {
  room: string;
  cursor?: Cursor;
  /** How many recent comments to replay when there is no usable cursor. */
  last: number;
}

/** Settings a session needs from the server. */
export interface SessionSettings {
  engine: Engine;
  hub: RoomHub;
  maxTextLength: number;
  maxPayload: number;
  /** Most comments replayed on recovery or late join. */
  replayLimit: number;
  heartbeatInterval: number;
  /** Called once when the session ends, whatever the reason. */
  onClose?: (session: ClientSession) => void;
  /** Reports an unexpected failure (never a client's bad input). */
  onError?: (error: unknown) => void;
}

const enum Phase {
  /** Subscribed; live comments are held back until the replay has been sent. */
  Joining,
  Live,
  Closed,
}

/**
 * Drives one WebSocket from join to close. Never throws into socket callbacks: failures become
 * `error` messages to the client or reports through `onError`.
 */
export class ClientSession implements RoomMember {
  readonly room: string;
  readonly #ws: WebSocket;
  readonly #settings: SessionSettings;
  #phase = Phase.Joining;
  /** Live comments that arrived while joining. */
  #held: Comment[] = [];
  /** Highest `seq` sent to this client; nothing at or below it is sent again. */
  #sentSeq = 0;
  #alive = true;
  /** Whether this session was added to the room's viewer count (and so must be taken off). */
  #counted = false;
  #heartbeat?: NodeJS.Timeout;

  constructor(ws: WebSocket, request: JoinRequest, settings: SessionSettings) {
    this.room = request.room;
    this.#ws = ws;
    this.#settings = settings;
    ws.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    ws.on('pong', () => (this.#alive = true));
    ws.on('close', () => this.#close());
    ws.on('error', () => this.#close());
    void this.#join(request).catch((error: unknown) => {
      settings.onError?.(error);
      this.#ws.close(1011, 'join failed');
    });
  }

  // A getter, not a field comparison: TypeScript would keep a narrowed phase across awaits.
  get #closed(): boolean {
    return this.#phase === Phase.Closed;
  }

  /** Receives a batch from the room hub. */
  deliver(frame: string, comments: readonly Comment[]): void {
    if (this.#phase === Phase.Joining) {
      this.#held.push(...comments);
      return;
    }
    if (this.#phase !== Phase.Live) return;
    const last = comments[comments.length - 1]!;
    if (comments[0]!.seq > this.#sentSeq) {
      this.#ws.send(frame);
      this.#sentSeq = last.seq;
    } else {
      // Only right after joining can a batch straddle what the replay already sent.
      this.#sendComments(comments.filter((c) => c.seq > this.#sentSeq));
    }
  }

  /**
   * The room's sequence could not be continued (a shared engine lost it): close with "service
   * restart" so the client reconnects with its cursor and is told `recovered: false`.
   */
  reset(): void {
    if (this.#phase === Phase.Closed) return;
    this.#ws.close(CloseCode.ServiceRestart, 'room sequence restarted; reconnect');
  }

  async #join(request: JoinRequest): Promise<void> {
    const { engine, hub, replayLimit } = this.#settings;
    // Subscribe before reading: anything published meanwhile is held, so replay and live meet
    // with no gap; the seq filter removes the overlap.
    await hub.join(request.room, this);
    if (this.#closed) return;
    this.#counted = true;
    await engine.addViewers(request.room, 1);
    const state = await engine.state(request.room);
    let recovered: boolean | undefined;
    let replay: Comment[] = [];
    this.#sentSeq = state.seq;

    const { cursor } = request;
    if (cursor) {
      recovered = false;
      if (cursor.epoch === state.epoch && cursor.seq <= state.seq) {
        const page = await engine.history(request.room, cursor.seq, replayLimit);
        if (page.complete && page.epoch === cursor.epoch) {
          recovered = true;
          replay = page.comments;
          this.#sentSeq = cursor.seq;
        }
      }
    }
    if (!recovered && request.last > 0) {
      const page = await engine.history(request.room, 0, Math.min(request.last, replayLimit));
      replay = page.comments;
    }
    if (this.#closed) return;

    const welcome: WelcomeMessage = {
      type: 'welcome',
      room: request.room,
      epoch: state.epoch,
      seq: state.seq,
      ...(recovered === undefined ? {} : { recovered }),
      limits: { maxTextLength: this.#settings.maxTextLength, maxPayload: this.#settings.maxPayload },
      canSend: true,
      heartbeat: this.#settings.heartbeatInterval,
    };
    this.#send(welcome);
    if (replay.length > 0) this.#send({ type: 'comments', comments: replay, replay: true });
    this.#sentSeq = Math.max(this.#sentSeq, replay.at(-1)?.seq ?? 0, recovered ? 0 : state.seq);

    this.#phase = Phase.Live;
    const held = this.#held.filter((c) => c.seq > this.#sentSeq);
    this.#held = [];
    this.#sendComments(held);
    this.#startHeartbeat();
  }

  #onMessage(data: unknown, isBinary: boolean): void {
    if (this.#phase === Phase.Closed) return;
    if (isBinary) {
      this.#sendError({ code: ErrorCode.BadJson, message: 'Binary frames are not accepted; send JSON text.' });
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    const parsed = parseClientMessage(text, { maxTextLength: this.#settings.maxTextLength });
    if (!parsed.ok) {
      this.#sendError(parsed.error);
      return;
    }
    const message = parsed.value;
    if (message.type === 'auth') {
      // Without authentication configured there is nothing to check; accept it silently.
      return;
    }
    const { type: _type, ...comment } = message;
    this.#settings.engine.publish(this.room, comment).then(
      ({ comment: stored }) => this.#send({ type: 'ack', id: stored.id, seq: stored.seq }),
      (error: unknown) => {
        this.#settings.onError?.(error);
        this.#sendError({ code: ErrorCode.Internal, message: 'The comment could not be stored; retry.', id: message.id });
      },
    );
  }

  #sendComments(comments: Comment[]): void {
    if (comments.length === 0) return;
    this.#send({ type: 'comments', comments });
    this.#sentSeq = comments[comments.length - 1]!.seq;
  }

  #sendError(error: Omit<ErrorMessage, 'type'>): void {
    this.#send({ type: 'error', ...error });
  }

  #send(message: ServerMessage): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(message));
  }

  #startHeartbeat(): void {
    const interval = this.#settings.heartbeatInterval;
    if (interval <= 0) return;
    this.#heartbeat = setInterval(() => {
      if (!this.#alive) {
        // No pong since the last ping: the peer is gone without a close frame.
        this.#ws.terminate();
        return;
      }
      this.#alive = false;
      this.#ws.ping();
      this.#send({ type: 'heartbeat', ts: Date.now() });
    }, interval);
    this.#heartbeat.unref();
  }

  #close(): void {
    if (this.#phase === Phase.Closed) return;
    this.#phase = Phase.Closed;
    clearInterval(this.#heartbeat);
    this.#settings.hub.leave(this.room, this);
    if (this.#counted) void this.#settings.engine.addViewers(this.room, -1).catch(() => {});
    this.#settings.onClose?.(this);
  }
}
