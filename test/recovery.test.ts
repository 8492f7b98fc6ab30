// Never lose a comment: resumable stream, acknowledged sends, offline queue, heartbeats.
// Real server, real sockets, and the widget's own connection code running in Node over `ws`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { MemoryEngine } from 'danmaku-layer-server';
import { TestClient } from '#server-testing/client.js';
import { PROTOCOL, type AckMessage } from 'danmaku-layer-protocol';
import { startServer, type RunningServer } from './support/server.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { recordingClient, waitFor, type RecordingClient } from './support/clients.js';

const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});
const track = <T extends RecordingClient>(client: T): T => {
  cleanup.push(() => client.connection.close());
  return client;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertInOrderOnce(client: RecordingClient): void {
  const seqs = client.comments.map((c) => c.seq);
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i] > seqs[i - 1], `seq ${seqs[i]} after ${seqs[i - 1]}`);
}

test('a client cut off for 2 s gets every comment it missed, in order, once; its offline send posts once', async () => {
  const server = await startServer();
  cleanup.push(() => server.close());
  const proxy = new TcpProxy(server.port);
  cleanup.push(() => proxy.close());
  await proxy.listen();

  const victim = track(
    recordingClient({ url: `ws://127.0.0.1:${proxy.port}/ws`, room: 'tunnel', reconnectDelay: 200 }),
  );
  const sender = await TestClient.connect(server.ws, 'room=tunnel');
  cleanup.push(() => sender.close());
  await waitFor(() => victim.connection.status === 'open', 5000, 'victim open');

  let sentDuringCut: Promise<unknown> | undefined;
  for (let i = 1; i <= 100; i++) {
    sender.sendComment(`c${i}`);
    if (i === 20) {
      const cut = proxy.cutFor(2000);
      await waitFor(() => victim.connection.status === 'connecting', 2000, 'victim to notice the cut');
      sentDuringCut = victim.connection.send('from the tunnel');
      void cut;
    }
    await sleep(30);
  }

  const receipt = (await sentDuringCut) as { seq: number };
  await waitFor(() => victim.comments.length >= 101, 15_000, 'all comments at the victim');
  await sleep(200);
  assert.equal(victim.comments.length, 101, 'no duplicates');
  assertInOrderOnce(victim);
  const texts = victim.comments.map((c) => c.text);
  for (let i = 1; i <= 100; i++) assert.ok(texts.includes(`c${i}`), `c${i} missing`);
  assert.equal(texts.filter((t) => t === 'from the tunnel').length, 1);
  // Posted exactly once in the room, as the other viewer sees it.
  await waitFor(() => sender.comments.length >= 101, 5000, 'sender sees everything');
  assert.equal(sender.comments.filter((c) => c.text === 'from the tunnel').length, 1);
  assert.equal(sender.comments.find((c) => c.text === 'from the tunnel')!.seq, receipt.seq);
  // It really reconnected and resumed rather than starting over.
  assert.ok(victim.welcomes.length >= 2);
  assert.equal(victim.welcomes.at(-1)!.recovered, true);
  assert.equal(victim.resets, 0);
});

test('a resend with the same id, even on another connection, is posted once', async () => {
  const server = await startServer({ flushInterval: 0 });
  cleanup.push(() => server.close());
  const a = await TestClient.connect(server.ws, 'room=dedupe');
  const b = await TestClient.connect(server.ws, 'room=dedupe');
  cleanup.push(
    () => a.close(),
    () => b.close(),
  );
  a.sendComment('once', { id: 'same-id' });
  const first = await a.next<AckMessage>((m) => m.type === 'ack');
  b.sendComment('once', { id: 'same-id' });
  const second = await b.next<AckMessage>((m) => m.type === 'ack');
  assert.equal(second.seq, first.seq);
  await sleep(100);
  assert.equal(a.comments.length, 1);
});

test('a gap older than the history yields an explicit reset, never a silent hole', async () => {
  const server = await startServer({ engine: new MemoryEngine({ historySize: 10 }) });
  cleanup.push(() => server.close());
  const proxy = new TcpProxy(server.port);
  cleanup.push(() => proxy.close());
  await proxy.listen();
  const victim = track(recordingClient({ url: `ws://127.0.0.1:${proxy.port}/ws`, room: 'gap', reconnectDelay: 100 }));
  const sender = await TestClient.connect(server.ws, 'room=gap');
  cleanup.push(() => sender.close());
  await waitFor(() => victim.connection.status === 'open');
  sender.sendComment('before');
  await waitFor(() => victim.comments.length === 1);

  const cut = proxy.cutFor(1000);
  for (let i = 0; i < 30; i++) sender.sendComment(`during ${i}`);
  await cut;
  await waitFor(() => victim.welcomes.length >= 2, 10_000, 'reconnect');
  assert.equal(victim.welcomes.at(-1)!.recovered, false);
  assert.equal(victim.resets, 1);
  // After the reset the stream goes on from where the room is now.
  sender.sendComment('after');
  await waitFor(() => victim.comments.some((c) => c.text === 'after'));
  assertInOrderOnce(victim);
});

