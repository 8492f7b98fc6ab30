/**
 * The sending half of a connection: sends and moderation requests that wait for the server's
 * acknowledgement, their timeouts, and the bounded queue that holds them while offline. A module of
 * its own, loaded on a connection's first send or request: a layer that only shows comments never
 * sends one.
 */
import {
  ErrorCode,
  type CommentMode,
  type CommentSize,
  type ModerationMessage,
  type SendMessage,
} from '../protocol.js';
import { ConnectionStatus } from './connection-status.js';
import { DanmakuError } from './danmaku-error.js';
import { randomId } from './random-id.js';

/** What a caller may give `send`. */
export interface SendOptions {
  color?: string;
  mode?: CommentMode;
  size?: CommentSize;
  /** Media time in seconds, for time-coded comments. */
  time?: number;
}

/** The server's acknowledgement of a send. */
export interface SendReceipt {
  /** The client-generated id the comment was sent with. */
  id: string;
  /** The `seq` the server assigned. */
  seq: number;
}

/** Why a send fails once the connection is closed for good. */
const CLOSED = 'The connection is closed.';

/** A moderation request as a caller gives it: the outbox adds its `id`. */
export type ModerationRequest = ModerationMessage extends infer M ? (M extends unknown ? Omit<M, 'id'> : never) : never;

interface PendingSend {
  message: SendMessage | ModerationMessage;
  resolve(receipt: SendReceipt): void;
  reject(error: DanmakuError): void;
  timer?: ReturnType<typeof setTimeout>;
  /**
   * A moderation request: sent at most once (a retraction or report sent again after a dropped link
   * could be refused as already done), and its clock runs from the call, online or not.
   */
  once?: boolean;
  sent?: boolean;
}

/**
 * The sends of one connection, from `send` to the server's `ack` (or error, or timeout). They go
 * out while `status()` is `open`; the connection calls {@link Outbox.flush} when it (re)opens,
 * {@link Outbox.hold} when it drops and {@link Outbox.close} when it closes for good.
 */
export class Outbox {
  readonly #status: () => ConnectionStatus;
  readonly #write: (data: string) => void;
  readonly #ackTimeout: number;
  readonly #pending = new Map<string, PendingSend>();
  /** Ids of recent sends, to recognise one's own comments when they come back. */
  readonly #sentIds = new Set<string>();

  /** `write` puts a frame on the wire; `ackTimeout` is the longest wait for an acknowledgement, ms. */
  constructor(status: () => ConnectionStatus, write: (data: string) => void, ackTimeout: number) {
    this.#status = status;
    this.#write = write;
    this.#ackTimeout = ackTimeout;
  }

  /** Sends not yet acknowledged. */
  get size(): number {
    return this.#pending.size;
  }

  /** Whether `id` was sent from here. */
  isOwn(id: string): boolean {
    return this.#pending.has(id) || this.#sentIds.has(id);
  }

  /** Queues a comment, and sends it now if the connection is open. */
  send(text: string, options: SendOptions): Promise<SendReceipt> {
    if (this.#status() === ConnectionStatus.Closed) return Promise.reject(new DanmakuError(ErrorCode.Closed, CLOSED));
    return this.#queue({ type: 'send', id: randomId(), text, ...options }, false);
  }

  /**
   * Sends a moderation request; resolves when the server acknowledges it. Unlike a comment it is
   * never sent twice: offline it waits at most the acknowledgement timeout, and when the link drops
   * after it went out it rejects with `timeout` (the server may or may not have carried it out).
   */
  request(request: ModerationRequest): Promise<void> {
    if (this.#status() === ConnectionStatus.Closed) return Promise.reject(new DanmakuError(ErrorCode.Closed, CLOSED));
    return this.#queue({ ...request, id: randomId() }, true).then(() => undefined);
  }

  #queue(message: SendMessage | ModerationMessage, once: boolean): Promise<SendReceipt> {
    return new Promise<SendReceipt>((resolve, reject) => {
      const pending: PendingSend = { message, resolve, reject, once };
      this.#pending.set(message.id, pending);
      if (once) pending.timer = this.#timeout(message.id);
      if (this.#status() === ConnectionStatus.Open) this.#transmit(pending);
    });
  }

  /** Sends everything not yet acknowledged (again), oldest first; the server drops repeats. */
  flush(): void {
    for (const pending of this.#pending.values()) if (!pending.sent || !pending.once) this.#transmit(pending);
  }

  /**
   * The link dropped: unacknowledged sends stop their clocks until the next {@link flush}; a
   * moderation request already sent fails with `timeout`, as its answer can no longer come.
   */
  hold(): void {
    for (const [id, pending] of this.#pending) {
      if (!pending.once) clearTimeout(pending.timer);
      else if (pending.sent)
        this.settle(
          id,
          new DanmakuError(
            ErrorCode.Timeout,
            'The connection dropped before the server answered; it may have been done.',
          ),
        );
    }
  }

  /** Rejects every send with `closed`. */
  close(): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new DanmakuError(ErrorCode.Closed, CLOSED));
    }
    this.#pending.clear();
  }

  /**
   * Settles the send `id`: resolves it with the `seq` the server assigned, or rejects it with an
   * error. Returns whether such a send was waiting.
   */
  settle(id: string | undefined, result: number | DanmakuError): boolean {
    const pending = this.#pending.get(id!);
    if (!pending) return false;
    this.#pending.delete(id!);
    clearTimeout(pending.timer);
    if (typeof result === 'number') pending.resolve({ id: id!, seq: result });
    else pending.reject(result);
    return true;
  }

  #timeout(id: string): ReturnType<typeof setTimeout> {
    return setTimeout(
      () => this.settle(id, new DanmakuError(ErrorCode.Timeout, 'No acknowledgement in time.')),
      this.#ackTimeout,
    );
  }

  #transmit(pending: PendingSend): void {
    const { id, type } = pending.message;
    pending.sent = true;
    if (!pending.once) {
      clearTimeout(pending.timer);
      pending.timer = this.#timeout(id);
    }
    if (type === 'send') this.#sentIds.add(id);
    // Remember only recent ids: enough to outline one's own comments as they fly by.
    if (this.#sentIds.size > 200) this.#sentIds.delete(this.#sentIds.values().next().value!);
    this.#write(JSON.stringify(pending.message));
  }
}
