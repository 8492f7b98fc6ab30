import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Comment, CommentsMessage } from 'danmaku-layer-protocol';
import { MemoryEngine } from './memory-engine.js';
import type { PreparedFrame } from './prepared-frame.js';
import { RoomHub, type RoomHubOptions, type RoomMember } from './room-hub.js';
import { createDanmakuServer } from './server.js';
import { TestClient } from './testing/client.js';

class Recorder implements RoomMember {
  readonly frames: PreparedFrame[] = [];
  deliver(frame: PreparedFrame, _comments: readonly Comment[]): void {
    this.frames.push(frame);
  }
}

/** A hub on a memory engine of its own, both closed when the test ends. */
function hubOn(t: TestContext, options?: RoomHubOptions): { engine: MemoryEngine; hub: RoomHub } {
  const engine = new MemoryEngine();
  const hub = new RoomHub(engine, options);
  t.after(async () => {
    await hub.close();
    await engine.close();
  });
  return { engine, hub };
}

const comment = (id: string) => ({ id, text: id, color: '#ffffff', mode: 'scroll', size: 'medium' }) as const;

const seqsOf = (frame: PreparedFrame) => (JSON.parse(frame.text) as CommentsMessage).comments.map((c) => c.seq);

test('comments that follow one another within a flush interval become one frame, encoded once for every member', async (t) => {
  const { engine, hub } = hubOn(t, { flushInterval: 30 });
  const members = [new Recorder(), new Recorder(), new Recorder()];
  for (const member of members) await hub.join('batch', member);
  for (let i = 0; i < 25; i++) await engine.publish('batch', comment(`c${i}`));
  await new Promise((r) => setTimeout(r, 100));
  // The first found the room quiet and went at once; the 24 behind it within the interval, together.
  for (const member of members) assert.equal(member.frames.length, 2);
  // The very same frames: serialised (and framed) once, not once per member.
  for (const i of [0, 1]) assert.ok(members.every((m) => Object.is(m.frames[i], members[0].frames[i])));
  assert.deepEqual(seqsOf(members[0].frames[0]), [1]);
  assert.deepEqual(
    seqsOf(members[0].frames[1]),
    Array.from({ length: 24 }, (_, i) => i + 2),
  );
});

test('a comment that finds the room quiet for a whole flush interval goes at once; one that follows waits', async (t) => {
  const { engine, hub } = hubOn(t, { flushInterval: 40, presenceInterval: 0 });
  const member = new Recorder();
  await hub.join('quiet', member);
  await engine.publish('quiet', comment('a'));
  assert.equal(member.frames.length, 1, 'the first comment went out without waiting');
  await engine.publish('quiet', comment('b'));
  assert.equal(member.frames.length, 1, 'a comment right behind it waits for the interval');
  await new Promise((r) => setTimeout(r, 80));
  assert.deepEqual(member.frames.map(seqsOf), [[1], [2]]);
  // Quiet again for longer than the interval since b went out: c goes at once too.
  await new Promise((r) => setTimeout(r, 60));
  await engine.publish('quiet', comment('c'));
  assert.deepEqual(member.frames.map(seqsOf), [[1], [2], [3]]);
});

test('a flush interval of 0 sends each comment at once', async (t) => {
  const { engine, hub } = hubOn(t, { flushInterval: 0 });
  const member = new Recorder();
  await hub.join('now', member);
  await engine.publish('now', comment('a'));
  await engine.publish('now', comment('b'));
  assert.equal(member.frames.length, 2);
});

test('over the wire, a burst into a quiet room reaches a viewer as two frames: its first comment, then the rest', async (t) => {
  const danmaku = await createDanmakuServer({ flushInterval: 200, rateLimit: 0, ipRateLimit: 0, logLevel: 'silent' });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  const base = `ws://127.0.0.1:${port}/ws`;
  const sender = await TestClient.connect(base, 'room=burst');
  const viewer = await TestClient.connect(base, 'room=burst');
  t.after(async () => {
    sender.close();
    viewer.close();
    await danmaku.close();
  });
  for (let i = 0; i < 20; i++) sender.sendComment(`burst ${i}`);
  await viewer.waitForComments(20);
  const frames = viewer.messages.filter((m): m is CommentsMessage => m.type === 'comments');
  // The first comment found the room quiet and went at once; the other nineteen came together.
  assert.deepEqual(
    frames.map((f) => f.comments.length),
    [1, 19],
  );
});

test('a retracted comment still in the batch is dropped; events follow the comments before them', async (t) => {
  const { engine, hub } = hubOn(t, { flushInterval: 10_000, presenceInterval: 0 });
  const frames: string[] = [];
  const member: RoomMember = {
    deliver: (frame) => {
      frames.push(frame.text);
      return true;
    },
    notify: (frame) => frames.push(frame.text),
  };
  await hub.join('events', member);
  await engine.publish('events', comment('a'));
  const { comment: bad } = await engine.publish('events', comment('bad'));
  await engine.retract('events', [bad.seq]);
  await engine.signal('events', { type: 'slow_mode', interval: 3 });
  assert.deepEqual(
    frames.map((f) => JSON.parse(f) as unknown),
    [
      {
        type: 'comments',
        comments: [{ ...comment('a'), seq: 1, ts: (JSON.parse(frames[0]) as CommentsMessage).comments[0].ts }],
      },
      { type: 'retract', seqs: [bad.seq] },
      { type: 'slow_mode', interval: 3 },
    ],
  );
});

test("nameOf gives an open room's own name string, and any other name back as it is", async (t) => {
  const { hub } = hubOn(t);
  const name = ['sha', 'red'].join('');
  await hub.join(name, new Recorder());
  const other = ['sha', 'red'].join('');
  assert.equal(hub.nameOf(other), name);
  assert.equal(hub.nameOf('closed'), 'closed');
});

test('deliveries are counted once per batch: sent and dropped, per comment and member', async (t) => {
  const counts: Array<[number, number]> = [];
  const { engine, hub } = hubOn(t, {
    flushInterval: 10_000,
    presenceInterval: 0,
    onDelivered: (sent, dropped) => counts.push([sent, dropped]),
  });
  const answers: Array<boolean | void> = [true, true, false, undefined];
  for (const answer of answers) await hub.join('counted', { deliver: () => answer });
  await engine.publish('counted', comment('a'));
  await engine.publish('counted', comment('b'));
  await engine.publish('counted', comment('c'));
  await hub.close();
  // The first comment alone (the room was quiet), then two in one batch: two members sent them,
  // one dropped them, one counts for itself.
  assert.deepEqual(counts, [
    [2, 1],
    [4, 2],
  ]);
});
