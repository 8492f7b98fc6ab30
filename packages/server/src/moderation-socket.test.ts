import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type {
  ClearedMessage,
  ErrorMessage,
  PresenceMessage,
  RetractedMessage,
  SlowModeChangedMessage,
  WelcomeMessage,
} from 'danmaku-layer-protocol';
import type { DanmakuServerOptions } from './options.js';
import type { ReportEvent } from './moderation/service.js';
import { TestClient } from './testing/client.js';
import { post, request, signIn, signToken, testAuth } from './testing/moderation-clients.js';
import { startTestServer, type TestContext } from './testing/test-server.js';

async function start(t: TestContext, options: DanmakuServerOptions = {}) {
  const server = await startTestServer(t, { auth: testAuth, ...options });
  /** Opens `query`, authenticates with `claims` and resolves once welcomed. */
  const login = async (query: string, claims: Record<string, unknown>): Promise<TestClient> =>
    signIn(await server.open(query), claims);
  return { ...server, login };
}

const welcomeOf = (client: TestClient) => client.messages.find((m) => m.type === 'welcome') as WelcomeMessage;

test('a moderator retracts a comment: others get "retract", late joiners and resuming clients never see it', async (t) => {
  const { login } = await start(t);
  const mod = await login('room=r1', { sub: 'mod', role: 'moderator' });
  assert.equal(welcomeOf(mod).role, 'moderator');
  assert.equal(welcomeOf(mod).retractWindow, 120);
  const viewer = await login('room=r1', { sub: 'v' });
  assert.equal(welcomeOf(viewer).role, undefined);
  const { epoch } = welcomeOf(viewer);
  const author = await login('room=r1', { sub: 'a' });
  const first = await post(author, 'fine');
  const bad = await post(author, 'a slur');
  const last = await post(author, 'fine too');
  await viewer.waitForComments(3);

  const answer = await request(mod, { type: 'retract', seq: bad });
  assert.deepEqual(answer, { type: 'ack', id: answer.id, seq: bad });
  const retracted = await viewer.next<RetractedMessage>((m) => m.type === 'retract');
  assert.deepEqual(retracted.seqs, [bad]);

  const late = await login('room=r1&last=10', { sub: 'late' });
  await late.next((m) => m.type === 'comments');
  assert.deepEqual(
    late.comments.map((c) => c.seq),
    [first, last],
  );
  const resuming = await login(`room=r1&epoch=${epoch}&seq=0`, { sub: 'back' });
  assert.equal(welcomeOf(resuming).recovered, true);
  await resuming.next((m) => m.type === 'comments');
  assert.deepEqual(
    resuming.comments.map((c) => c.seq),
    [first, last],
  );
  const afterFirst = await login(`room=r1&epoch=${epoch}&seq=${first}`, { sub: 'back2' });
  assert.equal(welcomeOf(afterFirst).recovered, true, 'a retraction is not a gap');
  await afterFirst.next((m) => m.type === 'comments');
  assert.deepEqual(
    afterFirst.comments.map((c) => c.seq),
    [last],
  );

  const again = await request(mod, { type: 'retract', seq: bad });
  assert.equal((again as ErrorMessage).code, 'not_found');
  const unknown = await request(mod, { type: 'retract', seq: 999 });
  assert.equal((unknown as ErrorMessage).code, 'not_found');
});

test('only moderators mute, unmute, clear, set slow mode, or retract the comments of others', async (t) => {
  const { login } = await start(t);
  const author = await login('room=f1', { sub: 'a' });
  const viewer = await login('room=f1', { sub: 'v' });
  const seq = await post(author, 'mine');
  for (const message of [
    { type: 'retract', seq },
    { type: 'mute', seq, duration: 60 },
    { type: 'mute', user: 'a', duration: 60 },
    { type: 'unmute', user: 'a' },
    { type: 'slow_mode', interval: 5 },
    { type: 'clear' },
  ]) {
    const answer = await request(viewer, message);
    assert.equal(answer.type, 'error', message.type);
    assert.equal(answer.code, 'forbidden', message.type);
  }
  assert.equal((await request(author, { type: 'send', text: 'still here' })).type, 'ack');
});

