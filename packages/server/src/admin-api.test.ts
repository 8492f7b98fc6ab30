/**
 * The HTTP admin API against a running server: its token, every route, and bad requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import type { ClearedMessage, ErrorMessage, RetractedMessage, SlowModeChangedMessage } from 'danmaku-layer-protocol';
import type { DanmakuServerOptions } from './options.js';
import { createDanmakuServer } from './server.js';
import { post, request, signIn, testAuth } from './testing/moderation-clients.js';
import { startTestServer, type TestContext } from './testing/test-server.js';

const TOKEN = 'admin-token-for-the-tests-0123456789';

async function start(t: TestContext, options: DanmakuServerOptions = {}) {
  const server = await startTestServer(t, { adminToken: TOKEN, rateLimit: 0, ipRateLimit: 0, ...options });
  /** Calls the admin API; `token: null` sends no Authorization header. */
  const admin = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    token: string | null = TOKEN,
  ) => {
    const res = await fetch(`${server.http}${path}`, {
      method,
      headers: {
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
  };
  return { ...server, admin };
}

test('without an admin token the API is not served', async (t) => {
  const { http } = await startTestServer(t);
  for (const [method, path] of [
    ['DELETE', '/rooms/a/comments/1'],
    ['GET', '/rooms/a/moderation'],
    ['GET', '/mutes'],
  ]) {
    const res = await fetch(`${http}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 404, `${method} ${path}`);
  }
});

test('a missing or wrong token is 401 with WWW-Authenticate; the right one is served', async (t) => {
  const { admin } = await start(t);
  for (const token of [null, 'wrong', `${TOKEN}x`, TOKEN.toUpperCase(), '']) {
    const res = await admin('GET', '/rooms/a/moderation', undefined, {}, token);
    assert.equal(res.status, 401, String(token));
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.equal((res.body.error as { code: string }).code, 'unauthorized');
  }
  const basic = await admin('GET', '/rooms/a/moderation', undefined, { authorization: `Basic ${TOKEN}` }, null);
  assert.equal(basic.status, 401);
  const ok = await admin('GET', '/rooms/a/moderation');
  assert.equal(ok.status, 200);
  assert.deepEqual(ok.body, { room: 'a', actions: [] });
});

test('an address that keeps failing is refused for a while, even with the right token', async (t) => {
  const { admin } = await start(t);
  let status = 0;
  for (let i = 0; i < 11 && status !== 429; i++) status = (await admin('GET', '/mutes', undefined, {}, 'nope')).status;
  assert.equal(status, 429);
  const blocked = await admin('GET', '/mutes');
  assert.equal(blocked.status, 429);
  assert.ok(Number(blocked.headers.get('retry-after')) >= 1);
});

test('DELETE a comment: it leaves every screen and the history; a second DELETE is 404', async (t) => {
  const { admin, connect } = await start(t);
  const author = await connect('room=live');
  const viewer = await connect('room=live');
  const keep = await post(author, 'fine');
  const gone = await post(author, 'my phone number');
  await viewer.waitForComments(2);
  const res = await admin('DELETE', `/rooms/live/comments/${gone}`, undefined, { 'x-danmaku-actor': 'alice' });
  assert.deepEqual([res.status, res.body], [200, { room: 'live', seq: gone }]);
  const retracted = await viewer.next<RetractedMessage>((m) => m.type === 'retract');
  assert.deepEqual(retracted.seqs, [gone]);
  const late = await connect('room=live&last=10');
  await late.next((m) => m.type === 'comments');
  assert.deepEqual(
    late.comments.map((c) => c.seq),
    [keep],
  );
  assert.equal((await admin('DELETE', `/rooms/live/comments/${gone}`)).status, 404);
  assert.equal((await admin('DELETE', '/rooms/live/comments/999')).status, 404);
  const audit = await admin('GET', '/rooms/live/moderation');
  const actions = audit.body.actions as Array<Record<string, unknown>>;
  assert.equal(actions[0].action, 'retract');
  assert.equal(actions[0].seq, gone);
  assert.equal(actions[0].actor, 'admin-api:alice');
});

test('mutes by comment, by address and by user id; listed; lifted', async (t) => {
  const { admin, connect } = await start(t);
  const sender = await connect('room=m');
  const seq = await post(sender, 'spam');
  const muted = await admin('POST', '/rooms/m/mutes', { seq, duration: 600 });
  assert.equal(muted.status, 201);
  const mute = muted.body.mute as { target: string; room: string; until: number };
  assert.match(mute.target, /^addr:/);
  assert.equal(mute.room, 'm');
  const refused = (await request(sender, { type: 'send', text: 'more spam' })) as ErrorMessage;
  assert.equal(refused.code, 'forbidden');
  assert.ok(refused.retryAfter! > 590_000 && refused.retryAfter! <= 600_000);

  const list = await admin('GET', '/rooms/m/mutes');
  assert.deepEqual(
    (list.body.mutes as Array<{ target: string }>).map((m) => m.target),
    [mute.target],
  );
  const lifted = await admin('DELETE', `/rooms/m/mutes/${encodeURIComponent(mute.target)}`);
  assert.equal(lifted.status, 200);
  assert.equal((await request(sender, { type: 'send', text: 'sorry' })).type, 'ack');

  // Everywhere, by address: every room of this address.
  const everywhere = await admin('POST', '/mutes', { address: '127.0.0.1', duration: 60 });
  assert.equal(everywhere.status, 201);
  const other = await connect('room=elsewhere');
  assert.equal(((await request(other, { type: 'send', text: 'x' })) as ErrorMessage).code, 'forbidden');
  assert.equal((await admin('GET', '/mutes')).body.mutes instanceof Array, true);
  assert.equal((await admin('DELETE', `/mutes/${encodeURIComponent('addr:127.0.0.1')}`)).status, 200);
  assert.equal((await request(other, { type: 'send', text: 'x' })).type, 'ack');

  const byUser = await admin('POST', '/rooms/m/mutes', { user: 'u-1', duration: 5, everywhere: true });
  assert.equal((byUser.body.mute as { target: string }).target, 'user:u-1');
  const actions = (await admin('GET', '/rooms/m/moderation')).body.actions as Array<{ action: string }>;
  assert.deepEqual(
    actions.map((a) => a.action),
    ['mute', 'unmute', 'mute'],
  );
});

test('slow mode and clear reach every client; reports are listed most first', async (t) => {
  const { admin, open } = await start(t, { auth: testAuth });
  // Signed in: each reporter counts once, whatever address it comes from.
  const login = async (sub: string) => signIn(await open('room=s'), { sub });
  const viewer = await login('viewer');
  const author = await login('author');
  const a = await post(author, 'a');
  const b = await post(author, 'b');
  await viewer.waitForComments(2);
  for (const [i, seq] of [b, a, b].entries()) {
    const reporter = await login(`reporter-${i}`);
    assert.equal((await request(reporter, { type: 'report', seq, reason: 'spam' })).type, 'ack');
  }
  const reports = (await admin('GET', '/rooms/s/reports')).body.reports as Array<{ seq: number; count: number }>;
  assert.deepEqual(
    reports.map((r) => [r.seq, r.count]),
    [
      [b, 2],
      [a, 1],
    ],
  );

  const slow = await admin('PUT', '/rooms/s/slow-mode', { interval: 30 });
  assert.deepEqual([slow.status, slow.body], [200, { room: 's', interval: 30 }]);
  assert.equal((await viewer.next<SlowModeChangedMessage>((m) => m.type === 'slow_mode')).interval, 30);
  assert.deepEqual((await admin('GET', '/rooms/s/slow-mode')).body, { room: 's', interval: 30 });
  assert.equal(((await request(author, { type: 'send', text: 'c' })) as ErrorMessage).type, 'ack');
  assert.equal(((await request(author, { type: 'send', text: 'd' })) as ErrorMessage).code, 'rate_limited');

  const cleared = await admin('POST', '/rooms/s/clear');
  assert.equal(cleared.status, 200);
  assert.equal(cleared.body.removed, 3);
  assert.equal((await viewer.next<ClearedMessage>((m) => m.type === 'clear')).seq, cleared.body.seq);
  assert.deepEqual((await admin('GET', '/rooms/s/reports')).body.reports, []);
});

test('bad requests get 400, 405, 413 or 415 with a reason, and never reach the service', async (t) => {
  const { admin } = await start(t);
  const cases: Array<[string, string, unknown, Record<string, string>, number]> = [
    ['DELETE', '/rooms/a/comments/0', undefined, {}, 400],
    ['DELETE', '/rooms/a/comments/x1', undefined, {}, 400],
    ['DELETE', '/rooms/a%20b/comments/1', undefined, {}, 400],
    ['DELETE', '/rooms/%E0%A4%A/comments/1', undefined, {}, 400],
    ['POST', '/rooms/a/mutes', '{not json', {}, 400],
    ['POST', '/rooms/a/mutes', [1, 2], {}, 400],
    ['POST', '/rooms/a/mutes', { duration: 60 }, {}, 400],
    ['POST', '/rooms/a/mutes', { user: 'u', seq: 1, duration: 60 }, {}, 400],
    ['POST', '/rooms/a/mutes', { user: 'u', duration: 0 }, {}, 400],
    ['POST', '/rooms/a/mutes', { address: 'not-an-ip', duration: 60 }, {}, 400],
    ['POST', '/mutes', { seq: 3, duration: 60 }, {}, 400],
    ['DELETE', '/rooms/a/mutes/someone', undefined, {}, 400],
    ['PUT', '/rooms/a/slow-mode', { interval: -1 }, {}, 400],
    ['PUT', '/rooms/a/slow-mode', { interval: 99999 }, {}, 400],
    ['GET', '/rooms/a/reports?limit=0', undefined, {}, 400],
    ['PATCH', '/rooms/a/slow-mode', undefined, {}, 405],
    ['GET', '/rooms/a/comments/1', undefined, {}, 405],
    ['PUT', '/rooms/a/slow-mode', 'interval=3', { 'content-type': 'application/x-www-form-urlencoded' }, 415],
    ['PUT', '/rooms/a/slow-mode', JSON.stringify({ interval: 1, pad: 'x'.repeat(5000) }), {}, 413],
  ];
  for (const [method, path, body, headers, status] of cases) {
    const res = await admin(method, path, body, headers);
    assert.equal(res.status, status, `${method} ${path} ${JSON.stringify(body)}`);
    assert.equal(typeof (res.body.error as { message: string }).message, 'string');
  }
  assert.deepEqual((await admin('GET', '/rooms/a/moderation')).body.actions, []);
  // The public read API and other routes are untouched.
  assert.equal((await fetch(`${(await start(t)).http}/healthz`)).status, 200);
});

test('a body that lies about its length or never ends cannot hold the API', async (t) => {
  const { http } = await start(t);
  const { port } = new URL(http);
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      {
        port,
        host: '127.0.0.1',
        method: 'POST',
        path: '/rooms/a/mutes',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'content-length': '100000' },
      },
      (res) => resolve(res.statusCode ?? 0),
    );
    req.on('error', reject);
    req.write('{"user":');
  });
  assert.equal(status, 413);
});

test('the admin API is served on the internal port too, with the same token', async (t) => {
  const danmaku = await createDanmakuServer({ adminToken: TOKEN, internalPort: 0, logLevel: 'silent' });
  t.after(() => danmaku.close());
  await danmaku.listen(0, '127.0.0.1');
  const internal = `http://127.0.0.1:${danmaku.internalAddress!.port}`;
  assert.equal((await fetch(`${internal}/mutes`)).status, 401);
  const res = await fetch(`${internal}/mutes`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.deepEqual([res.status, await res.json()], [200, { mutes: [] }]);
  assert.equal((await fetch(`${internal}/healthz`)).status, 200);
});

test('adminToken must be a string of 16 characters or more without white space', async () => {
  for (const adminToken of ['short', 'has white space in it', 42]) {
    await assert.rejects(
      createDanmakuServer({ adminToken: adminToken as string, logLevel: 'silent' }),
      /Option "adminToken" must be a string of at least 16 characters/,
    );
  }
});
