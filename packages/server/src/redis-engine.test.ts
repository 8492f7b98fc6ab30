import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { Comment } from 'danmaku-layer-protocol';
import type { Engine, NewComment } from './engine.js';
import { MemoryEngine, type EngineOptions } from './memory-engine.js';
import { RedisEngine, type RedisEngineOptions } from './redis-engine.js';
import { CLEAR_SCRIPT, RETRACT_SCRIPT, roomKeys } from './redis-scripts.js';
import type { RoomEvent } from './engine.js';
import { createDanmakuServer, RedisEngine as ExportedRedisEngine } from './index.js';
import { TestClient } from './testing/client.js';
import type { AckMessage } from 'danmaku-layer-protocol';
import { TestRedis } from './testing/redis-server.js';

let redis: TestRedis;
let raw: Redis;
const engines: RedisEngine[] = [];
let roomCounter = 0;
const freshRoom = () => `room${++roomCounter}`;

async function redisEngine(options: RedisEngineOptions = {}): Promise<RedisEngine> {
  const engine = new RedisEngine({ url: redis.url, heartbeatInterval: 200, ...options });
  engines.push(engine);
  await engine.whenReady();
  return engine;
}

const input = (id: string, text = id): NewComment => ({ id, text, color: '#ffffff', mode: 'scroll', size: 'medium' });

async function waitFor(condition: () => boolean, what: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

before(async () => {
  redis = await TestRedis.start();
  raw = new Redis(redis.url, { maxRetriesPerRequest: 0 });
  raw.on('error', () => {});
});
after(async () => {
  await Promise.all(engines.map((e) => e.close()));
  raw.disconnect();
  await redis.close();
});

/** Runs the same steps on a memory engine and a Redis engine; both must answer alike. */
async function bothEngines(
  options: EngineOptions,
  steps: (engine: Engine, room: string) => Promise<unknown>,
): Promise<void> {
  const strip = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value, (key, v: unknown) => (key === 'ts' || key === 'epoch' ? undefined : v)));
  const memory = await steps(new MemoryEngine(options), freshRoom());
  const shared = await steps(await redisEngine(options), freshRoom());
  assert.deepEqual(strip(shared), strip(memory));
}

test('publish assigns consecutive seq, stamps ts, and history returns them in order', async () => {
  await bothEngines({}, async (engine, room) => {
    const results = [];
    const texts = ['plain', 'a "quoted" \\ back\\slash, 弾幕 😀, </script>', '{"seq":99,"ts":0}'];
    for (const [i, text] of texts.entries()) {
      results.push(
        await engine.publish(room, {
          ...input(`id${i}`),
          text,
          time: 12.345678901234567,
          user: { id: 'u1', name: 'Ann' },
        }),
      );
    }
    assert.deepEqual(
      results.map((r) => [r.comment.seq, r.duplicate]),
      [
        [1, false],
        [2, false],
        [3, false],
      ],
    );
    assert.equal(typeof results[0].comment.ts, 'number');
    assert.equal(results[0].comment.time, 12.345678901234567);
    assert.deepEqual(
      results.map((r) => r.comment.text),
      texts,
    );
    const page = await engine.history(room, 0, 10);
    assert.equal(page.complete, true);
    return { results, page, state: await engine.state(room) };
  });
});

test('a resent id is posted once, also when it reaches another instance', async () => {
  const a = await redisEngine();
  const b = await redisEngine();
  const room = freshRoom();
  const first = await a.publish(room, input('same', 'hello'));
  const again = await b.publish(room, input('same', 'hello again'));
  assert.equal(again.duplicate, true);
  assert.deepEqual(again.comment, first.comment);
  assert.equal((await a.state(room)).seq, 1);
  await bothEngines({}, async (engine, r) => [
    await engine.publish(r, input('x')),
    await engine.publish(r, input('x')),
    await engine.history(r, 0, 10),
  ]);
});

test('the dedupe window is bounded in time', async () => {
  const engine = await redisEngine({ dedupeWindow: 100 });
  const room = freshRoom();
  await engine.publish(room, input('id1'));
  await new Promise((r) => setTimeout(r, 250));
  const later = await engine.publish(room, input('id1'));
  assert.equal(later.duplicate, false);
  assert.equal(later.comment.seq, 2);
});