test('a token whose role is not moderator or admin is refused with a clear reason', async (t) => {
  const { open } = await start(t);
  const client = await open('room=f2');
  client.ws.send(JSON.stringify({ type: 'auth', token: await signToken({ sub: 'x', role: 'root' }) }));
  const error = await client.next<ErrorMessage>((m) => m.type === 'error');
  assert.equal(error.code, 'unauthorized');
  assert.match(error.message, /"role"/);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test("a signed-in author retracts their own comment inside the window, not after it, and not others'", async (t) => {
  const { login } = await start(t, { retractWindow: 1 });
  const author = await login('room=w1', { sub: 'a' });
  assert.equal(welcomeOf(author).retractWindow, 1);
  const someone = await login('room=w1', { sub: 's' });
  const seq = await post(author, 'oops');
  const theirs = await post(someone, 'not yours');
  assert.equal(((await request(author, { type: 'retract', seq: theirs })) as ErrorMessage).code, 'forbidden');
  const answer = await request(author, { type: 'retract', seq });
  assert.deepEqual(answer, { type: 'ack', id: answer.id, seq });
  assert.deepEqual((await someone.next<RetractedMessage>((m) => m.type === 'retract')).seqs, [seq]);
  const late = await post(author, 'too late');
  await sleep(1100);
  const refused = (await request(author, { type: 'retract', seq: late })) as ErrorMessage;
  assert.equal(refused.code, 'forbidden');
  assert.match(refused.message, /over/);
});

test('an anonymous author retracts their own comment inside the window; with a window of 0, never', async (t) => {
  const open = await startTestServer(t, { retractWindow: 30 });
  const anon = await open.connect('room=w2');
  const watcher = await open.connect('room=w2');
  const seq = await post(anon, 'oops');
  const answer = await request(anon, { type: 'retract', seq });
  assert.deepEqual(answer, { type: 'ack', id: answer.id, seq });
  assert.deepEqual((await watcher.next<RetractedMessage>((m) => m.type === 'retract')).seqs, [seq]);

  const never = await startTestServer(t, { retractWindow: 0 });
  const client = await never.connect('room=w3');
  assert.equal(welcomeOf(client).retractWindow, 0);
  const mine = await post(client, 'stays');
  assert.equal(((await request(client, { type: 'retract', seq: mine })) as ErrorMessage).code, 'forbidden');
});

test('a muted user gets forbidden with the time left, in the room or everywhere, until unmuted', async (t) => {
  const { login, danmaku } = await start(t);
  const mod = await login('room=m1', { sub: 'mod', role: 'admin' });
  const user = await login('room=m1', { sub: 'loud' });
  const elsewhere = await login('room=m2', { sub: 'loud' });
  const seq = await post(user, 'spam');

  assert.equal((await request(mod, { type: 'mute', seq, duration: 600 })).type, 'ack');
  const refused = (await request(user, { type: 'send', text: 'more spam' })) as ErrorMessage;
  assert.equal(refused.code, 'forbidden');
  assert.ok(refused.retryAfter! > 590_000 && refused.retryAfter! <= 600_000, String(refused.retryAfter));
  assert.equal(
    (await request(elsewhere, { type: 'send', text: 'other room' })).type,
    'ack',
    'a room mute stays in its room',
  );
  const [mute] = await danmaku.moderation.listMutes('m1');
  assert.equal(mute.target, 'user:loud');
  assert.equal(mute.room, 'm1');

  assert.equal((await request(mod, { type: 'unmute', user: 'loud' })).type, 'ack');
  assert.equal((await request(user, { type: 'send', text: 'sorry' })).type, 'ack');

  assert.equal((await request(mod, { type: 'mute', user: 'loud', duration: 60, everywhere: true })).type, 'ack');
  assert.equal(((await request(elsewhere, { type: 'send', text: 'x' })) as ErrorMessage).code, 'forbidden');
  assert.equal(((await request(user, { type: 'send', text: 'x' })) as ErrorMessage).code, 'forbidden');
  assert.equal((await request(mod, { type: 'unmute', user: 'loud', everywhere: true })).type, 'ack');
  assert.equal((await request(elsewhere, { type: 'send', text: 'back' })).type, 'ack');
  assert.equal(((await request(mod, { type: 'mute', seq: 9999, duration: 60 })) as ErrorMessage).code, 'not_found');
});

test('slow mode: one comment per interval per user, moderators exempt, every client told', async (t) => {
  const { login } = await start(t);
  const mod = await login('room=s1', { sub: 'mod', role: 'moderator' });
  const user = await login('room=s1', { sub: 'u' });
  assert.equal(welcomeOf(user).slowMode, 0);
  assert.equal((await request(mod, { type: 'slow_mode', interval: 60 })).type, 'ack');
  assert.equal((await user.next<SlowModeChangedMessage>((m) => m.type === 'slow_mode')).interval, 60);
  assert.equal((await request(user, { type: 'send', text: 'one' })).type, 'ack');
  const refused = (await request(user, { type: 'send', text: 'two' })) as ErrorMessage;
  assert.equal(refused.code, 'rate_limited');
  assert.ok(refused.retryAfter! > 50_000 && refused.retryAfter! <= 60_000, String(refused.retryAfter));
  await post(mod, 'mods are exempt');
  await post(mod, 'twice');
  const late = await login('room=s1', { sub: 'late' });
  assert.equal(welcomeOf(late).slowMode, 60);
  assert.equal((await request(mod, { type: 'slow_mode', interval: 0 })).type, 'ack');
  assert.equal((await late.next<SlowModeChangedMessage>((m) => m.type === 'slow_mode')).interval, 0);
  assert.equal((await request(user, { type: 'send', text: 'free again' })).type, 'ack');
});

test('clear: every client told, the history emptied, the sequence goes on', async (t) => {
  const { login } = await start(t);
  const mod = await login('room=c1', { sub: 'mod', role: 'moderator' });
  const viewer = await login('room=c1', { sub: 'v' });
  await post(viewer, 'one');
  const two = await post(viewer, 'two');
  const answer = await request(mod, { type: 'clear' });
  assert.equal(answer.type, 'ack');
  assert.equal((await viewer.next<ClearedMessage>((m) => m.type === 'clear')).seq, two);
  const late = await login('room=c1&last=50', { sub: 'late' });
  assert.equal(welcomeOf(late).seq, two);
  const three = await post(viewer, 'three');
  assert.equal(three, two + 1);
  await late.waitForComments(1);
  assert.deepEqual(
    late.comments.map((c) => c.seq),
    [three],
  );
  const resumed = await login(`room=c1&epoch=${welcomeOf(viewer).epoch}&seq=1`, { sub: 'back' });
  assert.equal(welcomeOf(resumed).recovered, true);
});

test('reports: once per viewer and comment, rate-limited, listed most reported first, the hook told', async (t) => {
  const told: ReportEvent[] = [];
  const { login, danmaku } = await start(t, { onReport: (report) => void told.push(report) });
  const author = await login('room=p1', { sub: 'a' });
  const one = await login('room=p1', { sub: 'one' });
  const two = await login('room=p1', { sub: 'two' });
  const bad = await post(author, 'bad');
  const meh = await post(author, 'meh');
  assert.equal((await request(one, { type: 'report', seq: bad, reason: 'rude' })).type, 'ack');
  assert.equal((await request(one, { type: 'report', seq: bad, reason: 'rude!' })).type, 'ack', 'a repeat is answered');
  assert.equal((await request(two, { type: 'report', seq: bad })).type, 'ack');
  assert.equal((await request(two, { type: 'report', seq: meh, reason: 'boring' })).type, 'ack');
  assert.equal(((await request(two, { type: 'report', seq: 777 })) as ErrorMessage).code, 'not_found');
  const top = await danmaku.moderation.topReports('p1');
  assert.deepEqual(
    top.map(({ seq, count, reasons }) => ({ seq, count, reasons })),
    [
      { seq: bad, count: 2, reasons: ['rude'] },
      { seq: meh, count: 1, reasons: ['boring'] },
    ],
  );
  assert.equal(top[0].comment?.text, 'bad');
  while (told.length < 3) await sleep(5);
  assert.deepEqual(
    told.map((r) => [r.seq, r.reporter, r.count]),
    [
      [bad, 'user:one', 1],
      [bad, 'user:two', 2],
      [meh, 'user:two', 1],
    ],
  );
  // The budget is a few at once: a flood is refused with a time to wait.
  let limited: ErrorMessage | undefined;
  for (let i = 0; i < 10 && !limited; i++) {
    const answer = await request(one, { type: 'report', seq: meh });
    if (answer.type === 'error') limited = answer;
  }
  assert.equal(limited?.code, 'rate_limited');
  assert.ok(limited.retryAfter! > 0);
});

test('presence: the viewer count reaches members when it changes', async (t) => {
  const { login } = await start(t);
  const a = await login('room=v1', { sub: 'a' });
  assert.equal(welcomeOf(a).viewers, 1);
  const b = await login('room=v1', { sub: 'b' });
  assert.equal(welcomeOf(b).viewers, 2);
  assert.equal((await a.next<PresenceMessage>((m) => m.type === 'presence' && m.viewers === 2)).viewers, 2);
  b.close();
  await a.next<PresenceMessage>((m) => m.type === 'presence' && m.viewers === 1);
  const presences = a.messages.filter((m) => m.type === 'presence');
  assert.deepEqual(
    presences.map((m) => m.viewers),
    [2, 1],
    'sent only when it changed',
  );
});

test('every action is audited: one JSON line, the counter, and the recent actions', async (t) => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of String(chunk).split('\n').filter(Boolean))
          lines.push(JSON.parse(line) as Record<string, unknown>);
        done();
      },
    }),
  );
  const { login, danmaku, http } = await start(t, { logger });
  const mod = await login('room=a1', { sub: 'mod', role: 'moderator' });
  const user = await login('room=a1', { sub: 'u' });
  const seq = await post(user, 'x');
  await request(mod, { type: 'mute', seq, duration: 30 });
  await request(mod, { type: 'slow_mode', interval: 5 });
  await request(mod, { type: 'retract', seq });
  await request(mod, { type: 'clear' });
  const audit = lines.filter((l) => l.audit === true);
  assert.deepEqual(
    audit.map(({ actor, action, room, seq: s, target, duration }) => ({
      actor,
      action,
      room,
      seq: s,
      target,
      duration,
    })),
    [
      { actor: 'mod', action: 'mute', room: 'a1', seq, target: 'user:u', duration: 30 },
      { actor: 'mod', action: 'slow_mode', room: 'a1', seq: undefined, target: undefined, duration: 5 },
      { actor: 'mod', action: 'retract', room: 'a1', seq, target: undefined, duration: undefined },
      { actor: 'mod', action: 'clear', room: 'a1', seq, target: undefined, duration: undefined },
    ],
  );
  assert.ok(audit.every((l) => typeof l.at === 'number'));
  const recent = await danmaku.moderation.recentActions('a1');
  assert.deepEqual(
    recent.map((e) => e.action),
    ['clear', 'retract', 'slow_mode', 'mute'],
  );
  const metrics = await (await fetch(`${http}/metrics`)).text();
  assert.match(metrics, /danmaku_moderation_actions_total\{action="retract"\} 1/);
  assert.match(metrics, /danmaku_moderation_actions_total\{action="mute"\} 1/);
});

