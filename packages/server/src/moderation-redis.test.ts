import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ClearedMessage,
  ErrorMessage,
  PresenceMessage,
  RetractedMessage,
  SlowModeChangedMessage,
  WelcomeMessage,
} from 'danmaku-layer-protocol';
import { Redis } from 'ioredis';
import { RedisEngine } from './redis-engine.js';
import { RedisModerationStore } from './moderation/redis-store.js';
import type { TestClient } from './testing/client.js';
import { post, request, signIn, testAuth } from './testing/moderation-clients.js';
import { TestRedis } from './testing/redis-server.js';
import { startTestServer, type TestContext, type TestServer } from './testing/test-server.js';

let redis: TestRedis;

before(async () => {
  redis = await TestRedis.start();
});
after(async () => {
  await redis.stop();
});

/** One server instance on the shared Redis: its own engine and moderation store connections. */
async function instance(t: TestContext, adminToken?: string) {
  const engine = new RedisEngine({ url: redis.url, heartbeatInterval: 200 });
  const moderationStore = new RedisModerationStore({ url: redis.url });
  await engine.whenReady();
  const server: TestServer = await startTestServer(t, {
    auth: testAuth,
    engine,
    moderationStore,
    ...(adminToken ? { adminToken } : {}),
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await server.danmaku.close();
    await engine.close();
    await moderationStore.close();
  };
  t.after(stop);
  const login = async (query: string, claims: Record<string, unknown>): Promise<TestClient> =>
    signIn(await server.open(query), claims);
  return { ...server, login, stop };
}

const welcomeOf = (client: TestClient) => client.messages.find((m) => m.type === 'welcome') as WelcomeMessage;

test('two instances: a retraction reaches every client, late joiners and resumers on both never see it', async (t) => {
  const one = await instance(t);
  const two = await instance(t);
  const mod = await one.login('room=x1', { sub: 'mod', role: 'moderator' });
  const there = await two.login('room=x1', { sub: 'v' });
  const { epoch } = welcomeOf(there);
  const keep = await post(there, 'keep');
  const bad = await post(there, 'bad');
  await mod.waitForComments(2);
  const answer = await request(mod, { type: 'retract', seq: bad });
  assert.deepEqual(answer, { type: 'ack', id: answer.id, seq: bad });
  assert.deepEqual((await there.next<RetractedMessage>((m) => m.type === 'retract')).seqs, [bad]);
  const next = await post(there, 'after');
  assert.equal(next, bad + 1);
  for (const server of [one, two]) {
    const late = await server.login('room=x1&last=10', { sub: 'late' });
    await late.waitForComments(2);
    assert.deepEqual(
      late.comments.map((c) => c.seq),
      [keep, next],
    );
    const back = await server.login(`room=x1&epoch=${epoch}&seq=${keep}`, { sub: 'back' });
    assert.equal(welcomeOf(back).recovered, true);
    await back.waitForComments(1);
    assert.deepEqual(
      back.comments.map((c) => c.seq),
      [next],
    );
  }
  // The author of a signed-in comment is known on the other instance too.
  const own = await post(there, 'mine');
  const authorAnswer = await request(there, { type: 'retract', seq: own });
  assert.equal(authorAnswer.type, 'ack');
  assert.deepEqual((await mod.next<RetractedMessage>((m) => m.type === 'retract' && m.seqs[0] === own)).seqs, [own]);
});

test('two instances: a retraction made while their pub/sub connections are down reaches every viewer, once', async (t) => {
  const one = await instance(t);
  const two = await instance(t);
  const mod = await one.login('room=x-lost', { sub: 'mod', role: 'moderator' });
  const there = await two.login('room=x-lost', { sub: 'v' });
  const bad = await post(there, 'bad');
  await mod.waitForComments(1);
  const raw = new Redis(redis.url, { maxRetriesPerRequest: 0 });
  t.after(() => raw.disconnect());
  // Both instances' subscriptions drop; the retraction is published while they reconnect.
  await raw.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
  assert.equal((await request(mod, { type: 'retract', seq: bad })).type, 'ack');
  for (const client of [mod, there]) {
    assert.deepEqual((await client.next<RetractedMessage>((m) => m.type === 'retract')).seqs, [bad]);
  }
  // A comment after it arrives too, and the retraction was not given twice.
  const next = await post(there, 'after');
  await mod.next((m) => m.type === 'comments' && m.comments.some((c) => c.seq === next));
  for (const client of [mod, there]) assert.equal(client.messages.filter((m) => m.type === 'retract').length, 1);
});

test('two instances: mutes, slow mode and clear apply on both, and survive an instance restart', async (t) => {
  const one = await instance(t);
  const two = await instance(t);
  const mod = await one.login('room=x2', { sub: 'mod', role: 'admin' });
  const user = await two.login('room=x2', { sub: 'loud' });
  const seq = await post(user, 'spam');
  await mod.waitForComments(1);
  assert.equal((await request(mod, { type: 'mute', seq, duration: 300 })).type, 'ack');
  const muted = (await request(user, { type: 'send', text: 'more' })) as ErrorMessage;
  assert.equal(muted.code, 'forbidden');
  assert.ok(muted.retryAfter! > 290_000);
  assert.equal((await request(mod, { type: 'unmute', seq })).type, 'ack');
  assert.equal((await request(user, { type: 'send', text: 'sorry' })).type, 'ack');

  assert.equal((await request(mod, { type: 'slow_mode', interval: 120 })).type, 'ack');
  assert.equal((await user.next<SlowModeChangedMessage>((m) => m.type === 'slow_mode')).interval, 120);
  assert.equal((await request(user, { type: 'send', text: 'one' })).type, 'ack');
  const slow = (await request(user, { type: 'send', text: 'two' })) as ErrorMessage;
  assert.equal(slow.code, 'rate_limited');
  assert.ok(slow.retryAfter! > 100_000 && slow.retryAfter! <= 120_000, String(slow.retryAfter));
  assert.equal((await request(mod, { type: 'mute', user: 'loud', duration: 300, everywhere: true })).type, 'ack');

  const last = await post(mod, 'before clear');
  assert.equal((await request(mod, { type: 'clear' })).type, 'ack');
  assert.equal((await user.next<ClearedMessage>((m) => m.type === 'clear')).seq, last);

  // The instance the user was on goes away; a fresh one on the same Redis knows it all.
  await two.stop();
  const three = await instance(t);
  const again = await three.login('room=x2&last=50', { sub: 'loud' });
  assert.equal(welcomeOf(again).slowMode, 120);
  assert.ok(!again.messages.some((m) => m.type === 'comments'), 'the cleared history stays empty');
  const stillMuted = (await request(again, { type: 'send', text: 'x' })) as ErrorMessage;
  assert.equal(stillMuted.code, 'forbidden');
  const elsewhere = await three.login('room=x3', { sub: 'loud' });
  assert.equal(((await request(elsewhere, { type: 'send', text: 'x' })) as ErrorMessage).code, 'forbidden');
  const list = await one.danmaku.moderation.listMutes();
  assert.ok(list.some((m) => m.target === 'user:loud' && m.room === undefined));
  const recent = await three.danmaku.moderation.recentActions('x2');
  assert.deepEqual(
    recent.map((e) => e.action),
    ['clear', 'mute', 'slow_mode', 'unmute', 'mute'],
  );
});

test('two instances: presence counts viewers on both', async (t) => {
  const one = await instance(t);
  const two = await instance(t);
  const a = await one.login('room=x4', { sub: 'a' });
  const b = await two.login('room=x4', { sub: 'b' });
  assert.equal(welcomeOf(b).viewers, 2);
  await a.next<PresenceMessage>((m) => m.type === 'presence' && m.viewers === 2);
  const c = await two.login('room=x4', { sub: 'c' });
  await a.next<PresenceMessage>((m) => m.type === 'presence' && m.viewers === 3);
  b.close();
  c.close();
  await a.next<PresenceMessage>((m) => m.type === 'presence' && m.viewers === 1);
});

test('two instances: reports are counted once per viewer across both, and listed most reported first', async (t) => {
  const one = await instance(t);
  const two = await instance(t);
  const author = await one.login('room=x5', { sub: 'a' });
  const r1 = await one.login('room=x5', { sub: 'r1' });
  const r2 = await two.login('room=x5', { sub: 'r2' });
  const bad = await post(author, 'bad');
  const meh = await post(author, 'meh');
  await r2.waitForComments(2);
  for (const [client, seq, reason] of [
    [r1, bad, 'rude'],
    [r2, bad, 'very rude'],
    [r2, bad, 'again'],
    [r1, meh, undefined],
  ] as const) {
    assert.equal((await request(client, { type: 'report', seq, ...(reason ? { reason } : {}) })).type, 'ack');
  }
  const top = await one.danmaku.moderation.topReports('x5');
  assert.deepEqual(
    top.map(({ seq, count, reasons, comment }) => ({ seq, count, reasons, text: comment?.text })),
    [
      { seq: bad, count: 2, reasons: ['very rude', 'rude'], text: 'bad' },
      { seq: meh, count: 1, reasons: [], text: 'meh' },
    ],
  );
  const mod = await two.login('room=x5', { sub: 'mod', role: 'moderator' });
  assert.equal((await request(mod, { type: 'retract', seq: bad })).type, 'ack');
  assert.deepEqual(
    (await two.danmaku.moderation.topReports('x5')).map((r) => r.seq),
    [meh],
    'a retracted comment leaves the reports',
  );
});

test('two instances: the admin API of one retracts, mutes and clears for the clients of the other', async (t) => {
  const token = 'admin-token-shared-by-both-instances';
  const one = await instance(t, token);
  const two = await instance(t);
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${one.http}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const viewer = await two.login('room=x-admin', { sub: 'viewer' });
  const author = await two.login('room=x-admin', { sub: 'author' });
  const bad = await post(author, 'bad');
  await viewer.waitForComments(1);
  assert.equal((await admin('DELETE', `/rooms/x-admin/comments/${bad}`)).status, 200);
  assert.deepEqual((await viewer.next<RetractedMessage>((m) => m.type === 'retract')).seqs, [bad]);
  assert.equal((await admin('POST', '/rooms/x-admin/mutes', { user: 'author', duration: 60 })).status, 201);
  assert.equal(((await request(author, { type: 'send', text: 'again' })) as ErrorMessage).code, 'forbidden');
  const cleared = await admin('POST', '/rooms/x-admin/clear');
  assert.equal(cleared.status, 200);
  assert.equal((await viewer.next<ClearedMessage>((m) => m.type === 'clear')).seq, cleared.body.seq);
  const actions = (await admin('GET', '/rooms/x-admin/moderation')).body.actions as Array<{ action: string }>;
  assert.deepEqual(
    actions.map((a) => a.action),
    ['clear', 'mute', 'retract'],
  );
});