test('history is complete only while it still holds seq after+1 (count limit and page limit)', async () => {
  await bothEngines({ historySize: 5 }, async (engine, room) => {
    for (let i = 1; i <= 10; i++) await engine.publish(room, input(`m${i}`));
    const pages = {
      trimmed: await engine.history(room, 2, 100),
      edge: await engine.history(room, 5, 100),
      inside: await engine.history(room, 7, 100),
      limited: await engine.history(room, 7, 2),
      current: await engine.history(room, 10, 100),
      future: await engine.history(room, 50, 100),
      zero: await engine.history(room, 0, 0),
    };
    assert.equal(pages.trimmed.complete, false);
    assert.deepEqual(
      pages.trimmed.comments.map((c) => c.seq),
      [6, 7, 8, 9, 10],
    );
    assert.equal(pages.edge.complete, true);
    assert.equal(pages.limited.complete, false);
    assert.deepEqual(
      pages.limited.comments.map((c) => c.seq),
      [9, 10],
    );
    assert.equal(pages.current.complete, true);
    return pages;
  });
});

test('history is incomplete once a comment after the cursor has aged out', async () => {
  await bothEngines({ historyAge: 300 }, async (engine, room) => {
    await engine.publish(room, input('old1'));
    await engine.publish(room, input('old2'));
    await new Promise((r) => setTimeout(r, 450));
    await engine.publish(room, input('new'));
    const pages = { all: await engine.history(room, 0, 10), last: await engine.history(room, 2, 10) };
    assert.equal(pages.all.complete, false);
    assert.deepEqual(
      pages.all.comments.map((c) => c.id),
      ['new'],
    );
    assert.equal(pages.last.complete, true);
    return pages;
  });
});

test('every instance sees the same epoch; a Redis that lost its data gives a new one', async () => {
  const a = await redisEngine();
  const b = await redisEngine();
  const room = freshRoom();
  const state = await a.state(room);
  assert.match(state.epoch, /^[0-9a-f]{16}$/);
  assert.deepEqual(await b.state(room), state);
  await a.publish(room, input('one'));
  await raw.flushall();
  const fresh = await b.state(room);
  assert.notEqual(fresh.epoch, state.epoch);
  assert.equal(fresh.seq, 0);
});

test('a room whose meta was evicted starts a new sequence without the old history', async () => {
  const engine = await redisEngine();
  const room = freshRoom();
  for (const id of ['a', 'b', 'c']) await engine.publish(room, input(id));
  const before = await engine.state(room);
  await raw.del(roomKeys('danmaku:', room).meta);
  const next = await engine.publish(room, input('new'));
  assert.equal(next.comment.seq, 1);
  const page = await engine.history(room, 0, 10);
  assert.notEqual(page.epoch, before.epoch);
  assert.deepEqual(
    page.comments.map((c) => c.id),
    ['new'],
  );
  assert.equal(page.complete, true);
});

test('a subscriber on another instance receives every comment once, in seq order', async () => {
  const a = await redisEngine();
  const b = await redisEngine();
  const room = freshRoom();
  const received: Comment[] = [];
  const unsubscribe = await b.subscribe(room, (c) => received.push(c));
  await Promise.all(Array.from({ length: 50 }, (_, i) => a.publish(room, input(`c${i}`))));
  await waitFor(() => received.length >= 50, '50 comments');
  assert.deepEqual(
    received.map((c) => c.seq),
    Array.from({ length: 50 }, (_, i) => i + 1),
  );
  await unsubscribe();
  await unsubscribe();
  await a.publish(room, input('after'));
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(received.length, 50);
});

/** Stores a comment the way the publish script does, but without PUBLISH: a message pub/sub lost. */
async function storeWithoutPublish(room: string, id: string): Promise<void> {
  const keys = roomKeys('danmaku:', room);
  const seq = await raw.hincrby(keys.meta, 'seq', 1);
  await raw.rpush(keys.history, JSON.stringify({ seq, ...input(id), ts: Date.now() }));
}