test('malformed moderation requests never crash and never reach another client', async (t) => {
  const { login } = await start(t);
  const fuzz = await login('room=z1', { sub: 'fuzz' });
  const other = await login('room=z1', { sub: 'o' });
  const seq = await post(other, 'stays');
  const frames = [
    { type: 'retract' },
    { type: 'retract', id: 'x', seq: -1 },
    { type: 'retract', id: 'x', seq: 1.5 },
    { type: 'retract', id: 'x', seq: '1' },
    { type: 'retract', id: '', seq: 1 },
    { type: 'mute', id: 'x', seq: 1 },
    { type: 'mute', id: 'x', user: 'a', seq: 1, duration: 5 },
    { type: 'mute', id: 'x', user: '', duration: 5 },
    { type: 'mute', id: 'x', user: 'a', duration: 1e12 },
    { type: 'mute', id: 'x', user: 'a', duration: 5, everywhere: 'yes' },
    { type: 'unmute', id: 'x' },
    { type: 'slow_mode', id: 'x', interval: -1 },
    { type: 'slow_mode', id: 'x', interval: null },
    { type: 'report', id: 'x', seq: 1, reason: 42 },
    { type: 'clear', id: { a: 1 } },
    { type: 'report', id: 'x', seq: Number.MAX_SAFE_INTEGER + 2 },
  ];
  for (const frame of frames) {
    fuzz.messages.length = 0;
    fuzz.ws.send(JSON.stringify(frame));
    const error = await fuzz.next<ErrorMessage>((m) => m.type === 'error');
    assert.equal(error.code, 'invalid', JSON.stringify(frame));
  }
  for (let i = 0; i < 30; i++) {
    const junk = JSON.stringify({
      type: ['retract', 'report', 'mute', 'clear'][i % 4],
      id: `j${i}`,
      seq: i * 7919,
      user: 'x'.repeat(i * 40),
      duration: i,
      reason: '\u202e'.repeat(i),
    });
    if (fuzz.ws.readyState === fuzz.ws.OPEN) fuzz.ws.send(junk);
  }
  // Past its invalid-frame budget the fuzzing connection is closed; nobody else notices.
  assert.equal((await fuzz.closed).code, 1008);
  assert.equal((await request(other, { type: 'send', text: 'alive' })).type, 'ack');
  assert.ok(!other.messages.some((m) => m.type === 'error'), 'nothing reached the other client');
  assert.ok(other.comments.some((c) => c.seq === seq));
});
