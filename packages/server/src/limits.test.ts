/**
 * The per-address and per-connection bounds over real sockets: raw TCP sockets per address before
 * any HTTP, new rooms per address, the invalid-frame budget, and the metrics that show them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { CloseCode, type ErrorMessage } from 'danmaku-layer-protocol';
import { parseCli } from './cli.js';
import { resolveOptions } from './options.js';
import { TestClient, upgradeStatus } from './testing/client.js';
import { startTestServer } from './testing/test-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function rawSocket(port: number, localAddress: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

test('silent sockets from one address stop at maxSocketsPerIp; other addresses still connect', async (t) => {
  const server = await startTestServer(t, { maxSocketsPerIp: 10 });
  const port = Number(new URL(server.http).port);
  const silent = await Promise.all(Array.from({ length: 30 }, () => rawSocket(port, '127.0.0.61')));
  t.after(() => silent.forEach((s) => s.destroy()));
  const closed = await Promise.all(
    silent.map((s) =>
      Promise.race([new Promise<boolean>((r) => s.once('close', () => r(true))), sleep(1000).then(() => false)]),
    ),
  );
  assert.equal(closed.filter((c) => !c).length, 10, 'ten held, twenty destroyed at once');
  const honest = await TestClient.connect(server.ws, 'room=a', { localAddress: '127.0.0.62' });
  honest.close();
  const metrics = await (await fetch(`${server.http}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  assert.match(metrics, /danmaku_connections_refused_total\{reason="socket_limit"\} 20/);
});

test('a WebSocket connection gives its socket back to the per-address count when it closes', async (t) => {
  const server = await startTestServer(t, { maxSocketsPerIp: 2 });
  const opts = { localAddress: '127.0.0.68' };
  // Twice the cap, one after another: each can only open if the ones before were counted out.
  for (let i = 0; i < 4; i++) {
    const client = await TestClient.connect(server.ws, 'room=reuse', opts);
    client.close();
    await client.closed;
    while (server.danmaku.connections > 0) await sleep(5);
  }
  const metrics = await (await fetch(`${server.http}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  assert.doesNotMatch(metrics, /reason="socket_limit"/);
});

test('new rooms per address are rate-limited with 4005; existing rooms still open', async (t) => {
  const server = await startTestServer(t, { newRoomRate: 0.001, newRoomBurst: 3 });
  const opts = { localAddress: '127.0.0.63' };
  for (const room of ['r1', 'r2', 'r3']) (await TestClient.connect(server.ws, `room=${room}`, opts)).close();
  // The rooms above have no connection left: opening a fourth one is refused.
  const refused = new TestClient(`${server.ws}?room=r4`, undefined, opts);
  assert.equal((await refused.closed).code, CloseCode.TooManyRooms);
  // A room that someone here holds is not new.
  const holder = await TestClient.connect(server.ws, 'room=busy', { localAddress: '127.0.0.64' });
  const joiner = await TestClient.connect(server.ws, 'room=busy', opts);
  joiner.close();
  holder.close();
  // Another address has its own allowance.
  (await TestClient.connect(server.ws, 'room=r5', { localAddress: '127.0.0.65' })).close();
});

test('invalid frames past the budget close with 1008 and slow the address; others are untouched', async (t) => {
  const server = await startTestServer(t, { invalidFrameRate: 0.001, invalidFrameBurst: 5 });
  const opts = { localAddress: '127.0.0.66' };
  const bystander = await TestClient.connect(server.ws, 'room=x', { localAddress: '127.0.0.67' });
  const sameAddress = await TestClient.connect(server.ws, 'room=x', opts);
  const bad = await TestClient.connect(server.ws, 'room=x', opts);
  for (let i = 0; i < 50; i++) bad.ws.send('{not json');
  const { code } = await bad.closed;
  assert.equal(code, CloseCode.PolicyViolation);
  const errors = bad.messages.filter((m): m is ErrorMessage => m.type === 'error');
  assert.equal(errors.length, 5, 'only the budget was answered');
  assert.equal(await upgradeStatus(`${server.ws}?room=x`, opts), 429, 'the address is slowed');
  assert.equal(await upgradeStatus(`${server.ws}?room=x`, { localAddress: '127.0.0.68' }), 101);
  // Connections already open from that address keep working.
  sameAddress.sendComment('still here');
  await bystander.next((m) => m.type === 'comments');
  bystander.close();
  sameAddress.close();
});

test('the engine, dedupe and limiter sizes are exported as metrics', async (t) => {
  const server = await startTestServer(t);
  const client = await TestClient.connect(server.ws, 'room=m');
  client.sendComment('hello');
  await client.next((m) => m.type === 'ack');
  const metrics = await (await fetch(`${server.http}/metrics`)).text();
  assert.match(metrics, /^danmaku_engine_rooms 1$/m);
  assert.match(metrics, /^danmaku_engine_dedupe_entries 1$/m);
  assert.match(metrics, /^danmaku_limiter_keys [1-9]\d*$/m);
  client.close();
});

test('the limit flags and their environment variables reach the options', () => {
  const config = parseCli(
    [
      '--dedupe-window',
      '5000',
      '--max-held-rooms',
      '300',
      '--max-sockets-per-ip',
      '7',
      '--new-room-rate',
      '0.5',
      '--invalid-frame-burst',
      '9',
    ],
    { DANMAKU_NEW_ROOM_BURST: '4', DANMAKU_INVALID_FRAME_RATE: '0.25' },
  );
  assert.equal(config.dedupeWindow, 5000);
  assert.equal(config.maxHeldRooms, 300);
  assert.deepEqual(
    [
      config.server.maxSocketsPerIp,
      config.server.newRoomRate,
      config.server.newRoomBurst,
      config.server.invalidFrameRate,
      config.server.invalidFrameBurst,
    ],
    [7, 0.5, 4, 0.25, 9],
  );
  assert.throws(() => parseCli(['--dedupe-window', '0'], {}), /--dedupe-window/);
  assert.throws(() => parseCli([], { DANMAKU_MAX_SOCKETS_PER_IP: '-1' }), /DANMAKU_MAX_SOCKETS_PER_IP/);
});

test('the socket cap follows the connection cap unless it is set', () => {
  assert.equal(resolveOptions({}).maxSocketsPerIp, 64);
  assert.equal(resolveOptions({ maxConnectionsPerIp: 100 }).maxSocketsPerIp, 200);
  assert.equal(resolveOptions({ maxConnectionsPerIp: 0 }).maxSocketsPerIp, 0);
  assert.equal(resolveOptions({ maxConnectionsPerIp: 0, maxSocketsPerIp: 5 }).maxSocketsPerIp, 5);
  assert.equal(parseCli([], {}).server.maxSocketsPerIp, undefined);
});