test('a comment missed on pub/sub is filled from history before the next one', async () => {
  // A long heartbeat, so that only the gap detection can fill the hole.
  const a = await redisEngine({ heartbeatInterval: 60_000 });
  const b = await redisEngine({ heartbeatInterval: 60_000 });
  const room = freshRoom();
  const received: Comment[] = [];
  await b.subscribe(room, (c) => received.push(c));
  await a.publish(room, input('one'));
  await storeWithoutPublish(room, 'lost1');
  await storeWithoutPublish(room, 'lost2');
  await a.publish(room, input('four'));
  await waitFor(() => received.length >= 4, '4 comments');
  assert.deepEqual(
    received.map((c) => [c.seq, c.id]),
    [
      [1, 'one'],
      [2, 'lost1'],
      [3, 'lost2'],
      [4, 'four'],
    ],
  );
});

test('a missed last comment in a quiet room arrives with the next heartbeat', async () => {
  const b = await redisEngine({ heartbeatInterval: 100 });
  const room = freshRoom();
  const received: Comment[] = [];
  await b.subscribe(room, (c) => received.push(c));
  await storeWithoutPublish(room, 'quiet');
  await waitFor(() => received.length >= 1, 'the missed comment');
  assert.deepEqual(
    received.map((c) => c.id),
    ['quiet'],
  );
});