test('a cursor from another epoch (the server restarted) yields a reset', async () => {
  const first = await startServer();
  const port = first.port;
  const client = track(recordingClient({ url: first.ws, room: 'epoch', reconnectDelay: 100 }));
  await waitFor(() => client.connection.status === 'open');
  await client.connection.send('seen before the restart');
  await waitFor(() => client.comments.length === 1);
  const epoch = client.welcomes[0].epoch;
  await first.close();
  const second = await startServer({}, port);
  cleanup.push(() => second.close());
  await waitFor(() => client.welcomes.length >= 2, 10_000, 'reconnect to the new server');
  assert.notEqual(client.welcomes[1].epoch, epoch);
  assert.equal(client.welcomes[1].recovered, false);
  assert.equal(client.resets, 1);
});

test('the server drops a client that stops answering pings, and keeps one that answers', async () => {
  const server = await startServer({ heartbeatInterval: 100 });
  cleanup.push(() => server.close());
  // `autoPong: false`: this client's WebSocket never answers pings, like a frozen peer.
  const frozen = new WebSocket(`${server.ws}?room=hb`, [PROTOCOL], { autoPong: false });
  const healthy = await TestClient.connect(server.ws, 'room=hb');
  cleanup.push(
    () => frozen.terminate(),
    () => healthy.close(),
  );
  const closed = await new Promise<number>((resolve) => frozen.on('close', (code) => resolve(code)));
  assert.equal(closed, 1006, 'terminated without a close handshake');
  await sleep(300);
  assert.equal(healthy.ws.readyState, WebSocket.OPEN);
  assert.ok(
    healthy.messages.some((m) => m.type === 'heartbeat'),
    'application heartbeats arrive',
  );
});

test('a client that saw nothing resumes into a new epoch without a reset', async () => {
  const first = await startServer();
  const port = first.port;
  const client = track(recordingClient({ url: first.ws, room: 'fresh', reconnectDelay: 100 }));
  await waitFor(() => client.connection.status === 'open');
  await first.close();
  const second = await startServer({}, port);
  cleanup.push(() => second.close());
  await waitFor(() => client.welcomes.length >= 2, 10_000, 'reconnect to the new server');
  assert.equal(client.welcomes[1].recovered, true);
  assert.equal(client.resets, 0);
});

test('a client reconnects by itself when the application heartbeat goes silent', async () => {
  const server = await startServer({ heartbeatInterval: 100 });
  cleanup.push(() => server.close());
  const proxy = new TcpProxy(server.port);
  cleanup.push(() => proxy.close());
  await proxy.listen();
  const client = track(
    recordingClient({ url: `ws://127.0.0.1:${proxy.port}/ws`, room: 'silence', reconnectDelay: 100 }),
  );
  await waitFor(() => client.connection.status === 'open');
  proxy.stall();
  await waitFor(() => client.statuses.includes('connecting'), 5000, 'the client to give up on the silent link');
  proxy.resume();
  await waitFor(() => client.welcomes.length >= 2, 10_000, 'reconnect');
  assert.equal(client.welcomes.at(-1)!.recovered, true);
});

test('after a server restart, 200 clients are back within the backoff bound, spread out in time', async () => {
  const first = await startServer();
  const port = first.port;
  const clients = Array.from({ length: 200 }, () =>
    track(recordingClient({ url: first.ws, room: 'restart', reconnectDelay: 1000, maxReconnectDelay: 10_000 })),
  );
  await waitFor(() => clients.every((c) => c.openedAt.length === 1), 20_000, 'all clients open');

  await first.close();
  const restartedAt = performance.now();
  const second: RunningServer = await startServer({}, port);
  cleanup.push(() => second.close());
  // Bound: the first retry waits base × [0.5, 1.5) = at most 1.5 s; allow for connection set-up on a busy machine.
  await waitFor(() => clients.every((c) => c.openedAt.length >= 2), 10_000, 'all clients back');
  const delays = clients.map((c) => c.openedAt[1] - restartedAt).sort((a, b) => a - b);
  const spread = delays.at(-1)! - delays[0];
  console.log(
    `reconnect after restart (ms): min ${delays[0].toFixed(0)}, p50 ${delays[100].toFixed(0)}, ` +
      `p90 ${delays[180].toFixed(0)}, max ${delays.at(-1)!.toFixed(0)}, spread ${spread.toFixed(0)}`,
  );
  assert.ok(delays.at(-1)! < 10_000);
  // Not a stampede: the reconnects cover a window, and no 50 ms slice holds more than a quarter of them.
  assert.ok(spread > 500, `spread ${spread} ms`);
  let busiest = 0;
  for (let i = 0, j = 0; i < delays.length; i++) {
    while (delays[i] - delays[j] > 50) j++;
    busiest = Math.max(busiest, i - j + 1);
  }
  assert.ok(busiest <= 50, `${busiest} reconnects within 50 ms`);
});
