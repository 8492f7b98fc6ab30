/**
 * A small protocol client for tests and benchmarks: a real `ws` socket that collects what the
 * server sends and lets a test wait for a message.
 */
import { WebSocket } from 'ws';
import { PROTOCOL, type Comment, type ServerMessage } from 'danmaku-layer/protocol.js';

/** A connected test client. */
export class TestClient {
  readonly ws: WebSocket;
  readonly messages: ServerMessage[] = [];
  readonly comments: Comment[] = [];
  #waiters: Array<{ test: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }> = [];
  #counter = 0;

  constructor(url: string, protocols: string[] = [PROTOCOL]) {
    this.ws = new WebSocket(url, protocols);
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
  static async connect(base: string, query: string): Promise<TestClient> {
    const client = new TestClient(`${base}?${query}`);
    await client.next((m) => m.type === 'welcome');
    return client;
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
