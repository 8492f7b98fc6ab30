import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Comment } from 'danmaku-layer-protocol';
import { MemoryEngine } from './memory-engine.js';
import { RoomFeed } from './room-feed.js';

const input = (id: string) => ({ id, text: id, color: '#ffffff', mode: 'scroll' as const, size: 'medium' as const });

/** A feed over a memory engine's room: the history is real, the live stream is whatever the test passes in. */
async function setup(historySize = 100) {
  const engine = new MemoryEngine({ historySize });
  const events: string[] = [];
  const feed = new RoomFeed(
    { history: (after, limit) => engine.history('r', after, limit), restartIfBehind: async () => {} },
    { historySize, retryDelay: 10, onError: (e) => events.push(`error:${String(e)}`) },
  );
  feed.listeners.add((c: Comment) => events.push(`${c.seq}:${c.id}`));
  // A gap keeps the epoch: the listener is given none, so every receiver starts over.
  feed.resetListeners.add((epoch) => events.push(epoch === undefined ? 'reset' : `reset:${epoch}`));
  const state = await engine.state('r');
  feed.begin(state);
  const publish = async (id: string) => (await engine.publish('r', input(id))).comment;
  const settle = () => new Promise((r) => setTimeout(r, 20));
  return { engine, feed, events, epoch: state.epoch, publish, settle };
}

test('messages that continue the sequence are delivered as they come; repeats are dropped', async () => {
  const { feed, events, epoch, publish } = await setup();
  const a = await publish('a');
  const b = await publish('b');
  feed.receive({ e: epoch, c: a });
  feed.receive({ e: epoch, c: a });
  feed.receive({ e: epoch, c: b });
  assert.deepEqual(events, ['1:a', '2:b']);
});

test('a gap is filled from history, in order, before the message that revealed it', async () => {
  const { feed, events, epoch, publish, settle } = await setup();
  const a = await publish('a');
  await publish('lost1');
  await publish('lost2');
  const d = await publish('d');
  feed.receive({ e: epoch, c: a });
  feed.receive({ e: epoch, c: d });
  const e = await publish('e');
  feed.receive({ e: epoch, c: e }); // arrives while the gap is being read
  await settle();
  assert.deepEqual(events, ['1:a', '2:lost1', '3:lost2', '4:d', '5:e']);
});

test('check() catches a lost last message in a quiet room', async () => {
  const { engine, feed, events, publish, settle } = await setup();
  await publish('only');
  feed.check(await engine.state('r'));
  await settle();
  assert.deepEqual(events, ['1:only']);
});

test('a gap older than the history resets the listeners, then delivery goes on', async () => {
  const { feed, events, epoch, publish, settle } = await setup(2);
  const a = await publish('a');
  feed.receive({ e: epoch, c: a });
  for (const id of ['b', 'c', 'd']) await publish(id);
  const e = await publish('e');
  feed.receive({ e: epoch, c: e });
  await settle();
  assert.deepEqual(events, ['1:a', 'reset', '4:d', '5:e']);
});

test('a message of another epoch resets the listeners and follows the new sequence from its start', async () => {
  const { feed, events, epoch, settle } = await setup();
  const other = new MemoryEngine();
  const first = (await other.publish('r', input('x'))).comment;
  feed.receive({ e: epoch, c: { ...first, id: 'old' } });
  // The store "lost" the room: the feed now reads from a store with a new epoch.
  const restarted = new RoomFeed(
    { history: (after, limit) => other.history('r', after, limit), restartIfBehind: async () => {} },
    { historySize: 100, retryDelay: 10, onError: () => {} },
  );
  restarted.listeners.add((c) => events.push(`${c.seq}:${c.id}`));
  // The new epoch is named: a receiver already welcomed into it need not start over.
  restarted.resetListeners.add((newEpoch) => events.push(`reset:${newEpoch}`));
  restarted.begin({ epoch, seq: 1 });
  const next = (await other.publish('r', input('y'))).comment;
  restarted.receive({ e: (await other.state('r')).epoch, c: next });
  await settle();
  assert.deepEqual(events, ['1:old', `reset:${(await other.state('r')).epoch}`, '1:x', '2:y']);
  feed.close();
});

test('a retraction waits for the comments before it, and a retracted comment is never delivered', async () => {
  const { engine, feed, events, epoch, publish, settle } = await setup();
  feed.eventListeners.add((event) => events.push(`event:${JSON.stringify(event)}`));
  const a = await publish('a');
  await publish('lost');
  const bad = await publish('bad');
  await engine.retract('r', [bad.seq]);
  feed.receive({ e: epoch, c: a });
  // The retraction arrives before 'lost' and 'bad' did: it waits for the history read.
  feed.receive({ e: epoch, s: bad.seq, v: { type: 'retract', seqs: [bad.seq] } });
  feed.receive({ v: { type: 'slow_mode', interval: 5 } });
  await settle();
  assert.deepEqual(events, [
    '1:a',
    '2:lost',
    'event:{"type":"retract","seqs":[3]}',
    'event:{"type":"slow_mode","interval":5}',
  ]);
});
