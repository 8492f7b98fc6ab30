import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Comment, CommentsMessage } from 'danmaku-layer-protocol';
import { MemoryEngine } from './memory-engine.js';
import type { PreparedFrame } from './prepared-frame.js';
import { RoomHub, type RoomMember } from './room-hub.js';
import { createDanmakuServer } from './server.js';
import { TestClient } from './testing/client.js';

class Recorder implements RoomMember {
  readonly frames: PreparedFrame[] = [];
  deliver(frame: PreparedFrame, _comments: readonly Comment[]): void {
    this.frames.push(frame);
  }
}

const comment = (id: string) => ({ id, text: id, color: '#ffffff', mode: 'scroll', size: 'medium' }) as const;

test('comments within one flush interval become one frame, encoded once for every member', async (t) => {
  const engine = new MemoryEngine();
  const hub = new RoomHub(engine, { flushInterval: 30 });
  t.after(async () => {
    await hub.close();
    await engine.close();
  });
  const members = [new Recorder(), new Recorder(), new Recorder()];
  for (const member of members) await hub.join('batch', member);
  for (let i = 0; i < 25; i++) await engine.publish('batch', comment(`c${i}`));
  await new Promise((r) => setTimeout(r, 100));
  for (const member of members) assert.equal(member.frames.length, 1);
  // The very same frame: serialised (and framed) once, not once per member.
  assert.ok(members.every((m) => Object.is(m.frames[0], members[0].frames[0])));
  const message = JSON.parse(members[0].frames[0].text) as CommentsMessage;
  assert.deepEqual(
    message.comments.map((c) => c.seq),
    Array.from({ length: 25 }, (_, i) => i + 1),
  );
});

test('a flush interval of 0 sends each comment at once', async (t) => {
  const engine = new MemoryEngine();
  const hub = new RoomHub(engine, { flushInterval: 0 });
  t.after(async () => {
    await hub.close();
    await engine.close();
  });
  const member = new Recorder();
  await hub.join('now', member);
  await engine.publish('now', comment('a'));
  await engine.publish('now', comment('b'));
  assert.equal(member.frames.length, 2);
});

test('over the wire, a burst of comments reaches a viewer as one frame', async (t) => {
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
  const frames = viewer.messages.filter((m) => m.type === 'comments');
  assert.equal(frames.length, 1);
});

test('a retracted comment still in the batch is dropped; events follow the comments before them', async (t) => {
  const engine = new MemoryEngine();
  const hub = new RoomHub(engine, { flushInterval: 10_000, presenceInterval: 0 });
  t.after(async () => {
    await hub.close();
    await engine.close();
  });
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
  const engine = new MemoryEngine();
  const hub = new RoomHub(engine);
  t.after(async () => {
    await hub.close();
    await engine.close();
  });
  const name = ['sha', 'red'].join('');
  await hub.join(name, new Recorder());
  const other = ['sha', 'red'].join('');
  assert.equal(hub.nameOf(other), name);
  assert.equal(hub.nameOf('closed'), 'closed');
});

test('deliveries are counted once per batch: sent and dropped, per comment and member', async (t) => {
  const engine = new MemoryEngine();
  const counts: Array<[number, number]> = [];
  const hub = new RoomHub(engine, {
    flushInterval: 10_000,
    presenceInterval: 0,
    onDelivered: (sent, dropped) => counts.push([sent, dropped]),
  });
  t.after(async () => {
    await hub.close();
    await engine.close();
  });
  const answers: Array<boolean | void> = [true, true, false, undefined];
  for (const answer of answers) await hub.join('counted', { deliver: () => answer });
  await engine.publish('counted', comment('a'));
  await engine.publish('counted', comment('b'));
  await engine.publish('counted', comment('c'));
  await hub.close();
  // Three comments in one batch: two members sent them, one dropped them, one counts for itself.
  assert.deepEqual(counts, [[6, 3]]);
});
