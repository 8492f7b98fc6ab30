import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { AckMessage, ErrorMessage } from 'danmaku-layer-protocol';
import type { Engine, ReadinessListener } from './engine.js';
import { MemoryEngine } from './memory-engine.js';
import { upgradeStatus } from './testing/client.js';
import { startTestServer } from './testing/test-server.js';

/** A memory engine whose store can be made unreachable, as a Redis engine's can. */
class SwitchableEngine implements Engine {
  readonly #inner = new MemoryEngine();
  readonly #listeners = new Set<ReadinessListener>();
  ready = true;
  publish: Engine['publish'] = (room, comment, sender) => this.#inner.publish(room, comment, sender);
  subscribe: Engine['subscribe'] = (room, listener, onReset, onEvent) =>
    this.#inner.subscribe(room, listener, onReset, onEvent);
  find: Engine['find'] = (room, seq) => this.#inner.find(room, seq);
  retract: Engine['retract'] = (room, seqs) => this.#inner.retract(room, seqs);
  clear: Engine['clear'] = (room) => this.#inner.clear(room);
  signal: Engine['signal'] = (room, event) => this.#inner.signal(room, event);
  state: Engine['state'] = (room) => this.#inner.state(room);
  history: Engine['history'] = (room, after, limit) => this.#inner.history(room, after, limit);
  addViewers: Engine['addViewers'] = (room, delta) => this.#inner.addViewers(room, delta);
  close: Engine['close'] = () => this.#inner.close();
  onReadiness(listener: ReadinessListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
  set(ready: boolean): void {
    this.ready = ready;
    for (const listener of this.#listeners) listener(ready);
  }
}

const start = startTestServer;

function sample(text: string, name: string): number | undefined {
  const match = new RegExp(`^${name.replace(/[{}]/g, '\\$&')} ([0-9.e+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : undefined;
}

test('/metrics reports connections, rooms, comments in/out, limits and event-loop lag', async (t) => {
  const { http, connect } = await start(t, { rateBurst: 2, blocklist: ['nope'] });
  const a = await connect('room=m1');
  const b = await connect('room=m1');
  await connect('room=m2');
  for (const text of ['one', 'two']) {
    const id = a.sendComment(text);
    await a.next<AckMessage>((m) => m.type === 'ack' && m.id === id);
  }
  const limited = a.sendComment('three');
  assert.equal((await a.next<ErrorMessage>((m) => m.type === 'error' && m.id === limited)).code, 'rate_limited');
  const rejected = b.sendComment('nope');
  assert.equal((await b.next<ErrorMessage>((m) => m.type === 'error' && m.id === rejected)).code, 'rejected');
  await b.waitForComments(2);

  const response = await fetch(`${http}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
  const text = await response.text();
  assert.equal(sample(text, 'danmaku_connections'), 3);
  assert.equal(sample(text, 'danmaku_rooms'), 2);
  assert.equal(sample(text, 'danmaku_comments_in_total'), 2);
  assert.equal(sample(text, 'danmaku_comments_out_total'), 4);
  assert.equal(sample(text, 'danmaku_rate_limited_total'), 1);
  assert.equal(sample(text, 'danmaku_rejected_total'), 1);
  assert.equal(sample(text, 'danmaku_comments_dropped_total'), 0);
  assert.equal(typeof sample(text, 'danmaku_buffered_bytes'), 'number');
  assert.equal(sample(text, 'danmaku_client_errors_total{code="rate_limited"}'), 1);
  assert.equal(typeof sample(text, 'nodejs_eventloop_lag_seconds'), 'number');
});

test('metrics: false leaves /metrics to the app', async (t) => {
  const { http } = await start(t, { metrics: false });
  assert.equal((await fetch(`${http}/metrics`)).status, 404);
});

test('/healthz is up while the process runs; /readyz follows the engine', async (t) => {
  const engine = new SwitchableEngine();
  const lines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }),
  );
  const { http } = await start(t, { engine, logger });
  assert.deepEqual(await (await fetch(`${http}/healthz`)).json(), { status: 'ok' });
  assert.equal((await fetch(`${http}/readyz`)).status, 200);
  engine.set(false);
  const notReady = await fetch(`${http}/readyz`);
  assert.equal(notReady.status, 503);
  assert.deepEqual(await notReady.json(), { status: 'engine_not_ready' });
  assert.equal((await fetch(`${http}/healthz`)).status, 200);
  engine.set(true);
  assert.equal((await fetch(`${http}/readyz`)).status, 200);
  const logged = lines.map((l) => JSON.parse(l) as { msg: string; level: number });
  assert.ok(logged.some((l) => l.msg === 'engine not ready' && l.level === 40));
});

test('close() reports not ready, refuses new connections, closes everyone with 1012 and finishes', async (t) => {
  const { danmaku, http, ws, connect } = await start(t, { shutdownWindow: 300 });
  const clients = await Promise.all(Array.from({ length: 10 }, () => connect('room=bye')));
  const codes = Promise.all(clients.map((c) => c.closed.then((closed) => closed.code)));
  const closing = danmaku.close();
  assert.equal(danmaku.state, 'draining');
  assert.equal(danmaku.ready, false);
  const readyz = await fetch(`${http}/readyz`);
  assert.equal(readyz.status, 503);
  assert.deepEqual(await readyz.json(), { status: 'draining' });
  assert.equal(await upgradeStatus(`${ws}?room=bye`), 503);
  assert.deepEqual(await codes, Array(10).fill(1012));
  await closing;
  assert.equal(danmaku.state, 'closed');
  assert.equal(danmaku.server.listening, false);
  assert.equal(danmaku.close(), closing, 'a second close() returns the same promise');
});

test('close({ code: 1001 }) says going away; a peer that never answers is cut after shutdownTimeout', async (t) => {
  const { danmaku, connect } = await start(t, { shutdownWindow: 0, shutdownTimeout: 300 });
  const polite = await connect('room=gone');
  const frozen = await connect('room=gone');
  (frozen.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const closing = danmaku.close({ code: 1001 });
  assert.equal((await polite.closed).code, 1001);
  await closing;
  assert.equal(danmaku.connections, 0);
  // The frozen peer's socket was destroyed by the server, whatever its client makes of it.
  (frozen.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  assert.notEqual((await frozen.closed).code, 1000);
});
