import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Engine, NewComment, RoomEvent } from './engine.js';
import { MemoryEngine } from './memory-engine.js';
import { RedisEngine } from './redis-engine.js';
import { TestRedis } from './testing/redis-server.js';

let redis: TestRedis;
before(async () => {
  redis = await TestRedis.start();
});
after(async () => {
  await redis.stop();
});

const input = (id: string): NewComment => ({ id, text: id, color: '#ffffff', mode: 'scroll', size: 'medium' });

const engines: Array<[string, () => Promise<Engine>]> = [
  ['memory', async () => new MemoryEngine({ historySize: 3 })],
  [
    'redis',
    async () => {
      const engine = new RedisEngine({ url: redis.url, historySize: 3, heartbeatInterval: 200 });
      await engine.whenReady();
      return engine;
    },
  ],
];

let rooms = 0;

for (const [name, create] of engines) {
  test(`${name}: a retraction is no hole in the history; trimming still is`, async (t) => {
    const engine = await create();
    t.after(() => engine.close());
    const room = `removal${++rooms}`;
    const events: RoomEvent[] = [];
    const received: number[] = [];
    const unsubscribe = await engine.subscribe(
      room,
      (c) => received.push(c.seq),
      undefined,
      (e) => events.push(e),
    );
    t.after(unsubscribe);
    for (const id of ['a', 'b', 'c', 'd', 'e']) await engine.publish(room, input(id), `addr:${id}`);
    // History of three: c, d, e. Removing d leaves c and e, and no hole after seq 2.
    assert.deepEqual(await engine.retract(room, [4, 1, 99]), { seqs: [4], ids: ['d'] });
    assert.deepEqual(await engine.retract(room, [4]), { seqs: [], ids: [] }, 'twice removes nothing');
    const page = await engine.history(room, 2, 10);
    assert.deepEqual(
      page.comments.map((c) => c.seq),
      [3, 5],
    );
    assert.equal(page.complete, true);
    assert.equal((await engine.history(room, 1, 10)).complete, false, 'seq 2 was trimmed');
    assert.equal(await engine.find(room, 4), undefined);
    assert.deepEqual(await engine.find(room, 5).then((s) => [s?.comment.id, s?.sender]), ['e', 'addr:e']);

    assert.deepEqual(await engine.clear(room), { seq: 5, seqs: [3, 5], ids: ['c', 'e'] });
    const cleared = await engine.history(room, 0, 10);
    assert.deepEqual(cleared.comments, []);
    assert.equal((await engine.history(room, 2, 10)).complete, true);
    const next = await engine.publish(room, input('f'));
    assert.equal(next.comment.seq, 6);
    assert.equal((await engine.state(room)).epoch, cleared.epoch);
    for (let i = 0; i < 200 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(events, [
      { type: 'retract', seqs: [4] },
      { type: 'clear', seq: 5 },
    ]);
    for (let i = 0; i < 200 && !received.includes(6); i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(received, [1, 2, 3, 4, 5, 6]);
  });
}