test('after its pub/sub connection drops, an instance catches up on what it missed, once each', async () => {
  const a = await redisEngine();
  const b = await redisEngine({ heartbeatInterval: 60_000 });
  const room = freshRoom();
  const received: Comment[] = [];
  await b.subscribe(room, (c) => received.push(c));
  const publishing = (async () => {
    for (let i = 0; i < 100; i++) {
      await a.publish(room, input(`p${i}`));
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
  })();
  await new Promise((r) => setTimeout(r, 10));
  await raw.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
  await publishing;
  await waitFor(() => received.length >= 100, '100 comments');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(
    received.map((c) => c.seq),
    Array.from({ length: 100 }, (_, i) => i + 1),
  );
});

/**
 * Runs the engine's own retract or clear script with its message published where nobody listens:
 * logged like any event, lost on the way like a pub/sub message can be.
 */
async function eventWithoutPublish(room: string, script: string, ...seqs: number[]): Promise<void> {
  const keys = roomKeys('danmaku:', room);
  await raw.eval(script, 4, keys.meta, keys.history, keys.senders, keys.events, 'nowhere', 60_000, ...seqs);
}

/** Subscribes `engine` to `room` and returns the events it receives, as JSON. */
async function eventsOf(engine: RedisEngine, room: string): Promise<string[]> {
  const events: string[] = [];
  await engine.subscribe(
    room,
    () => {},
    undefined,
    (event: RoomEvent) => events.push(JSON.stringify(event)),
  );
  return events;
}

test("an event missed on pub/sub is read from the room's event log before the next one, each once", async () => {
  // A long heartbeat, so that only the gap in the events' numbers can reveal the missed one.
  const a = await redisEngine({ heartbeatInterval: 60_000 });
  const b = await redisEngine({ heartbeatInterval: 60_000 });
  const room = freshRoom();
  const events = await eventsOf(b, room);
  const { comment } = await a.publish(room, input('bad'));
  await eventWithoutPublish(room, RETRACT_SCRIPT, comment.seq);
  await a.signal(room, { type: 'slow_mode', interval: 5 });
  await waitFor(() => events.length >= 2, 'two events');
  await a.signal(room, { type: 'slow_mode', interval: 0 });
  await waitFor(() => events.length >= 3, 'three events');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(events, [
    `{"type":"retract","seqs":[${comment.seq}]}`,
    '{"type":"slow_mode","interval":5}',
    '{"type":"slow_mode","interval":0}',
  ]);
});

test('a missed last event in a quiet room arrives with the next heartbeat', async () => {
  const a = await redisEngine({ heartbeatInterval: 60_000 });
  const b = await redisEngine({ heartbeatInterval: 100 });
  const room = freshRoom();
  const events = await eventsOf(b, room);
  const { comment } = await a.publish(room, input('before the clear'));
  await eventWithoutPublish(room, CLEAR_SCRIPT);
  await waitFor(() => events.length >= 1, 'the missed clear');
  assert.deepEqual(events, [`{"type":"clear","seq":${comment.seq}}`]);
});

test('after its pub/sub connection drops, an instance gets the events it missed, once each', async () => {
  const a = await redisEngine();
  const b = await redisEngine({ heartbeatInterval: 60_000 });
  const room = freshRoom();
  const events = await eventsOf(b, room);
  const seqs: number[] = [];
  for (let i = 0; i < 5; i++) seqs.push((await a.publish(room, input(`c${i}`))).comment.seq);
  await raw.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
  // While it reconnects: gone from pub/sub, kept in the log.
  for (const seq of seqs.slice(0, 3)) await a.retract(room, [seq]);
  await a.signal(room, { type: 'slow_mode', interval: 2 });
  await waitFor(() => events.length >= 4, 'four events');
  await a.retract(room, [seqs[3]]);
  await waitFor(() => events.length >= 5, 'the next event, live');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(events, [
    ...seqs
      .slice(0, 4)
      .flatMap((seq, i) => [
        `{"type":"retract","seqs":[${seq}]}`,
        ...(i === 2 ? ['{"type":"slow_mode","interval":2}'] : []),
      ]),
  ]);
});

test("the event log keeps a room's latest events, and expires with the room", async () => {
  const engine = await redisEngine();
  const room = freshRoom();
  for (let i = 0; i < 105; i++) await engine.signal(room, { type: 'slow_mode', interval: i });
  const keys = roomKeys('danmaku:', room);
  const log = (await raw.lrange(keys.events, 0, -1)).map((m) => JSON.parse(m) as { n: number });
  assert.deepEqual(
    log.map((m) => m.n),
    Array.from({ length: 100 }, (_, i) => i + 6),
  );
  assert.equal(await raw.hget(keys.meta, 'events'), '105');
  assert.ok((await raw.pttl(keys.events)) > 0, 'the log expires');
  assert.ok((await raw.pttl(keys.meta)) > 0, 'the room expires');
});

test('when the room restarts in Redis, subscribers are told to reset and then follow the new sequence', async () => {
  const a = await redisEngine();
  const b = await redisEngine();
  const room = freshRoom();
  const received: Comment[] = [];
  let resets = 0;
  await b.subscribe(
    room,
    (c) => received.push(c),
    () => resets++,
  );
  await a.publish(room, input('before'));
  await waitFor(() => received.length === 1, 'first comment');
  await raw.flushall();
  await a.publish(room, input('after'));
  await waitFor(() => received.length === 2, 'comment of the new sequence');
  assert.equal(resets, 1);
  assert.deepEqual(
    received.map((c) => [c.seq, c.id]),
    [
      [1, 'before'],
      [1, 'after'],
    ],
  );
});

test('a sequence that went backwards under the same epoch (lost writes) is restarted with a new epoch', async () => {
  const engine = await redisEngine({ heartbeatInterval: 100 });
  const room = freshRoom();
  const received: Comment[] = [];
  const events: string[] = [];
  let resets = 0;
  await engine.subscribe(
    room,
    (c) => {
      received.push(c);
      events.push(`${c.seq}:${c.id}`);
    },
    () => {
      resets++;
      events.push('reset');
    },
  );
  for (const id of ['a', 'b', 'c']) await engine.publish(room, input(id));
  await waitFor(() => received.length === 3, 'three comments');
  const before = await engine.state(room);
  // What a failover to a replica that missed the last two writes looks like.
  const keys = roomKeys('danmaku:', room);
  await raw.hset(keys.meta, 'seq', 1);
  await raw.ltrim(keys.history, 0, 0);
  await waitFor(() => resets === 1, 'the reset');
  const after = await engine.state(room);
  assert.notEqual(after.epoch, before.epoch);
  const next = await engine.publish(room, input('d'));
  assert.equal(next.comment.seq, 2);
  await waitFor(() => received.some((c) => c.id === 'd'), 'the comment in the new epoch');
  // After the reset the listener follows the new epoch from its start: the one comment Redis kept.
  assert.deepEqual(events, ['1:a', '2:b', '3:c', 'reset', '1:a', '2:d']);
});

test('viewer counts are global and an instance that dies stops counting', async () => {
  const a = await redisEngine();
  const b = await redisEngine();
  const room = freshRoom();
  assert.equal(await a.addViewers(room, 1), 1);
  assert.equal(await b.addViewers(room, 1), 2);
  assert.equal(await a.addViewers(room, 1), 3);
  assert.equal(await b.addViewers(room, -1), 2);

  // A separate process holds 5 viewers, then is killed without any cleanup.
  const lib = fileURLToPath(new URL('./redis-engine.js', import.meta.url));
  const script = `
    const { RedisEngine } = await import(${JSON.stringify(lib)});
    const engine = new RedisEngine({ url: ${JSON.stringify(redis.url)}, heartbeatInterval: 200 });
    for (let i = 0; i < 5; i++) await engine.addViewers(${JSON.stringify(room)}, 1);
    process.stdout.write('counted\\n');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => String(d).includes('counted') && resolve());
    child.once('exit', (code) => reject(new Error(`viewer process exited early (${code})`)));
  });
  assert.equal(await a.addViewers(room, 0), 7);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  // Three silent heartbeats (3 × 200 ms) later, the dead instance no longer counts.
  let count = 7;
  const deadline = Date.now() + 5000;
  while (count !== 2 && Date.now() < deadline) {
    count = await a.addViewers(room, 0);
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(count, 2);
  await b.close();
  assert.equal(await a.addViewers(room, 0), 2);
  await a.close();
  assert.equal(await (await redisEngine()).addViewers(room, 0), 0);
});

test('during a Redis outage the engine is not ready and calls reject; it recovers by itself', async () => {
  const changes: boolean[] = [];
  const engine = await redisEngine();
  engine.onReadiness((ready) => changes.push(ready));
  const room = freshRoom();
  const received: Comment[] = [];
  let resets = 0;
  await engine.subscribe(
    room,
    (c) => received.push(c),
    () => resets++,
  );
  await engine.publish(room, input('before'));
  await waitFor(() => received.length === 1, 'the first comment');
  await redis.stop();
  await waitFor(() => !engine.ready, 'not ready');
  await assert.rejects(engine.publish(room, input('during')));
  await assert.rejects(engine.history(room, 0, 10));
  await redis.restart();
  await engine.whenReady();
  assert.deepEqual(changes.slice(0, 2), [false, true]);
  await waitFor(() => resets === 1, 'the reset of the lost room');
  const after = await engine.publish(room, input('after'));
  assert.equal(after.comment.seq, 1);
  await waitFor(() => received.some((c) => c.id === 'after'), 'a comment after the outage');
  assert.deepEqual(
    received.map((c) => c.id),
    ['before', 'after'],
  );
});

test('createDanmakuServer({ engine: new RedisEngine({ url }) }) serves rooms and reports readiness', async () => {
  const engine = new ExportedRedisEngine({ url: redis.url });
  engines.push(engine);
  const danmaku = await createDanmakuServer({ engine, flushInterval: 0 });
  try {
    const { port } = await danmaku.listen(0, '127.0.0.1');
    await engine.whenReady();
    assert.equal((await fetch(`http://127.0.0.1:${port}/readyz`)).status, 200);
    const base = `ws://127.0.0.1:${port}/ws`;
    const a = await TestClient.connect(base, 'room=inproc');
    const b = await TestClient.connect(base, 'room=inproc');
    const id = a.sendComment('hello');
    assert.equal((await a.next<AckMessage>((m) => m.type === 'ack')).id, id);
    assert.deepEqual(
      (await b.waitForComments(1)).map((c) => [c.seq, c.text]),
      [[1, 'hello']],
    );
    const late = await TestClient.connect(base, 'room=inproc&last=10');
    assert.deepEqual(
      (await late.waitForComments(1)).map((c) => c.text),
      ['hello'],
    );
    for (const c of [a, b, late]) c.close();
  } finally {
    await danmaku.close();
  }
});

test('engines with different prefixes share a Redis without sharing rooms', async () => {
  const a = await redisEngine({ prefix: 'site-a:' });
  const b = await redisEngine({ prefix: 'site-b:' });
  await a.publish('same-name', input('from-a'));
  assert.equal((await a.state('same-name')).seq, 1);
  assert.equal((await b.state('same-name')).seq, 0);
  assert.equal(await raw.exists('site-a:{same-name}:meta'), 1);
});

test('options are checked', () => {
  assert.throws(() => new RedisEngine({ prefix: 'a{b}' }), TypeError);
  assert.throws(() => new RedisEngine({ historySize: 0 }), RangeError);
});
