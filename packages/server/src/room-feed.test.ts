import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Comment } from 'danmaku-layer-protocol';
import { MemoryEngine } from './memory-engine.js';
import { RoomFeed, type EventFeedMessage, type FeedStore } from './room-feed.js';
import type { RoomEvent } from './engine.js';

const input = (id: string) => ({ id, text: id, color: '#ffffff', mode: 'scroll' as const, size: 'medium' as const });

/** A store over a memory engine's room, with an event log as the Redis engine keeps one (`logSize` latest). */
function storeOf(engine: MemoryEngine, log: EventFeedMessage[] = [], logSize = 100): FeedStore {
  return {
    history: (after, limit) => engine.history('r', after, limit),
    restartIfBehind: async () => {},
    events: async () => ({ events: log.at(-1)?.n ?? 0, messages: log.slice(-logSize) }),
  };
}

/**
 * A feed over a memory engine's room: the history is real, the live stream is whatever the test
 * passes in; `logEvent` logs an event as the Redis engine does and returns its message.
 */
async function setup(historySize = 100, logSize = 100) {
  const engine = new MemoryEngine({ historySize });
  const events: string[] = [];
  const log: EventFeedMessage[] = [];
  const feed = new RoomFeed(storeOf(engine, log, logSize), {
    historySize,
    retryDelay: 10,
    onError: (e) => events.push(`error:${String(e)}`),
  });
  feed.listeners.add((c: Comment) => events.push(`${c.seq}:${c.id}`));
  // A gap keeps the epoch: the listener is given none, so every receiver starts over.
  feed.resetListeners.add((epoch) => events.push(epoch === undefined ? 'reset' : `reset:${epoch}`));
  feed.eventListeners.add((event) => events.push(`event:${JSON.stringify(event)}`));
  const state = await engine.state('r');
  feed.begin({ ...state, events: 0 });
  const publish = async (id: string) => (await engine.publish('r', input(id))).comment;
  const settle = () => new Promise((r) => setTimeout(r, 20));
  const logEvent = async (v: RoomEvent, ordered = true): Promise<EventFeedMessage> => {
    const { epoch, seq } = await engine.state('r');
    const message = ordered ? { n: log.length + 1, e: epoch, s: seq, v } : { n: log.length + 1, v };
    log.push(message);
    return message;
  };
  /** The room's state as the Redis engine's heartbeat reads it. */
  const roomState = async () => ({ ...(await engine.state('r')), events: log.length });
  return { engine, feed, events, epoch: state.epoch, publish, settle, logEvent, roomState };
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
  const { feed, events, publish, settle, roomState } = await setup();
  await publish('only');
  feed.check(await roomState());
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
  const restarted = new RoomFeed(storeOf(other), { historySize: 100, retryDelay: 10, onError: () => {} });
  restarted.listeners.add((c) => events.push(`${c.seq}:${c.id}`));
  // The new epoch is named: a receiver already welcomed into it need not start over.
  restarted.resetListeners.add((newEpoch) => events.push(`reset:${newEpoch}`));
  restarted.begin({ epoch, seq: 1, events: 0 });
  const next = (await other.publish('r', input('y'))).comment;
  restarted.receive({ e: (await other.state('r')).epoch, c: next });
  await settle();
  assert.deepEqual(events, ['1:old', `reset:${(await other.state('r')).epoch}`, '1:x', '2:y']);
  feed.close();
});

test('a retraction waits for the comments before it, and a retracted comment is never delivered', async () => {
  const { engine, feed, events, epoch, publish, settle } = await setup();
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

test('an event missed on the live stream is read from the log, in order, before the one that revealed it', async () => {
  const { feed, events, epoch, publish, settle, logEvent } = await setup();
  const a = await publish('a');
  feed.receive({ e: epoch, c: a });
  await logEvent({ type: 'retract', seqs: [1] }); // lost
  await logEvent({ type: 'slow_mode', interval: 5 }, false); // lost
  const third = await logEvent({ type: 'slow_mode', interval: 0 }, false);
  feed.receive(third);
  await settle();
  // The live copy of an event read from the log meanwhile is not delivered twice.
  feed.receive(third);
  await settle();
  assert.deepEqual(events, [
    '1:a',
    'event:{"type":"retract","seqs":[1]}',
    'event:{"type":"slow_mode","interval":5}',
    'event:{"type":"slow_mode","interval":0}',
  ]);
});

test('check() catches a lost last event in a quiet room', async () => {
  const { feed, events, epoch, publish, settle, logEvent, roomState } = await setup();
  const a = await publish('a');
  feed.receive({ e: epoch, c: a });
  await logEvent({ type: 'clear', seq: 1 }); // lost, and nothing follows it
  feed.check(await roomState());
  await settle();
  assert.deepEqual(events, ['1:a', 'event:{"type":"clear","seq":1}']);
});

test('a missed event waits for the comments before it, which arrive from history', async () => {
  const { feed, events, epoch, publish, settle, logEvent, roomState } = await setup();
  const a = await publish('a');
  feed.receive({ e: epoch, c: a });
  await publish('lost');
  await logEvent({ type: 'retract', seqs: [2] }); // lost, like the comment before it
  feed.check(await roomState());
  await settle();
  assert.deepEqual(events, ['1:a', '2:lost', 'event:{"type":"retract","seqs":[2]}']);
});

test('events missed beyond what the log holds make the listeners start over', async () => {
  const { feed, events, epoch, publish, settle, logEvent } = await setup(100, 2);
  const a = await publish('a');
  feed.receive({ e: epoch, c: a });
  for (let i = 1; i <= 3; i++) await logEvent({ type: 'slow_mode', interval: i }, false); // all lost
  const fourth = await logEvent({ type: 'slow_mode', interval: 4 }, false);
  feed.receive(fourth);
  await settle();
  assert.deepEqual(events, ['1:a', 'reset']);
  // It goes on from there.
  feed.receive(await logEvent({ type: 'slow_mode', interval: 5 }, false));
  assert.deepEqual(events, ['1:a', 'reset', 'event:{"type":"slow_mode","interval":5}']);
});

test('events without a number (from servers that keep no log) are delivered as they come', async () => {
  const { feed, events, settle } = await setup();
  feed.receive({ v: { type: 'slow_mode', interval: 3 } });
  feed.receive({ v: { type: 'slow_mode', interval: 3 } });
  await settle();
  assert.deepEqual(events, ['event:{"type":"slow_mode","interval":3}', 'event:{"type":"slow_mode","interval":3}']);
});
