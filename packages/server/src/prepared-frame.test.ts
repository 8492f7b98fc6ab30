/**
 * Prepared frames rely on how the installed ws behaves, beyond its API: these tests fail when it
 * changes. The bytes must be what `ws.send()` writes; ws must write its own frames to the socket
 * as it sends them, so that bytes written beside it keep their place; and `bufferedAmount` must
 * count what waits in the socket, or the slow-consumer cap would not see prepared frames.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { DIRECT_WRITES, PreparedFrame, sendPrepared } from './prepared-frame.js';

interface Accepted {
  ws: WebSocket;
  socket: Duplex;
  client: WebSocket;
  received: string[];
}

/** A server-side WebSocket with no extension (as the server makes them), its socket, and its client. */
async function accept(t: TestContext): Promise<Accepted> {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: false });
  const http = createServer();
  const accepted = new Promise<{ ws: WebSocket; socket: Duplex }>((resolve) => {
    http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      wss.handleUpgrade(req, socket, head, (ws) => resolve({ ws, socket })),
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const client = new WebSocket(`ws://127.0.0.1:${(http.address() as AddressInfo).port}`);
  const received: string[] = [];
  client.on('message', (data) => received.push(String(data)));
  await new Promise((resolve) => client.once('open', resolve));
  const { ws, socket } = await accepted;
  t.after(async () => {
    client.terminate();
    ws.terminate();
    await new Promise((resolve) => http.close(resolve));
  });
  return { ws, socket, client, received };
}

/** The bytes `send` writes to `socket`, all together. */
function bytesWritten(socket: Duplex, send: () => void): Buffer {
  const written: Buffer[] = [];
  const write = socket.write.bind(socket);
  socket.write = ((chunk: Buffer | string, ...rest: never[]) => {
    written.push(Buffer.from(chunk));
    return write(chunk, ...rest);
  }) as typeof socket.write;
  try {
    send();
  } finally {
    socket.write = write;
  }
  return Buffer.concat(written);
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

test('the installed ws frames text as RFC 6455 says: frames are written directly', () => {
  assert.equal(DIRECT_WRITES, true);
});

test('a prepared frame is byte for byte what ws.send writes, at every length encoding', async (t) => {
  const { ws, socket } = await accept(t);
  // 7-bit, 16-bit and 64-bit payload lengths, and text that is longer in UTF-8 than in UTF-16.
  for (const text of ['{"type":"heartbeat"}', 'é'.repeat(100), `{"a":"${'x'.repeat(70_000)}"}`]) {
    assert.deepEqual(
      bytesWritten(socket, () => ws.send(text)),
      new PreparedFrame(text).bytes,
    );
  }
});

test('prepared frames keep their place among what ws sends, pings included', async (t) => {
  const { ws, socket, client, received } = await accept(t);
  let pongs = 0;
  client.on('ping', () => pongs++);
  ws.send('1');
  sendPrepared(ws, socket, new PreparedFrame('2'));
  ws.ping();
  const shared = new PreparedFrame('3');
  sendPrepared(ws, socket, shared);
  ws.send('4');
  sendPrepared(ws, socket, shared);
  await until(() => received.length === 5);
  assert.deepEqual(received, ['1', '2', '3', '4', '3']);
  assert.equal(pongs, 1);
});

test("bufferedAmount counts prepared bytes that wait in the socket (the slow-consumer cap's input)", async (t) => {
  const { ws, socket } = await accept(t);
  const frame = new PreparedFrame('x'.repeat(1000));
  socket.cork();
  const before = ws.bufferedAmount;
  sendPrepared(ws, socket, frame);
  assert.equal(ws.bufferedAmount - before, frame.bytes.length);
  socket.uncork();
});

test('a frame with a ping is the bytes of ws.ping() then of ws.send(), and the client answers the ping', async (t) => {
  const { ws, socket, received } = await accept(t);
  const written = bytesWritten(socket, () => {
    ws.ping();
    ws.send('{"type":"heartbeat","ts":1}');
  });
  const frame = new PreparedFrame('{"type":"heartbeat","ts":1}', { ping: true });
  assert.deepEqual(frame.bytes, written);
  let pongs = 0;
  ws.on('pong', () => pongs++);
  sendPrepared(ws, socket, frame);
  await until(() => received.length === 2 && pongs === 2);
  assert.deepEqual(received, ['{"type":"heartbeat","ts":1}', '{"type":"heartbeat","ts":1}']);
});
