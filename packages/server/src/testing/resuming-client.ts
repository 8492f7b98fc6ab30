/**
 * A protocol client that behaves like the widget's connection for tests over several server
 * instances: it reconnects (to the next instance) with its `{epoch, seq}` cursor, and resends
 * unacknowledged comments with their original ids.
 */
import { WebSocket } from 'ws';
import { PROTOCOL, type Comment, type ServerMessage, type WelcomeMessage } from 'danmaku-layer-protocol';

/** Options of {@link ResumingClient}. */
export interface ResumingClientOptions {
  /** The room to join. */
  room: string;
  /** WebSocket URLs to use; `pick(attempt)` chooses one per (re)connection. */
  pick: (attempt: number) => string;
  /** Delay before reconnecting, in milliseconds. Default `20`. */
  reconnectDelay?: number;
}

/** A client that survives the loss of its server instance. */
export class ResumingClient {
  /** Every `welcome` received, in order. */
  readonly welcomes: WelcomeMessage[] = [];
  /** Every comment received, in arrival order, tagged with the epoch of the connection it came on. */
  readonly received: Array<Comment & { epoch: string }> = [];
  /** Error messages received. */
  readonly errors: Array<Extract<ServerMessage, { type: 'error' }>> = [];
  /** Close codes of the connections that ended. */
  readonly closeCodes: number[] = [];
  /** Ids sent and not yet acknowledged, with their text: resent after a reconnect. */
  readonly unacked = new Map<string, string>();
  /** Acknowledged ids → seq. */
  readonly acks = new Map<string, number>();
  readonly #options: Required<ResumingClientOptions>;
  #ws?: WebSocket;
  #attempt = 0;
  #epoch?: string;
  #seq = 0;
  #live = false;
  #stopped = false;
  #counter = 0;

  constructor(options: ResumingClientOptions) {
    this.#options = { reconnectDelay: 20, ...options };
  }

  /** Connects and resolves on the first `welcome`. */
  async start(): Promise<void> {
    this.#open();
    await this.until(() => this.welcomes.length > 0, 'welcome');
  }

  /** Whether the current connection has been welcomed. */
  get live(): boolean {
    return this.#live;
  }

  /** The epoch of the current (or last) connection. */
  get epoch(): string | undefined {
    return this.#epoch;
  }

  /** Sends a comment now, or after the next welcome when offline; returns its id. */
  send(text: string, id = `${Math.random().toString(36).slice(2, 8)}-${++this.#counter}`): string {
    this.unacked.set(id, text);
    if (this.#live) this.#ws!.send(JSON.stringify({ type: 'send', id, text }));
    return id;
  }

  /** Polls until `condition` holds. */
  async until(condition: () => boolean, what: string, timeout = 15_000): Promise<void> {
    const deadline = Date.now() + timeout;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Stops for good. */
  stop(): void {
    this.#stopped = true;
    this.#ws?.terminate();
  }

  #open(): void {
    const cursor = this.#epoch ? `&epoch=${this.#epoch}&seq=${this.#seq}` : '';
    const url = `${this.#options.pick(this.#attempt++)}?room=${this.#options.room}${cursor}`;
    const ws = new WebSocket(url, [PROTOCOL]);
    this.#ws = ws;
    ws.on('message', (data) => this.#onMessage(JSON.parse(String(data)) as ServerMessage));
    ws.on('error', () => {});
    ws.on('close', (code) => {
      this.#live = false;
      this.closeCodes.push(code);
      if (!this.#stopped) setTimeout(() => this.#open(), this.#options.reconnectDelay);
    });
  }

  #onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'welcome':
        this.welcomes.push(message);
        // Without a recovery, the client's view restarts at the room's current position.
        if (message.recovered !== true) this.#seq = message.seq;
        this.#epoch = message.epoch;
        this.#live = true;
        for (const [id, text] of this.unacked) this.#ws!.send(JSON.stringify({ type: 'send', id, text }));
        break;
      case 'comments':
        for (const comment of message.comments) {
          this.received.push({ ...comment, epoch: this.#epoch! });
          this.#seq = Math.max(this.#seq, comment.seq);
        }
        break;
      case 'ack':
        this.unacked.delete(message.id);
        this.acks.set(message.id, message.seq ?? 0);
        break;
      case 'error':
        this.errors.push(message);
        if (message.id) this.unacked.delete(message.id);
        break;
      default:
        break;
    }
  }
}
