import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AckMessage, Comment, WelcomeMessage } from 'danmaku-layer-protocol';
import { MemoryEngine } from './memory-engine.js';
import { createDanmakuServer } from './server.js';
import { TestClient } from './testing/client.js';

const CAP = 64 * 1024;

test('a reader that stops reading is closed with 4002 and catches up by resuming', async (t) => {
  const engine = new MemoryEngine({ historySize: 50_000 });
  const danmaku = await createDanmakuServer({
    engine,
    maxBufferedAmount: CAP,
    maxTextLength: 2000,
    maxPayload: 8192,
    replayLimit: 50_000,
    rateLimit: 0,
    ipRateLimit: 0,
    flushInterval: 0,
    logLevel: 'silent',
  });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  const base = `ws://127.0.0.1:${port}/ws`;
  const sender = await TestClient.connect(base, 'room=slow');
  const viewer = await TestClient.connect(base, 'room=slow');
  const stalled = await TestClient.connect(base, 'room=slow');
  const clients = [sender, viewer, stalled];
  t.after(async () => {
    for (const c of clients) c.close();
    await danmaku.close();
    await engine.close();
  });
  const epoch = (await stalled.next<WelcomeMessage>((m) => m.type === 'welcome')).epoch;
  // Stop reading at the TCP level, as a frozen tab or a phone in a tunnel does.
  const socket = (stalled.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  socket.pause();

  const text = 'x'.repeat(1900);
  let sent = 0;
  let maxBuffered = 0;
  while (danmaku.connections === 3 && sent < 40_000) {
    const ids = Array.from({ length: 50 }, () => sender.sendComment(text));
    sent += ids.length;
    await sender.next<AckMessage>((m) => m.type === 'ack' && m.id === ids.at(-1));
    const metrics = await danmaku.metrics.registry.getSingleMetricAsString('danmaku_buffered_bytes');
    maxBuffered = Math.max(maxBuffered, Number(/ (\d+)$/m.exec(metrics)?.[1]));
  }
  assert.equal(danmaku.connections, 2, `still connected after ${sent} comments`);
  // Memory held for the stalled reader stayed near the cap (plus one frame), not the backlog.
  assert.ok(maxBuffered <= CAP + 3 * 4096, `buffered ${maxBuffered} bytes`);

  socket.resume();
  assert.equal((await stalled.closed).code, 4002);
  const seen = stalled.comments;
  const lastSeq = seen.at(-1)?.seq ?? 0;
  assert.ok(lastSeq < sent, 'the stalled reader missed comments');

  // Everyone else received everything.
  await viewer.waitForComments(sent, 20_000);
  assert.deepEqual(
    viewer.comments.map((c) => c.seq),
    Array.from({ length: sent }, (_, i) => i + 1),
  );

  // Reconnecting with its cursor, it gets exactly what it missed.
  const back = await TestClient.connect(base, `room=slow&epoch=${epoch}&seq=${lastSeq}`);
  clients.push(back);
  assert.equal((await back.next<WelcomeMessage>((m) => m.type === 'welcome')).recovered, true);
  const replayed: Comment[] = await back.waitForComments(sent - lastSeq, 20_000);
  assert.equal(replayed[0].seq, lastSeq + 1);
  assert.equal(replayed.at(-1)!.seq, sent);
  const metrics = await danmaku.metrics.registry.getSingleMetricAsString('danmaku_connections_refused_total');
  assert.match(metrics, /reason="slow_consumer"\} 1/);
});

/** A server with a small cap, a sender, and a reader that has stopped reading and been closed as a slow consumer. */
async function stalledReader(t: { after: (fn: () => unknown) => void }) {
  const danmaku = await createDanmakuServer({
    maxBufferedAmount: CAP,
    maxTextLength: 2000,
    maxPayload: 8192,
    rateLimit: 0,
    ipRateLimit: 0,
    flushInterval: 0,
    logLevel: 'silent',
  });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  const base = `ws://127.0.0.1:${port}/ws`;
  const sender = await TestClient.connect(base, 'room=cut');
  const stalled = await TestClient.connect(base, 'room=cut');
  t.after(async () => {
    sender.close();
    stalled.close();
    await danmaku.close();
  });
  const socket = (stalled.ws as unknown as { _socket: { pause(): void; resume(): void; read(size?: number): unknown } })
    ._socket;
  socket.pause();
  const text = 'x'.repeat(1900);
  for (let sent = 0; danmaku.connections === 2 && sent < 40_000; sent += 50) {
    const ids = Array.from({ length: 50 }, () => sender.sendComment(text));
    await sender.next<AckMessage>((m) => m.type === 'ack' && m.id === ids.at(-1));
  }
  assert.equal(danmaku.connections, 1, 'the stalled reader was closed as a slow consumer');
  return { stalled, socket };
}

test(
  'a slow consumer that reads again, however slowly, reaches its close frame: it sees 4002, not 1006',
  { timeout: 60_000 },
  async (t) => {
    const { stalled, socket } = await stalledReader(t);
    // Stalled for well over a second after the close, then reading a buffer's worth every 20 ms,
    // far slower than the room: the close frame is still there at the end of the backlog.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const timer = setInterval(() => socket.read(), 20);
    t.after(() => clearInterval(timer));
    assert.equal((await stalled.closed).code, 4002);
  },
);
