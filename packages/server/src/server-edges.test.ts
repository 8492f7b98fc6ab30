import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import type { AckMessage, WelcomeMessage } from 'danmaku-layer-protocol';
import { connectionLimit, openFileLimit } from './connection-limit.js';
import { RedisEngine } from './redis-engine.js';
import { TestClient } from './testing/client.js';
import { TestRedis } from './testing/redis-server.js';
import { startTestServer } from './testing/test-server.js';

let redis: TestRedis;
before(async () => {
  redis = await TestRedis.start();
});
after(() => redis.close());

const unlimited = { rateLimit: 0, ipRateLimit: 0, maxConnectionsPerIp: 0 };

test('the welcome always says `recovered`; a half or malformed cursor is `recovered: false` with no replay, never "from the start"', async (t) => {
  const server = await startTestServer(t, unlimited);
  const writer = await server.connect('room=cursor');
  for (const text of ['one', 'two', 'three']) writer.sendComment(text);
  await writer.waitForComments(3);
  const { epoch } = writer.messages[0] as WelcomeMessage;
  assert.equal((writer.messages[0] as WelcomeMessage).recovered, false, 'no cursor: nothing recovered');

  for (const query of [
    `epoch=${epoch}`,
    'seq=0',
    'seq=2',
    `epoch=${epoch}&seq=`,
    `epoch=${epoch}&seq=abc`,
    `epoch=${epoch}&seq=-1`,
    `epoch=${epoch}&seq=1.5`,
    `epoch=${epoch}&seq=1e1`,
    `epoch=&seq=1`,
    `epoch=${'x'.repeat(65)}&seq=1`,
  ]) {
    const client = await server.connect(`room=cursor&${query}`);
    const welcome = client.messages[0] as WelcomeMessage;
    assert.equal(welcome.type, 'welcome', query);
    assert.equal(welcome.recovered, false, query);
    // Nothing is replayed without `last`: a client told "reset" is not also sent the history.
    writer.sendComment(`after ${query}`);
    const [live] = await client.waitForComments(1);
    assert.match(live.text, /^after /, query);
    assert.equal(client.comments.length, 1, query);
    client.close();
  }

  const resumed = await server.connect(`room=cursor&epoch=${epoch}&seq=1`);
  assert.equal((resumed.messages[0] as WelcomeMessage).recovered, true);
  const invalidWithLast = await server.connect(`room=cursor&epoch=${epoch}&last=2`);
  assert.equal((invalidWithLast.messages[0] as WelcomeMessage).recovered, false);
  assert.equal((await invalidWithLast.waitForComments(2)).length, 2, 'with last=K, the K latest as for any reset');
});

for (const [mode, engine] of [
  ['in memory', () => undefined],
  ['on Redis', () => new RedisEngine({ url: redis.url })],
] as const) {
  test(`${mode}: a comment sent the moment the socket opens is acknowledged after the welcome, never before`, async (t) => {
    const shared = engine();
    t.after(() => shared?.close());
    const server = await startTestServer(t, { ...unlimited, ...(shared ? { engine: shared } : {}) });
    for (let i = 0; i < 20; i++) {
      const client = new TestClient(`${server.ws}?room=fast-${i}`);
      await client.opened();
      const id = client.sendComment(`on open ${i}`);
      await client.next<AckMessage>((m) => m.type === 'ack' && m.id === id);
      const types = client.messages.map((m) => m.type);
      assert.equal(types[0], 'welcome', types.join(','));
      client.close();
    }
  });
}

test(
  '/readyz turns 503 while Redis hangs (paused, sockets open) and 200 once it answers again',
  { timeout: 30_000 },
  async (t) => {
    const engine = new RedisEngine({ url: redis.url, heartbeatInterval: 200, commandTimeout: 300 });
    t.after(() => engine.close());
    const server = await startTestServer(t, { engine });
    await engine.whenReady();
    const readyz = async (): Promise<number> => (await fetch(`${server.http}/readyz`)).status;
    assert.equal(await readyz(), 200);
    redis.pause();
    t.after(() => redis.resume());
    await waitFor(async () => (await readyz()) === 503);
    assert.equal(engine.ready, false);
    // A send meanwhile fails within the command timeout rather than hanging.
    await assert.rejects(
      engine.publish('hang', { id: 'h1', text: 'hello', color: '#ffffff', mode: 'scroll', size: 'medium' }),
      /timed out/,
    );
    redis.resume();
    await waitFor(async () => (await readyz()) === 200);
  },
);

test(
  'a socket that sends nothing, or dribbles its headers, is cut after headersTimeout',
  { timeout: 20_000 },
  async (t) => {
    const server = await startTestServer(t, { headersTimeout: 300, requestTimeout: 300 });
    const port = Number(new URL(server.http).port);
    const silent = await rawSocket(port);
    const dribbling = await rawSocket(port);
    dribbling.write('GET /ws?room=x HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const timer = setInterval(() => dribbling.writable && dribbling.write('X-Slow: 1\r\n'), 50);
    t.after(() => clearInterval(timer));
    await Promise.all([closed(silent), closed(dribbling)]);
    // An honest client still gets in.
    const client = await server.connect('room=honest');
    client.close();
  },
);

test(
  'maxConnections caps the TCP connections the server holds; a freed slot is used again',
  { timeout: 20_000 },
  async (t) => {
    const server = await startTestServer(t, { maxConnections: 3 });
    const port = Number(new URL(server.http).port);
    const held = await Promise.all([rawSocket(port), rawSocket(port), rawSocket(port)]);
    const extra = await rawSocket(port);
    await closed(extra);
    held[0].destroy();
    await waitFor(() => server.danmaku.server.listening);
    await waitFor(async () => {
      const next = await rawSocket(port);
      next.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      const answered = await new Promise<boolean>((resolve) => {
        next.once('data', () => resolve(true));
        next.once('close', () => resolve(false));
      });
      next.destroy();
      return answered;
    });
    for (const socket of held) socket.destroy();
  },
);

test('maxConnections "auto" is the open-file limit less a tenth (at least 64)', async (t) => {
  assert.equal(connectionLimit(1024), 921);
  assert.equal(connectionLimit(100), 36);
  assert.equal(connectionLimit(65536), 58982);
  assert.equal(connectionLimit(undefined), 0);
  const files = openFileLimit();
  assert.ok(files === undefined || files > 0);
  const server = await startTestServer(t, {});
  const expected = connectionLimit(files);
  assert.equal(server.danmaku.server.maxConnections ?? 0, expected);
});

function rawSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', () => {});
    socket.once('close', () => reject(new Error('closed before connecting')));
  });
}

function closed(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  socket.resume();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

async function waitFor(check: () => boolean | Promise<boolean>, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("internalPort needs the server's own HTTP server", async () => {
  const { createServer } = await import('node:http');
  const { createDanmakuServer } = await import('./server.js');
  await assert.rejects(createDanmakuServer({ server: createServer(), internalPort: 0 }), {
    name: 'TypeError',
    message: /internalPort/,
  });
});
