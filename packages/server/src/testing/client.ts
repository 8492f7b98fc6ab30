/**
 * A small protocol client for tests and benchmarks: a real `ws` socket that collects what the
 * server sends and lets a test wait for a message.
 */
import { WebSocket, type ClientOptions } from 'ws';
import { PROTOCOL, type Comment, type ServerMessage } from 'danmaku-layer-protocol';

/** A connected test client. */
export class TestClient {
  readonly ws: WebSocket;
  readonly messages: ServerMessage[] = [];
  readonly comments: Comment[] = [];
  /** Resolves with the close code and reason once the connection has closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<{ test: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }> = [];
  #counter = 0;

  constructor(url: string, protocols: string[] = [PROTOCOL], options: ClientOptions = {}) {
    this.ws = new WebSocket(url, protocols, options);
    this.ws.on('error', () => {});
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
    );
    this.ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as ServerMessage;
      this.messages.push(message);
      if (message.type === 'comments') this.comments.push(...message.comments);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.test(message)) return true;
        w.resolve(message);
        return false;
      });
    });
  }

  /** Opens a client and waits for the server's `welcome`. */
  static async connect(base: string, query: string, options: ClientOptions = {}): Promise<TestClient> {
    const client = new TestClient(`${base}?${query}`, [PROTOCOL], options);
    await client.next((m) => m.type === 'welcome');
    return client;
  }

  /** Resolves once the socket is open (before any `welcome`, e.g. to authenticate). */
  opened(): Promise<void> {
    if (this.ws.readyState === this.ws.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('close', (code) => reject(new Error(`closed with ${code} before opening`)));
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
  }

  /** Resolves with the first message (already received or future) that passes `test`. */
  next<T extends ServerMessage = ServerMessage>(test: (m: ServerMessage) => boolean, timeout = 5000): Promise<T> {
    const seen = this.messages.find(test);
    if (seen) return Promise.resolve(seen as T);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a message')), timeout);
      this.#waiters.push({
        test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as T);
        },
      });
    });
  }

  /** Waits until `count` comments have arrived. */
  async waitForComments(count: number, timeout = 5000): Promise<Comment[]> {
    const deadline = Date.now() + timeout;
    while (this.comments.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} comments, got ${this.comments.length}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.comments;
  }

  /** Sends a comment with a fresh id (or the given one) and returns that id. */
  sendComment(text: string, extra: Record<string, unknown> = {}): string {
    const id = (extra.id as string | undefined) ?? `t${++this.#counter}-${Math.random().toString(36).slice(2, 8)}`;
    this.ws.send(JSON.stringify({ type: 'send', id, text, ...extra }));
    return id;
  }

  close(): void {
    this.ws.terminate();
  }
}

/**
 * Resolves with the HTTP status of a refused upgrade, or `101` when the upgrade succeeded (the
 * socket is then closed).
 */
export function upgradeStatus(url: string, options: ClientOptions = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, [PROTOCOL], options);
    ws.on('error', () => {});
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => {
      resolve(101);
      ws.terminate();
    });
  });
}
