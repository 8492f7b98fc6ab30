import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AckMessage, ErrorMessage } from 'danmaku-layer-protocol';
import { TokenBucket, takeAll } from './rate-limit.js';
import { createDanmakuServer, type DanmakuServerOptions } from './server.js';
import { TestClient, upgradeStatus } from './testing/client.js';

test('a bucket gives its burst at once, then refills at its rate', () => {
  const bucket = new TokenBucket(2, 5, 0);
  for (let i = 0; i < 5; i++) assert.equal(takeAll([bucket], 0), 0);
  assert.equal(bucket.wait(0), 500);
  assert.equal(bucket.wait(250), 250);
  assert.equal(takeAll([bucket], 500), 0);
  assert.equal(bucket.full(500), false);
  assert.equal(bucket.full(3000), true);
});

test('takeAll takes from every bucket or from none', () => {
  const own = new TokenBucket(1, 3, 0);
  const shared = new TokenBucket(1, 1, 0);
  assert.equal(takeAll([own, shared], 0), 0);
  assert.equal(takeAll([own, shared], 0), 1000);
  // The refusal did not cost the connection's own bucket anything: two tokens are left.
  assert.equal(takeAll([own], 0), 0);
  assert.equal(takeAll([own], 0), 0);
  assert.ok(takeAll([own], 0) > 0);
});

test('a rate of 0 means no limit', () => {
  const bucket = new TokenBucket(0, 1, 0);
  for (let i = 0; i < 1000; i++) assert.equal(takeAll([bucket], 0), 0);
});

async function start(t: { after: (fn: () => unknown) => void }, options: DanmakuServerOptions = {}) {
  const danmaku = await createDanmakuServer({ flushInterval: 5, logLevel: 'silent', ...options });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  const base = `ws://127.0.0.1:${port}/ws`;
  const clients: TestClient[] = [];
  t.after(async () => {
    for (const c of clients) c.close();
    await danmaku.close();
  });
  const connect = async (query: string, localAddress = '127.0.0.1') => {
    const client = await TestClient.connect(base, query, { localAddress });
    clients.push(client);
    return client;
  };
  return { danmaku, base, connect };
}

/** Sends `count` comments at once and collects what answers each: `ack` or an error code. */
async function burst(client: TestClient, count: number): Promise<Array<AckMessage | ErrorMessage>> {
  const ids = Array.from({ length: count }, (_, i) => client.sendComment(`burst ${i}`));
  return Promise.all(
    ids.map((id) =>
      client.next<AckMessage | ErrorMessage>((m) => (m.type === 'ack' || m.type === 'error') && m.id === id),
    ),
  );
}

test('by default a connection may post 5 at once; the rest get rate_limited with retryAfter', async (t) => {
  const { connect } = await start(t);
  const client = await connect('room=rl1');
  const answers = await burst(client, 8);
  assert.equal(answers.filter((a) => a.type === 'ack').length, 5);
  const refused = answers.filter((a): a is ErrorMessage => a.type === 'error');
  assert.equal(refused.length, 3);
  for (const error of refused) {
    assert.equal(error.code, 'rate_limited');
    assert.ok(error.retryAfter! > 0 && error.retryAfter! <= 500, `retryAfter ${error.retryAfter}`);
  }
  // After waiting as told, a send succeeds.
  await new Promise((r) => setTimeout(r, refused[0].retryAfter! + 20));
  assert.equal((await burst(client, 1))[0].type, 'ack');
});

test('connections from one IP share its bucket; other IPs are not affected', async (t) => {
  const { connect } = await start(t, { ipRateLimit: 0.5, ipRateBurst: 3, rateBurst: 5 });
  const first = await connect('room=rl2', '127.0.0.5');
  const second = await connect('room=rl2', '127.0.0.5');
  const other = await connect('room=rl2', '127.0.0.6');
  const a = await burst(first, 2);
  const b = await burst(second, 2);
  const accepted = [...a, ...b].filter((m) => m.type === 'ack').length;
  assert.equal(accepted, 3);
  assert.equal(b.at(-1)!.type === 'error' && (b.at(-1) as ErrorMessage).code, 'rate_limited');
  assert.equal((await burst(other, 3)).filter((m) => m.type === 'ack').length, 3);
});

test('too many connections from one IP get HTTP 429; other IPs still connect', async (t) => {
  const { base, connect } = await start(t, { maxConnectionsPerIp: 2 });
  const one = await connect('room=ip', '127.0.0.7');
  await connect('room=ip', '127.0.0.7');
  assert.equal(await upgradeStatus(`${base}?room=ip`, { localAddress: '127.0.0.7' }), 429);
  assert.equal(await upgradeStatus(`${base}?room=ip`, { localAddress: '127.0.0.8' }), 101);
  one.close();
  await one.closed;
  // The server notices the close asynchronously; retry until the slot is free.
  let status = 0;
  for (let i = 0; i < 50 && status !== 101; i++) {
    status = await upgradeStatus(`${base}?room=ip`, { localAddress: '127.0.0.7' });
    if (status !== 101) await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(status, 101);
});

test('past maxRooms a new room is refused with 4005; existing rooms still take viewers', async (t) => {
  const { base, connect } = await start(t, { maxRooms: 2 });
  await connect('room=one');
  await connect('room=two');
  const third = new TestClient(`${base}?room=three`);
  assert.equal((await third.closed).code, 4005);
  const again = await connect('room=two');
  again.sendComment('still open');
  assert.equal((await again.waitForComments(1))[0].text, 'still open');
});

test('frames above maxPayload close the connection with 1009', async (t) => {
  const { connect } = await start(t, { maxPayload: 512 });
  const client = await connect('room=big');
  client.ws.send(JSON.stringify({ type: 'send', id: 'x', text: 'y'.repeat(600) }));
  assert.equal((await client.closed).code, 1009);
});
