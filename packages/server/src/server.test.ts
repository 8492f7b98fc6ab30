import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createDanmakuServer, type DanmakuServer } from './server.js';
import { TestClient } from './testing/client.js';
import type { AckMessage, CommentsMessage, ErrorMessage } from 'danmaku-layer-protocol';

let danmaku: DanmakuServer;
let base: string;
const clients: TestClient[] = [];
const connect = async (query: string) => {
  const client = await TestClient.connect(base, query);
  clients.push(client);
  return client;
};

before(async () => {
  danmaku = await createDanmakuServer({ flushInterval: 5, logLevel: 'silent', rateLimit: 0, ipRateLimit: 0 });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  base = `ws://127.0.0.1:${port}/ws`;
});
after(async () => {
  for (const c of clients) c.close();
  await danmaku.close();
});

test('a comment reaches everyone in the room, sender included, with increasing seq', async () => {
  const a = await connect('room=r1');
  const b = await connect('room=r1');
  const id = a.sendComment('hello');
  const ack = await a.next<AckMessage>((m) => m.type === 'ack');
  assert.equal(ack.id, id);
  assert.equal(ack.seq, 1);
  a.sendComment('second');
  for (const client of [a, b]) {
    const comments = await client.waitForComments(2);
    assert.deepEqual(
      comments.map((c) => [c.seq, c.text]),
      [
        [1, 'hello'],
        [2, 'second'],
      ],
    );
    assert.equal(typeof comments[0].ts, 'number');
  }
});

test('rooms are independent', async () => {
  const a = await connect('room=r2');
  const other = await connect('room=r3');
  a.sendComment('only r2');
  await a.waitForComments(1);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(other.comments.length, 0);
});

test('bad messages get a typed error and the connection stays open', async () => {
  const a = await connect('room=r4');
  a.ws.send('not json');
  assert.equal((await a.next<ErrorMessage>((m) => m.type === 'error')).code, 'bad_json');
  a.ws.send(JSON.stringify({ type: 'send', id: 'x', text: 'y'.repeat(101) }));
  assert.equal((await a.next<ErrorMessage>((m) => m.type === 'error' && m.code !== 'bad_json')).code, 'too_long');
  a.sendComment('still here');
  assert.equal((await a.waitForComments(1))[0].text, 'still here');
});

test('oversized frames close the connection with 1009', async () => {
  const a = await connect('room=r5');
  const closed = new Promise<number>((resolve) => a.ws.on('close', (code) => resolve(code)));
  a.ws.send('x'.repeat(10_000));
  assert.equal(await closed, 1009);
});

test('an invalid room name is refused with close code 4000', async () => {
  const client = new TestClient(`${base}?room=${encodeURIComponent('no spaces')}`);
  clients.push(client);
  const code = await new Promise<number>((resolve) => client.ws.on('close', (c) => resolve(c)));
  assert.equal(code, 4000);
});

test('a late joiner asking for ?last=N gets the N most recent comments as a replay, then live ones', async () => {
  const a = await connect('room=late');
  for (let i = 1; i <= 5; i++) a.sendComment(`m${i}`);
  await a.waitForComments(5);
  const late = await connect('room=late&last=3');
  const replay = await late.next<CommentsMessage>((m) => m.type === 'comments');
  assert.equal(replay.replay, true);
  assert.deepEqual(
    replay.comments.map((c) => c.text),
    ['m3', 'm4', 'm5'],
  );
  a.sendComment('m6');
  await late.waitForComments(4);
  assert.deepEqual(
    late.comments.map((c) => c.seq),
    [3, 4, 5, 6],
  );
});

test('HTTP: /healthz, the widget bundle, and 404 for anything else', async () => {
  const http = base.replace('ws://', 'http://').replace('/ws', '');
  const health = await fetch(`${http}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  const bundle = await fetch(`${http}/danmaku-layer.bundle.js`);
  assert.equal(bundle.status, 200);
  assert.match(bundle.headers.get('content-type') ?? '', /javascript/);
  assert.match(await bundle.text(), /danmaku-layer/);
  assert.equal((await fetch(`${http}/`)).status, 404, 'no demo unless asked for');
  assert.equal((await fetch(`${http}/../package.json`)).status, 404);
});

test('the demo option serves the demo page at /', async () => {
  const withDemo = await createDanmakuServer({ demo: true });
  const { port } = await withDemo.listen(0, '127.0.0.1');
  try {
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<danmaku-layer/);
  } finally {
    await withDemo.close();
  }
});

test('bad options throw errors that name the option', async () => {
  await assert.rejects(createDanmakuServer({ maxTextLength: 0 }), { name: 'RangeError', message: /maxTextLength/ });
  await assert.rejects(createDanmakuServer({ flushInterval: -1 }), { name: 'RangeError', message: /flushInterval/ });
  await assert.rejects(createDanmakuServer({ path: 'ws' }), { name: 'TypeError', message: /path/ });
});
