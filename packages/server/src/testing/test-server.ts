/**
 * An in-process server for one test: listens on a free loopback port, opens protocol clients,
 * and closes them and itself when the test ends.
 */
import { createDanmakuServer, type DanmakuServer } from '../server.js';
import type { DanmakuServerOptions } from '../options.js';
import { TestClient } from './client.js';

/** What a test needs from node:test's context. */
export interface TestContext {
  after(fn: () => unknown): void;
}

/** A server started by {@link startTestServer}. */
export interface TestServer {
  danmaku: DanmakuServer;
  /** `http://127.0.0.1:PORT` */
  http: string;
  /** `ws://127.0.0.1:PORT/ws` */
  ws: string;
  /** Opens a client with `query` (e.g. `room=a`) and resolves once it is welcomed. */
  connect(query: string): Promise<TestClient>;
  /** Opens a client and resolves once the socket is open, before any message. */
  open(query: string): Promise<TestClient>;
}

/** Starts a server with a short flush interval and no logs, unless `options` say otherwise. */
export async function startTestServer(t: TestContext, options: DanmakuServerOptions = {}): Promise<TestServer> {
  const danmaku = await createDanmakuServer({ flushInterval: 5, logLevel: 'silent', ...options });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  const ws = `ws://127.0.0.1:${port}/ws`;
  const clients: TestClient[] = [];
  t.after(async () => {
    for (const c of clients) c.close();
    await danmaku.close();
  });
  return {
    danmaku,
    http: `http://127.0.0.1:${port}`,
    ws,
    async connect(query) {
      const client = await TestClient.connect(ws, query);
      clients.push(client);
      return client;
    },
    async open(query) {
      const client = new TestClient(`${ws}?${query}`);
      clients.push(client);
      await client.opened();
      return client;
    },
  };
}
