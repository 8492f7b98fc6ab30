/**
 * The in-memory engine forgets what clients name: idle rooms leave once their history and dedupe
 * window expire, and the rooms held are capped, least recently used first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryEngine } from './memory-engine.js';

const comment = (id: string) => ({ id, text: 'hi', color: '#ffffff', mode: 'scroll', size: 'medium' }) as const;

/** An engine on a clock the test moves, with no background timer. */
function engineAt(options: ConstructorParameters<typeof MemoryEngine>[0] = {}) {
  let now = 1_000_000;
  const engine = new MemoryEngine({
    historyAge: 60_000,
    dedupeWindow: 30_000,
    sweepInterval: 0,
    ...options,
    now: () => now,
  });
  return { engine, advance: (ms: number) => (now += ms) };
}

test('an idle room with history is held until its history and dedupe window expire, then swept', async () => {
  const { engine, advance } = engineAt();
  const stop = await engine.subscribe('r', () => {});
  await engine.addViewers('r', 1);
  await engine.publish('r', comment('a'));
  await engine.addViewers('r', -1);
  await stop();
  assert.deepEqual(engine.stats(), { rooms: 1, dedupeEntries: 1 }, 'kept: a resuming client can still recover');
  advance(30_001);
  engine.sweep();
  assert.deepEqual(engine.stats(), { rooms: 1, dedupeEntries: 0 }, 'history still young');
  advance(30_000);
  engine.sweep();
  assert.deepEqual(engine.stats(), { rooms: 0, dedupeEntries: 0 });
});

test('rooms with listeners or viewers are never swept', async () => {
  const { engine, advance } = engineAt();
  await engine.subscribe('listened', () => {});
  await engine.addViewers('viewed', 1);
  await engine.publish('listened', comment('a'));
  advance(10 * 60_000);
  engine.sweep();
  assert.equal(engine.stats().rooms, 2);
});

test('a churn of 5,000 rooms returns to nothing held', async () => {
  const { engine, advance } = engineAt();
  for (let i = 0; i < 5000; i++) {
    const stop = await engine.subscribe(`churn-${i}`, () => {});
    await engine.publish(`churn-${i}`, comment(`c${i}`));
    await stop();
  }
  assert.deepEqual(engine.stats(), { rooms: 5000, dedupeEntries: 5000 });
  advance(60_001);
  engine.sweep();
  assert.deepEqual(engine.stats(), { rooms: 0, dedupeEntries: 0 });
});

test('past maxHeldRooms the least recently used idle room is forgotten', async () => {
  const { engine } = engineAt({ maxHeldRooms: 3 });
  await engine.subscribe('busy', () => {});
  for (const name of ['a', 'b']) await engine.publish(name, comment(name));
  // "a" is used again, so "b" is now the least recently used idle room.
  await engine.history('a', 0, 10);
  await engine.publish('c', comment('c'));
  assert.equal(engine.stats().rooms, 3);
  assert.equal((await engine.history('a', 0, 10)).comments.length, 1, '"a" kept');
  const b = await engine.history('b', 0, 10);
  assert.equal(b.seq, 0, '"b" was forgotten and starts over');
  // Opening "b" again made space by forgetting "c", now the least recently used idle room.
  assert.equal(engine.stats().rooms, 3);
  assert.equal(engine.stats().dedupeEntries, 1);
});

test('rooms in use are never evicted; the cap is exceeded only by them', async () => {
  const { engine } = engineAt({ maxHeldRooms: 2 });
  for (const name of ['x', 'y', 'z']) await engine.subscribe(name, () => {});
  assert.equal(engine.stats().rooms, 3);
  await engine.publish('x', comment('1'));
  assert.equal((await engine.state('x')).seq, 1);
});

test('the dedupe window still drops resends within it', async () => {
  const { engine, advance } = engineAt();
  const first = await engine.publish('r', comment('same'));
  advance(29_000);
  assert.equal((await engine.publish('r', comment('same'))).duplicate, true);
  assert.equal(first.comment.seq, 1);
  advance(2000);
  assert.equal((await engine.publish('r', comment('same'))).duplicate, false);
  assert.equal(engine.stats().dedupeEntries, 1);
});

test('options out of range throw a RangeError naming them', () => {
  assert.throws(() => new MemoryEngine({ maxHeldRooms: 0 }), /maxHeldRooms/);
  assert.throws(() => new MemoryEngine({ dedupeWindow: -1 }), /dedupeWindow/);
});
