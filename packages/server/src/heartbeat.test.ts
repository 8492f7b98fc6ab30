/**
 * The server-wide heartbeat: one `heartbeat` message per round, the same for every connection,
 * with a ping in front, members read anew each round, a large round walked in slices that let other
 * work run between them, and nothing after it is stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseServerMessage } from 'danmaku-layer-protocol';
import { HEARTBEAT_SLICE, startHeartbeat, type Beating } from './heartbeat.js';
import type { PreparedFrame } from './prepared-frame.js';

function recorder(): Beating & { frames: PreparedFrame[] } {
  const frames: PreparedFrame[] = [];
  return { frames, beat: (frame) => frames.push(frame) };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

test('each round hands every member the same heartbeat message', async (t) => {
  const a = recorder();
  const b = recorder();
  const stop = startHeartbeat([a, b], 10);
  t.after(stop);
  await until(() => a.frames.length >= 2 && b.frames.length >= 2);
  assert.equal(a.frames[0], b.frames[0], 'one message per round, whoever receives it');
  const message = parseServerMessage(a.frames[0].text);
  assert.equal(message?.type, 'heartbeat', 'a valid heartbeat message');
  assert.equal(a.frames[0].ping, true, 'a ping goes out with it');
});

test('a round over many members yields to other work between slices, and reaches each member once', async (t) => {
  const count = HEARTBEAT_SLICE * 3 + 7;
  const order: string[] = [];
  const members: Array<Beating & { beats: number }> = [];
  for (let i = 0; i < count; i++) {
    const member = {
      beats: 0,
      beat() {
        member.beats++;
        if (i === 0 && member.beats === 1) setImmediate(() => order.push('other work'));
        if (i === count - 1 && member.beats === 1) order.push('last member');
      },
    };
    members.push(member);
  }
  const stop = startHeartbeat(members, 1000);
  t.after(stop);
  await until(() => order.length === 2);
  assert.deepEqual(order, ['other work', 'last member'], 'work queued during the round ran before the round ended');
  assert.ok(members.every((m) => m.beats === 1));
});

test('a member may leave during a round, and the members of each round are the current ones', async (t) => {
  const members = new Set<Beating>();
  const late = recorder();
  const leaving: Beating & { calls: number } = {
    calls: 0,
    beat() {
      this.calls++;
      members.delete(this);
      members.add(late);
    },
  };
  members.add(leaving);
  const stop = startHeartbeat(members, 10);
  t.after(stop);
  await until(() => late.frames.length >= 2);
  assert.equal(leaving.calls, 1);
});

test('stopped, it calls no one; an interval of 0 starts nothing', async () => {
  const member = recorder();
  const stop = startHeartbeat([member], 5);
  await until(() => member.frames.length >= 1);
  stop();
  const seen = member.frames.length;
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(member.frames.length, seen);

  const idle = recorder();
  startHeartbeat([idle], 0)();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.deepEqual(idle.frames, []);
});

test("a round's slices are spread over the first quarter of the interval, each member beaten once", async (t) => {
  const members = new Set<Beating & { beats: number; at: number }>();
  for (let i = 0; i < HEARTBEAT_SLICE * 3; i++) {
    const member = {
      beats: 0,
      at: 0,
      beat() {
        member.beats++;
        member.at = performance.now();
      },
    };
    members.add(member);
  }
  const interval = 400;
  const stop = startHeartbeat(members, interval);
  t.after(stop);
  const all = [...members];
  await until(() => all.every((m) => m.beats >= 1));
  stop();
  assert.ok(all.every((m) => m.beats === 1));
  // Three slices, 400 / 4 / 3 ≈ 33 ms apart: the last slice starts two gaps after the first.
  const spread = all[all.length - 1].at - all[0].at;
  assert.ok(spread >= 60, `the last slice came ${spread.toFixed(1)} ms after the first`);
});
