/**
 * One client connection: authenticates it when required, joins its room with a gap-free replay,
 * checks and posts its comments, keeps the link alive and cuts it when it stops reading.
 */
import type { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';
import {
  CloseCode,
  ErrorCode,
  normalizeAuthor,
  parseClientMessage,
  type Comment,
  type ErrorMessage,
  type ModerationMessage,
  type ServerMessage,
  type ValidClientMessage,
  type ValidSendMessage,
  type WelcomeMessage,
} from 'danmaku-layer-protocol';
import { AuthError, mayJoin, type Authenticator, type Identity } from './auth.js';
import type { IpEntry } from './client-ips.js';
import type { Engine, NewComment, RoomEvent } from './engine.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Moderator, Verdict } from './moderation.js';
import { TokenBucket, takeAll } from './rate-limit.js';
import { senderKey, type ModerationFailure, type ModerationService } from './moderation/service.js';
import { sendPrepared, type PreparedFrame } from './prepared-frame.js';
import type { RoomHub, RoomMember, RoomNotice } from './room-hub.js';

/** Where a reconnecting client left off: the room epoch and the last `seq` it received. */
export interface Cursor {
  epoch: string;
  seq: number;
}

/** What the upgrade request asked for. */
export interface JoinRequest {
  room: string;
  /** The resume cursor; `'invalid'` when the URL named one that could not be read (answered with `recovered: false`). */
  cursor?: Cursor | 'invalid';
  /** How many recent comments to replay when there is no usable cursor. */
  last: number;
}

/** Settings a session needs from the server (shared by every session). */
export interface SessionSettings {
  engine: Engine;
  hub: RoomHub;
  maxTextLength: number;
  maxPayload: number;
  /** Most comments replayed on recovery or late join. */
  replayLimit: number;
  heartbeatInterval: number;
  /** Comments per second and burst of each connection's own bucket. */
  rateLimit: number;
  rateBurst: number;
  /** Most rooms with local members; `0` = no limit. */
  maxRooms: number;
  /** Bytes that may wait to be sent before the client is closed as a slow consumer. */
  maxBufferedAmount: number;
  /** Invalid frames per second, and at once, before the connection is closed with 1008. */
  invalidFrameRate?: number;
  invalidFrameBurst?: number;
  /** Present when every connection must authenticate first. */
  authenticate?: Authenticator;
  authTimeout: number;
  /** Anonymous connections may not send. */
  readOnly: boolean;
  moderate: Moderator;
  /** Moderation after the fact: requests from sockets, and the per-send mute and slow-mode check. */
  moderation: ModerationService;
  metrics: Metrics;
  logger: Logger;
  /** Slows the address down after one of its connections spent its invalid-frame budget. */
  penalize?: (address: IpEntry) => void;
  /** Called once when the session ends, whatever the reason, with the session's address entry. */
  onClose?: (session: ClientSession, address: IpEntry) => void;
  /** Called once the session's socket has closed (after `onClose`, or at the same time). */
  onSocketClose?: (session: ClientSession, address: IpEntry) => void;
}

/** A session's state while it authenticates and joins (see `ClientSession`); dropped once live. */
interface JoiningState {
  /** The join request, kept until the token has been checked. */
  request?: JoinRequest;
  /** The authentication deadline. */
  timer?: NodeJS.Timeout;
  /** Live comments that arrived while joining. */
  comments?: Comment[];
  /** Room events that arrived while joining: they apply to the replay too, and follow it. */
  events?: Array<{ frame: PreparedFrame; event: RoomEvent }>;
  /** Replies (`ack`, `error`) to messages sent before `welcome` went out: they follow it. */
  replies?: ServerMessage[];
}

/** A connection's own buckets, each created on first use: most connections never need them. */
interface Budgets {
  /** Comments (see {@link SessionSettings.rateLimit}). */
  rate?: TokenBucket;
  /** Invalid frames (see {@link SessionSettings.invalidFrameBurst}). */
  invalid?: TokenBucket;
  /** Reports and author retractions: each costs the store a lookup. */
  requests?: TokenBucket;
}

const enum Phase {
  /** Waiting for the `auth` message (only when auth is required). */
  Authenticating,
  /** Subscribed; live comments are held back until the replay has been sent. */
  Joining,
  Live,
  Closed,
}

/** The bits of `ClientSession`'s state that hold its {@link Phase}, and its two flags above them. */
const PHASE_BITS = 0b0011;
const ALIVE = 0b0100;
const COUNTED = 0b1000;

/**
 * The server's WebSockets (ws's `WebSocket` option): each knows its session, so that one set of
 * listeners serves every connection. A field declared here sits inside the object; a property
 * added to a plain `WebSocket` afterwards would cost each connection a separate property store.
 */
export class SessionSocket extends WebSocket {
  /** The session this socket carries; unset for a socket refused before it had one. */
  session?: ClientSession = undefined;
}

/**
 * Drives one WebSocket from join to close. Never throws into socket callbacks: failures become
 * `error` messages to the client or log entries.
 *
 * Kept small on purpose, since a server holds tens of thousands of them mostly idle: the settings
 * object and the socket listeners are shared by every session, buckets and hold queues are created
 * on first use, and the heartbeat is one server-wide timer calling {@link beat}.
 */
export class ClientSession implements RoomMember {
  readonly room: string;
  readonly ip: string;
  readonly #ws: WebSocket;
  /** The upgraded socket under `#ws`: corked around writes that go out together. */
  readonly #socket: Duplex;
  readonly #settings: SessionSettings;
  /** The address's entry: its shared comment and new-room buckets, its limit key. */
  readonly #address: IpEntry;
  /** What only authentication and joining need; dropped once live. */
  #joining?: JoiningState = {};
  /** This connection's buckets, created on first use. */
  #budgets?: Budgets;
  /**
   * The phase in the low bits, then {@link ALIVE} and {@link COUNTED}: one field rather than three,
   * read through the accessors below (a process holds tens of thousands of sessions).
   */
  #state = ALIVE;
  #identity?: Identity;
  /** Highest `seq` sent to this client; nothing at or below it is sent again. */
  #sentSeq = 0;
  /** The epoch this connection was welcomed into; unset until then. */
  #epoch?: string;

  get #phase(): Phase {
    return this.#state & PHASE_BITS;
  }

  set #phase(phase: Phase) {
    this.#state = (this.#state & ~PHASE_BITS) | phase;
  }

  /** The client answered the last heartbeat's ping (or none was sent yet). */
  get #alive(): boolean {
    return (this.#state & ALIVE) !== 0;
  }

  set #alive(alive: boolean) {
    this.#state = alive ? this.#state | ALIVE : this.#state & ~ALIVE;
  }

  /** This session was added to the room's viewer count (and so must be taken off). */
  get #counted(): boolean {
    return (this.#state & COUNTED) !== 0;
  }

  set #counted(counted: boolean) {
    this.#state = counted ? this.#state | COUNTED : this.#state & ~COUNTED;
  }

  /**
   * @param ws the accepted WebSocket
   * @param socket the socket `ws` runs on (the one of the upgrade request)
   * @param request what the upgrade URL asked for
   * @param ip the client's full address (for logs and the moderation hook)
   * @param address the entry of the client's address in the per-address limits
   * @param settings the server's settings, one object shared by every session
   */
  constructor(
    ws: SessionSocket,
    socket: Duplex,
    request: JoinRequest,
    ip: string,
    address: IpEntry,
    settings: SessionSettings,
  ) {
    // The hub's copy of the name when the room is open here: one string for all its members.
    this.room = settings.hub.nameOf(request.room);
    this.ip = ip;
    this.#ws = ws;
    this.#socket = socket;
    this.#settings = settings;
    this.#address = address;
    ws.session = this;
    ws.on('message', ClientSession.#onSocketMessage);
    ws.on('pong', ClientSession.#onSocketPong);
    ws.on('close', ClientSession.#onSocketClose);
    ws.on('error', ClientSession.#onSocketError);
    if (settings.authenticate) {
      this.#phase = Phase.Authenticating;
      this.#joining!.timer = setTimeout(() => {
        this.#sendError({
          code: ErrorCode.Unauthorized,
          message: 'Authentication timed out: the first message must be "auth", within the time allowed.',
        });
        this.#refuse(CloseCode.Unauthorized, 'auth_timeout', 'authentication timed out');
      }, settings.authTimeout);
      this.#joining!.request = request;
    } else {
      this.#phase = Phase.Joining;
      this.#startJoin(request);
    }
  }

  // Listeners shared by every session's socket (`this` is the socket): one function each, not a
  // closure per connection.
  static #onSocketMessage(this: SessionSocket, data: RawData, isBinary: boolean): void {
    const session = this.session;
    if (session) session.#onMessage(data, isBinary);
  }

  static #onSocketPong(this: SessionSocket): void {
    const session = this.session;
    if (session) session.#alive = true;
  }

  static #onSocketError(this: SessionSocket): void {
    const session = this.session;
    if (session) session.#close();
  }

  static #onSocketClose(this: SessionSocket): void {
    const session = this.session;
    if (!session) return;
    session.#close();
    session.#settings.onSocketClose?.(session, session.#address);
  }

  // A getter, not a field comparison: TypeScript would keep a narrowed phase across awaits.
  get #closed(): boolean {
    return this.#phase === Phase.Closed;
  }

  /** Whether this connection may post comments. */
  get canSend(): boolean {
    return this.#identity ? this.#identity.canSend : !this.#settings.readOnly;
  }

  /** Bytes queued for this client and not yet handed to the network. */
  get bufferedAmount(): number {
    return this.#ws.bufferedAmount;
  }

  /**
   * Receives a batch from the room hub; says whether it was sent or dropped (the hub counts them),
   * or nothing when it is held for after the replay, or counted here.
   */
  deliver(frame: PreparedFrame, comments: readonly Comment[]): boolean | void {
    if (this.#phase === Phase.Joining) {
      (this.#joining!.comments ??= []).push(...comments);
      return;
    }
    if (this.#phase !== Phase.Live) return false;
    if (comments[0].seq > this.#sentSeq) {
      this.#sentSeq = comments[comments.length - 1].seq;
      return this.#sendFrame(frame);
    }
    // Only right after joining can a batch straddle what the replay already sent.
    this.#sendComments(comments.filter((c) => c.seq > this.#sentSeq));
  }

  /** Receives a room event or presence from the room hub. */
  notify(frame: PreparedFrame, notice: RoomNotice): void {
    if (this.#phase === Phase.Joining) {
      // The viewer count in `welcome` is read after joining; a count from before it is stale.
      if (notice.type !== 'presence') (this.#joining!.events ??= []).push({ frame, event: notice });
      return;
    }
    if (this.#phase === Phase.Live) this.#sendFrame(frame);
  }

  /** Closes the connection with `code` (e.g. on shutdown). */
  close(code: number, reason: string): void {
    this.#ws.close(code, reason);
  }

  /** Cuts the connection at once, without a close handshake. */
  terminate(): void {
    this.#ws.terminate();
  }

  #startJoin(request: JoinRequest): void {
    // Never synchronously from the constructor: `onClose` must not run before the server has
    // registered the session.
    void Promise.resolve(request)
      .then((r) => this.#join(r))
      .catch((error: unknown) => {
        this.#settings.logger.error({ err: error, room: this.room }, 'join failed');
        this.#ws.close(1011, 'join failed');
      });
  }

  /**
   * The room's sequence could not be continued (a shared engine lost it): close with "service
   * restart" so the client reconnects with its cursor and is told `recovered: false`.
   */
  reset(epoch?: string): void {
    if (this.#phase === Phase.Closed) return;
    // Welcomed into the new sequence already (it joined after the store restarted, before this
    // instance noticed): nothing was lost, and what the feed replays is filtered by seq.
    if (epoch !== undefined && epoch === this.#epoch) return;
    this.#ws.close(CloseCode.ServiceRestart, 'room sequence restarted; reconnect');
  }

  async #join(request: JoinRequest): Promise<void> {
    const { engine, hub, replayLimit, maxRooms } = this.#settings;
    if (!mayJoin(this.#identity, request.room)) {
      // Sent now: this connection will never get a `welcome` to wait for.
      this.#sendError({ code: ErrorCode.Forbidden, message: 'The token does not allow this room.' }, true);
      this.#refuse(CloseCode.Unauthorized, 'room_forbidden', 'room not allowed');
      return;
    }
    if (maxRooms > 0 && !hub.has(request.room) && hub.roomCount >= maxRooms) {
      this.#refuse(CloseCode.TooManyRooms, 'room_limit', 'too many rooms on this server');
      return;
    }
    // Opening a room costs the server a subscription and, in memory, the room itself: an address
    // opens them at a bounded rate, so one client cannot fill `maxRooms` for everyone.
    const rooms = this.#address.roomBucket;
    if (!hub.has(request.room)) {
      if (rooms.wait() > 0) {
        this.#refuse(CloseCode.TooManyRooms, 'new_room_rate', 'too many new rooms from this address; retry later');
        return;
      }
      rooms.take();
    }
    // Subscribe before reading: anything published meanwhile is held, so replay and live meet
    // with no gap; the seq filter removes the overlap.
    await hub.join(request.room, this);
    if (this.#closed) return;
    this.#counted = true;
    const viewers = await engine.addViewers(request.room, 1);
    hub.welcomed(request.room, viewers);
    const state = await engine.state(request.room);
    const slowMode = await this.#settings.moderation.slowModeOf(request.room);
    // Always said, so a client never has to guess: `true` only for a cursor honoured in full.
    let recovered = false;
    let replay: Comment[] = [];
    this.#sentSeq = state.seq;

    const { cursor } = request;
    if (cursor && cursor !== 'invalid') {
      // A client that saw nothing (seq 0) lost nothing: any epoch will do, replay from the start.
      if ((cursor.epoch === state.epoch || cursor.seq === 0) && cursor.seq <= state.seq) {
        const page = await engine.history(request.room, cursor.seq, replayLimit);
        if (page.complete && (page.epoch === cursor.epoch || cursor.seq === 0)) {
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

    this.#epoch = state.epoch;
    const welcome: WelcomeMessage = {
      type: 'welcome',
      room: request.room,
      epoch: state.epoch,
      seq: state.seq,
      recovered,
      limits: { maxTextLength: this.#settings.maxTextLength, maxPayload: this.#settings.maxPayload },
      canSend: this.canSend,
      heartbeat: this.#settings.heartbeatInterval,
      ...(this.#identity?.role ? { role: this.#identity.role } : {}),
      retractWindow: this.#settings.moderation.retractWindow,
      slowMode,
      viewers,
    };
    // Retractions and clears that came while joining apply to what the history read returned.
    // Everything held while joining goes out now, after `welcome`, and is not held any more.
    const joining = this.#joining ?? {};
    this.#joining = undefined;
    const events = joining.events ?? [];
    const gone = removedBy(events.map((e) => e.event));
    if (gone) replay = replay.filter((c) => !gone(c.seq));
    this.#send(welcome);
    if (replay.length > 0) this.#send({ type: 'comments', comments: replay, replay: true });
    this.#sentSeq = Math.max(this.#sentSeq, replay.at(-1)?.seq ?? 0, recovered ? 0 : state.seq);

    this.#phase = Phase.Live;
    const held = joining.comments?.filter((c) => c.seq > this.#sentSeq && !gone?.(c.seq));
    if (held) this.#sendComments(held);
    for (const { frame } of events) this.#sendFrame(frame);
    for (const reply of joining.replies ?? []) this.#send(reply);
  }

  #onMessage(data: unknown, isBinary: boolean): void {
    if (this.#closed) return;
    if (isBinary) {
      if (this.#spendInvalid())
        this.#sendError({ code: ErrorCode.BadJson, message: 'Binary frames are not accepted; send JSON text.' });
      return;
    }
    const text = Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    const parsed = parseClientMessage(text, { maxTextLength: this.#settings.maxTextLength });
    if (this.#phase === Phase.Authenticating) {
      if (this.#joining?.request || this.#spendInvalid()) this.#authenticate(parsed.ok ? parsed.value : undefined);
      return;
    }
    if (!parsed.ok) {
      if (this.#spendInvalid()) this.#sendError(parsed.error);
      return;
    }
    const message = parsed.value;
    // Already authenticated, or nothing to authenticate: a (re)sent token changes nothing.
    if (message.type === 'auth') return;
    if (message.type !== 'send') {
      this.#moderate(message);
      return;
    }
    this.#post(message);
  }

  #authenticate(message: ValidClientMessage | undefined): void {
    const request = this.#joining?.request;
    if (!request) {
      // A second message while the token is being checked: the client did not wait for `welcome`.
      this.#sendError({ code: ErrorCode.Unauthorized, message: 'Wait for "welcome" before sending.' });
      return;
    }
    this.#joining!.request = undefined;
    if (message?.type !== 'auth') {
      this.#sendError({
        code: ErrorCode.Unauthorized,
        message: 'Authentication required: the first message must be "auth".',
      });
      this.#refuse(CloseCode.Unauthorized, 'auth_missing', 'authentication required');
      return;
    }
    this.#settings.authenticate!(message.token).then(
      (identity) => {
        if (this.#closed) return;
        clearTimeout(this.#joining?.timer);
        // Token claims are broadcast with every comment: they get the same sanitiser as text.
        const user = normalizeAuthor(identity.user);
        if (!user) {
          this.#sendError({ code: ErrorCode.Unauthorized, message: 'The token\'s "sub" has no visible character.' });
          this.#refuse(CloseCode.Unauthorized, 'auth_failed', 'authentication failed');
          return;
        }
        this.#identity = { ...identity, user };
        this.#phase = Phase.Joining;
        this.#startJoin(request);
      },
      (error: unknown) => {
        if (this.#closed) return;
        const reason = error instanceof AuthError ? error.message : 'The token could not be checked.';
        if (!(error instanceof AuthError)) this.#settings.logger.error({ err: error }, 'token verification failed');
        this.#sendError({ code: ErrorCode.Unauthorized, message: reason });
        this.#refuse(CloseCode.Unauthorized, 'auth_failed', 'authentication failed');
      },
    );
  }

  #post(message: ValidSendMessage): void {
    const { metrics } = this.#settings;
    const { id } = message;
    if (!this.canSend) {
      if (this.#spendInvalid())
        this.#sendError({ code: ErrorCode.Forbidden, message: 'This connection may only read.', id });
      return;
    }
    const { rateLimit, rateBurst } = this.#settings;
    const budgets = (this.#budgets ??= {});
    const wait = takeAll([(budgets.rate ??= new TokenBucket(rateLimit, rateBurst)), this.#address.bucket]);
    if (wait > 0) {
      metrics.rateLimited.inc();
      this.#sendError({ code: ErrorCode.RateLimited, message: 'Too many comments; slow down.', id, retryAfter: wait });
      return;
    }
    this.#settings.moderation.checkSend(this.room, this.#senderKey(), this.#identity?.role !== undefined).then(
      (check) => {
        if (this.#closed) return;
        if (check.ok) {
          this.#check(message);
        } else if (check.reason === 'muted') {
          this.#sendError({
            code: ErrorCode.Forbidden,
            message: 'You are muted here for now.',
            id,
            retryAfter: check.retryAfter,
          });
        } else {
          metrics.rateLimited.inc();
          this.#sendError({
            code: ErrorCode.RateLimited,
            message: 'Slow mode is on: wait before sending again.',
            id,
            retryAfter: check.retryAfter,
          });
        }
      },
      (error: unknown) => {
        this.#settings.logger.error({ err: error, room: this.room }, 'send check failed');
        this.#sendError({ code: ErrorCode.Internal, message: 'The comment could not be checked; retry.', id });
      },
    );
  }

  /** Runs the blocklist and the moderation hook, then posts. */
  #check(message: ValidSendMessage): void {
    const { metrics } = this.#settings;
    const { id } = message;
    const { type: _type, ...fields } = message;
    const comment: NewComment = this.#identity ? { ...fields, user: this.#identity.user } : fields;
    const context = { room: this.room, ip: this.ip, ...(this.#identity ? { user: this.#identity.user } : {}) };
    let verdict: Verdict | Promise<Verdict>;
    try {
      verdict = this.#settings.moderate(comment, context);
    } catch (error) {
      verdict = Promise.reject(error);
    }
    const publish = (v: Verdict): void => {
      if (!v.ok) {
        metrics.rejected.inc();
        this.#sendError({ code: ErrorCode.Rejected, message: 'The comment was not accepted.', id });
        return;
      }
      this.#publish({ ...comment, text: v.text });
    };
    if (verdict instanceof Promise) {
      verdict.then(publish, (error: unknown) => {
        this.#settings.logger.error({ err: error, room: this.room }, 'moderation hook failed');
        this.#sendError({ code: ErrorCode.Internal, message: 'The comment could not be checked; retry.', id });
      });
    } else {
      publish(verdict);
    }
  }

  #publish(comment: NewComment): void {
    this.#settings.engine.publish(this.room, comment, this.#senderKey()).then(
      ({ comment: stored, duplicate }) => {
        if (!duplicate) this.#settings.metrics.commentsIn.inc();
        this.#reply({ type: 'ack', id: stored.id, seq: stored.seq });
      },
      (error: unknown) => {
        this.#settings.logger.error({ err: error, room: this.room }, 'publish failed');
        this.#sendError({
          code: ErrorCode.Internal,
          message: 'The comment could not be stored; retry.',
          id: comment.id,
        });
      },
    );
  }

  /** Answers a moderation request with `ack` or `error`, by its id. */
  #moderate(message: ModerationMessage): void {
    const { moderation } = this.#settings;
    const { id } = message;
    const role = this.#identity?.role;
    const actor = role ? this.#identity!.user.id : 'author';
    let action: Promise<{ ok: true; seq?: number } | ModerationFailure>;
    if (message.type === 'report' || (message.type === 'retract' && !role)) {
      // Open to every viewer: bounded per connection, as each costs the store a lookup.
      const requests = ((this.#budgets ??= {}).requests ??= new TokenBucket(REQUEST_RATE, REQUEST_BURST));
      const wait = requests.wait();
      if (wait > 0) {
        this.#settings.metrics.rateLimited.inc();
        this.#sendError({
          code: ErrorCode.RateLimited,
          message: 'Too many requests; slow down.',
          id,
          retryAfter: wait,
        });
        return;
      }
      requests.take();
      action =
        message.type === 'report'
          ? moderation.report(this.room, message.seq, this.#senderKey(), message.reason)
          : moderation.retract(this.room, message.seq, actor, this.#senderKey());
    } else if (!role) {
      // A client that keeps asking for what it may not do spends its invalid-frame budget.
      if (this.#spendInvalid())
        this.#sendError({ code: ErrorCode.Forbidden, message: 'Only moderators may do this.', id });
      return;
    } else {
      switch (message.type) {
        case 'retract':
          action = moderation.retract(this.room, message.seq, actor);
          break;
        case 'mute':
          action = moderation.mute(
            this.room,
            message.user !== undefined ? { user: message.user } : { seq: message.seq! },
            message.duration,
            actor,
            message.everywhere,
          );
          break;
        case 'unmute':
          action = moderation.unmute(
            this.room,
            message.user !== undefined ? { user: message.user } : { seq: message.seq! },
            actor,
            message.everywhere,
          );
          break;
        case 'slow_mode':
          action = moderation.slowMode(this.room, message.interval, actor);
          break;
        default:
          action = moderation.clear(this.room, actor);
      }
    }
    action.then(
      (result) => {
        if (result.ok) {
          this.#reply(message.type === 'retract' ? { type: 'ack', id, seq: message.seq } : { type: 'ack', id });
        } else {
          this.#sendError({
            code: result.code,
            message: result.message,
            id,
            ...(result.code === 'rate_limited' ? { retryAfter: result.retryAfter } : {}),
          });
        }
      },
      (error: unknown) => {
        this.#settings.logger.error({ err: error, room: this.room, action: message.type }, 'moderation failed');
        this.#sendError({ code: ErrorCode.Internal, message: 'The request failed; retry.', id });
      },
    );
  }

  #sendComments(comments: Comment[]): void {
    if (comments.length === 0) return;
    if (this.#send({ type: 'comments', comments })) this.#settings.metrics.commentsOut.inc(comments.length);
    else this.#settings.metrics.dropped.inc(comments.length);
    this.#sentSeq = comments[comments.length - 1].seq;
  }

  /** Sends an error reply; `now` skips waiting for `welcome` (for a connection about to be refused). */
  #sendError(error: Omit<ErrorMessage, 'type'>, now = false): void {
    this.#settings.metrics.errors.inc({ code: error.code });
    if (now) this.#send({ type: 'error', ...error });
    else this.#reply({ type: 'error', ...error });
  }

  /**
   * Sends a reply to a client message, after `welcome`: a client that sends at once on open (it
   * may) must still see `welcome` first, however fast its comment is stored.
   */
  #reply(message: ServerMessage): void {
    if (this.#phase === Phase.Joining) (this.#joining!.replies ??= []).push(message);
    else this.#send(message);
  }

  #send(message: ServerMessage): boolean {
    return this.#sendFrame(JSON.stringify(message));
  }

  /**
   * Queues one frame, unless the client is closing. A client that lets more than
   * `maxBufferedAmount` bytes pile up (a stalled tab, a phone on a bad link) is cut off: its
   * buffer would otherwise grow with every comment in the room. It resumes from its cursor on
   * reconnect, so it loses nothing it can still use.
   */
  #sendFrame(frame: string | PreparedFrame): boolean {
    if (this.#ws.readyState !== this.#ws.OPEN) return false;
    // What is already queued is compared, not queued + this frame: a replay larger than the cap
    // still goes out to a client that keeps up.
    if (this.#ws.bufferedAmount > this.#settings.maxBufferedAmount) {
      this.#settings.metrics.refused.inc({ reason: 'slow_consumer' });
      this.#settings.logger.info(
        { room: this.room, ip: this.ip, buffered: this.#ws.bufferedAmount },
        'closing slow consumer',
      );
      this.#ws.close(CloseCode.SlowConsumer, 'slow consumer');
      this.#cutIfStalled();
      this.#close();
      return false;
    }
    if (typeof frame === 'string') this.#ws.send(frame);
    else sendPrepared(this.#ws, this.#socket, frame);
    return true;
  }

  /**
   * After a slow consumer's close, nothing more is queued for it and the close frame waits behind
   * what already was (at most `maxBufferedAmount` plus one frame): a client that reads again within
   * {@link SLOW_CONSUMER_LIMIT} reaches it and sees 4002. Past that, it is cut at the socket, the
   * backlog is freed, and a client that reads later finds the connection gone without a close
   * frame (1006). Progress cannot be told from here (the kernel's buffers hide it), hence one bound.
   */
  #cutIfStalled(): void {
    const ws = this.#ws;
    const timer = setTimeout(() => ws.terminate(), SLOW_CONSUMER_LIMIT);
    timer.unref();
    ws.once('close', () => clearTimeout(timer));
  }

  /**
   * Takes one token of the invalid-frame budget. Past it, every error reply would be work done for
   * nothing: the connection is closed with 1008 (policy violation), stops being read, and its
   * address is refused new connections for a while. Returns whether the frame may be answered.
   */
  #spendInvalid(): boolean {
    const { invalidFrameRate, invalidFrameBurst } = this.#settings;
    const invalid = ((this.#budgets ??= {}).invalid ??= new TokenBucket(invalidFrameRate ?? 0, invalidFrameBurst ?? 1));
    if (invalid.wait() === 0) {
      invalid.take();
      return true;
    }
    this.#settings.penalize?.(this.#address);
    this.#refuse(CloseCode.PolicyViolation, 'invalid_frames', 'too many invalid frames');
    // Frames already on the way are not parsed; one that never answers the close is cut.
    this.#ws.pause();
    setTimeout(() => this.#ws.terminate(), INVALID_FRAME_GRACE).unref();
    return false;
  }

  /** Closes with an application code after counting and logging the reason. */
  #refuse(code: number, reason: string, text: string): void {
    this.#settings.metrics.refused.inc({ reason });
    this.#settings.logger.debug({ room: this.room, ip: this.ip, reason }, 'connection refused');
    this.#ws.close(code, text);
    this.#close();
  }

  /**
   * One heartbeat round, called by the server's heartbeat timer with the round's `heartbeat`
   * message (encoded once for every connection). A live connection that has not answered the last
   * round's ping is gone without a close frame: it is cut. Otherwise it gets the ping and the
   * message, framed together (one write).
   */
  beat(frame: PreparedFrame): void {
    if (this.#phase !== Phase.Live) return;
    if (!this.#alive) {
      this.#ws.terminate();
      return;
    }
    this.#alive = false;
    this.#sendFrame(frame);
  }

  /** Who this connection is for mutes, slow mode and authorship (see `senderKey`). */
  #senderKey(): string {
    return senderKey(this.#identity?.user, this.#address.ip);
  }

  #close(): void {
    if (this.#phase === Phase.Closed) return;
    this.#phase = Phase.Closed;
    clearTimeout(this.#joining?.timer);
    this.#joining = undefined;
    this.#settings.hub.leave(this.room, this);
    if (this.#counted) void this.#settings.engine.addViewers(this.room, -1).catch(() => {});
    this.#settings.onClose?.(this, this.#address);
  }
}

/** Reports and author retractions per second one connection may make, and at once. */
const REQUEST_RATE = 0.2;
const REQUEST_BURST = 5;

/** Which seqs a list of room events removed, or `undefined` when none did. */
function removedBy(events: readonly RoomEvent[]): ((seq: number) => boolean) | undefined {
  const seqs = new Set<number>();
  let clearedTo = 0;
  for (const event of events) {
    if (event.type === 'retract') for (const seq of event.seqs) seqs.add(seq);
    else if (event.type === 'clear') clearedTo = Math.max(clearedTo, event.seq);
  }
  if (seqs.size === 0 && clearedTo === 0) return undefined;
  return (seq) => seq <= clearedTo || seqs.has(seq);
}

/** Longest a slow consumer's close frame may wait behind its backlog before the socket is cut, in ms. */
const SLOW_CONSUMER_LIMIT = 30_000;

/** How long a connection closed for invalid frames may take to answer the close before it is cut, in ms. */
const INVALID_FRAME_GRACE = 1_000;
