/**
 * Malformed input and floods over real sockets, against the real bin in its own process: the
 * server must not crash, must keep its memory, and must keep serving well-behaved clients.
 * Set FUZZ_SEED to replay a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { WebSocket } from 'ws';
import { PROTOCOL, type AckMessage, type ErrorMessage, type ServerMessage } from 'danmaku-layer-protocol';
import { startBin, type RunningBin } from './testing/bin.js';
import { TestClient } from './testing/client.js';

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const debug = (message: string): void => void (process.env.FUZZ_DEBUG && process.stderr.write(`${message}\n`));
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const random = prng(seed);
const int = (n: number): number => Math.floor(random() * n);
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
const unicode = (n: number): string =>
  Array.from({ length: n }, () => String.fromCodePoint(pick([int(0x80), int(0x2070), 0x202e, 0x2066, 0x200f, 0xfeff, 0x1f600 + int(80), int(0xd7ff)]))).join('');

const validSend = (): Record<string, unknown> => ({ type: 'send', id: `f${int(1e9)}`, text: 'fuzz ok' });

const WRONG_VALUES: unknown[] = [null, true, false, 0, -1, 1e308, -0.5, '', ' ', [], [1], {}, { a: 1 }, 'x'.repeat(70), '\u0000', '#ff', '#GGGGGG', 'SCROLL'];

/** Inputs that keep the connection open (the server answers with an error or ignores them). */
const survivable: Array<() => string | Buffer | { binary: Buffer }> = [
  // random bytes sent as a binary frame
  () => ({ binary: bytes(1 + int(512)) }),
  // random valid-UTF-8 text
  () => unicode(1 + int(200)),
  // truncated or corrupted JSON
  () => JSON.stringify(validSend()).slice(0, int(40)),
  () => {
    const s = JSON.stringify(validSend());
    const i = int(s.length);
    return s.slice(0, i) + String.fromCharCode(int(128)) + s.slice(i + 1);
  },
  // JSON that is not an object
  () => JSON.stringify(pick(WRONG_VALUES)),
  () => pick(['null', '[]', '"send"', '42', 'true', '{}', '[{"type":"send"}]']),
  // deep nesting, within maxPayload
  () => '['.repeat(1000 + int(1000)) + ']'.repeat(int(2000)),
  () => '{"a":'.repeat(300 + int(400)) + '1' + '}'.repeat(int(700)),
  () => JSON.stringify({ ...validSend(), text: JSON.parse('['.repeat(500) + ']'.repeat(500)) }),
  // prototype-pollution shaped keys
  () => '{"type":"send","__proto__":{"type":"auth","token":"t"},"id":"p1","text":"proto"}',
  () => '{"__proto__":{"type":"send"},"id":"p2","text":"x"}',
  () => '{"constructor":{"prototype":{"polluted":true}},"type":"send","id":"p3","text":"c"}',
  () => JSON.stringify({ type: pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']), id: 'p4', text: 'y' }),
  () => `{"type":"send","id":"p5","text":"t","color":{"__proto__":null},"mode":{"constructor":1}}`,
  // wrong types in every field
  () => JSON.stringify({ ...validSend(), [pick(['type', 'id', 'text', 'color', 'mode', 'size', 'time'])]: pick(WRONG_VALUES) }),
  () => JSON.stringify({ type: 'auth', token: pick(WRONG_VALUES) }),
  () => JSON.stringify({ type: 'send', id: pick(WRONG_VALUES), text: pick(WRONG_VALUES) }),
  // unknown message types
  () => JSON.stringify({ type: pick(['subscribe', 'join', 'welcome', 'ack', 'comments', 'heartbeat', 'SEND', 'send ', '']), id: 'u' }),
  () => JSON.stringify({ id: 'no-type', text: 'x' }),
  // text that is too long, only control/bidi characters, or hostile but valid
  () => JSON.stringify({ ...validSend(), text: 'y'.repeat(101 + int(3000)) }),
  () => JSON.stringify({ ...validSend(), text: '\u202e\u2066\u0000\u0007 \t\n'.repeat(1 + int(20)) }),
  () => JSON.stringify({ ...validSend(), text: `<img src=x onerror=alert(${int(9)})>${unicode(int(20))}` }),
  () => JSON.stringify({ ...validSend(), time: pick([-1, 'now', null, 1e400]) }),
  // duplicate keys: the last one wins in JSON.parse
  () => '{"type":"send","type":"auth","id":"d","text":"dup","token":""}',
];

/** Inputs after which the server closes the connection (the fuzzer reconnects). */
const fatal: Array<(ws: WebSocket) => void> = [
  // text frames that are not UTF-8 (close 1007)
  (ws) => ws.send(Buffer.concat([Buffer.from('{"type":"send","text":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), bytes(int(50))]), { binary: false }),
  // frames above maxPayload (close 1009)
  (ws) => ws.send('z'.repeat(4097 + int(100_000))),
  // raw bytes on the socket: broken frame headers, reserved opcodes and bits, unmasked frames (close 1002)
  (ws) => (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.concat([Buffer.from([0x80 | (3 + int(5)) | (int(2) << 6), int(256)]), bytes(int(64))])),
  (ws) => (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(bytes(1 + int(256))),
];

async function openFuzzer(base: string, localAddress: string): Promise<WebSocket> {
  for (;;) {
    const room = random() < 0.9 ? 'fuzz' : pick(['', 'bad room', '../etc', 'x'.repeat(65), '%00', 'ok-room']);
    const ws = new WebSocket(`${base}?room=${encodeURIComponent(room)}&seq=${pick(['-1', 'NaN', '1e99', '3'])}&epoch=${pick(['', '..', 'x'.repeat(80)])}`, [PROTOCOL], { localAddress });
    ws.on('error', () => {});
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('close', () => resolve(false));
      ws.once('unexpected-response', () => resolve(false));
    });
    if (opened && room === 'fuzz') return ws;
    ws.terminate();
    if (!opened) await new Promise((r) => setTimeout(r, 5));
  }
}

async function serverMemory(server: RunningBin): Promise<{ rss: number; heap: number }> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1]);
  return { rss: read('process_resident_memory_bytes'), heap: read('nodejs_heap_size_used_bytes') };
}

/** A sender that posts at a polite pace and a viewer that must receive every one of its comments. */
async function wellBehaved(base: string, room: string) {
  const sender = await TestClient.connect(base, `room=${room}`, { localAddress: '127.0.0.21' });
  const viewer = await TestClient.connect(base, `room=${room}`, { localAddress: '127.0.0.22' });
  const ids: string[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      ids.push(sender.sendComment(`polite ${ids.length}`));
      // Two per second is the default limit; stay just under it.
      await new Promise((r) => setTimeout(r, 550));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      const answers = await Promise.all(
        ids.map((id) => sender.next<AckMessage | ErrorMessage>((m) => (m.type === 'ack' || m.type === 'error') && m.id === id, 20_000)),
      );
      const received = new Set((await viewer.waitForComments(0)).map((c) => c.id));
      const deadline = Date.now() + 20_000;
      while (ids.some((id) => !received.has(id)) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        for (const c of viewer.comments) received.add(c.id);
      }
      sender.close();
      viewer.close();
      return { ids, answers, received };
    },
  };
}

test(`10,000+ malformed inputs: no crash, bounded memory, no lost comments (seed ${seed})`, async (t) => {
  const server = await startBin(t, ['--log-level', 'info']);
  const base = `ws://127.0.0.1:${server.port}/ws`;
  debug('started');
  const polite = await wellBehaved(base, 'fuzz');
  debug('polite');
  // Warm up so that memory is compared with a server that has already loaded its code.
  for (let i = 0; i < 50; i++) (await openFuzzer(base, '127.0.0.20')).terminate();
  const before = await serverMemory(server);
  debug('warm');

  let inputs = 0;
  let replies = 0;
  const FUZZERS = 4;
  const PER_FUZZER = Number(process.env.FUZZ_PER_CONNECTION ?? 2600);
  await Promise.all(
    Array.from({ length: FUZZERS }, async (_, f) => {
      let ws = await openFuzzer(base, `127.0.0.${30 + f}`);
      ws.on('message', () => replies++);
      for (let i = 0; i < PER_FUZZER; i++) {
        inputs++;
        if (i % 100 === 0) debug(`fuzzer ${f}: ${i}`);
        if (random() < 0.06) {
          const closed =
            ws.readyState === ws.CLOSED ? Promise.resolve() : new Promise((resolve) => ws.once('close', resolve));
          pick(fatal)(ws);
          // A partial frame header leaves the server waiting for the rest: give up on this one.
          const timer = setTimeout(() => ws.terminate(), 1000);
          await closed;
          clearTimeout(timer);
          ws = await openFuzzer(base, `127.0.0.${30 + f}`);
          ws.on('message', () => replies++);
          continue;
        }
        const input = pick(survivable)();
        if (typeof input === 'object' && 'binary' in input) ws.send(input.binary, { binary: true });
        else ws.send(input);
        // Let the socket drain now and then rather than queueing the whole run in memory.
        if (i % 200 === 0) await new Promise((r) => setImmediate(r));
      }
      ws.close();
    }),
  );
  // Raw TCP garbage at the HTTP layer, and broken upgrade requests.
  await Promise.all(
    Array.from({ length: 100 }, (_, i) => {
      inputs++;
      return new Promise<void>((resolve) => {
        const socket = tcpConnect({ host: '127.0.0.1', port: server.port, localAddress: '127.0.0.40' });
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.on('connect', () => {
          socket.end(
            i % 2 === 0
              ? bytes(1 + int(2000))
              : `GET /ws?room=fuzz HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${pick(['', 'short', '!!!!'])}\r\nSec-WebSocket-Version: ${pick(['13', '8', 'x'])}\r\n\r\n`,
          );
        });
        setTimeout(() => socket.destroy(), 2000).unref();
      });
    }),
  );
  assert.ok(inputs >= 10_000, `${inputs} inputs`);

  const { ids, answers, received } = await polite.stop();
  assert.equal(server.child.exitCode, null, 'the server is still running');
  assert.equal((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status, 200);
  assert.ok(ids.length >= 5, `${ids.length} polite comments`);
  assert.deepEqual(answers.filter((a) => a.type !== 'ack'), [], 'every polite comment was acknowledged');
  assert.deepEqual(ids.filter((id) => !received.has(id)), [], 'the viewer received every polite comment');

  const after = await serverMemory(server);
  t.diagnostic(`inputs ${inputs}, replies ${replies}, rss ${before.rss >> 20} → ${after.rss >> 20} MiB, heap ${before.heap >> 20} → ${after.heap >> 20} MiB`);
  assert.ok(after.heap - before.heap < 64 * 2 ** 20, `heap grew ${(after.heap - before.heap) >> 20} MiB`);
  assert.ok(after.rss - before.rss < 128 * 2 ** 20, `rss grew ${(after.rss - before.rss) >> 20} MiB`);
  assert.equal(server.lines.filter((l) => (l.level as number) >= 50).length, 0, 'no error was logged');
});

test('a client flooding 10,000 comments/s is held to its limit; others are not slowed', async (t) => {
  const server = await startBin(t, ['--log-level', 'info']);
  const base = `ws://127.0.0.1:${server.port}/ws`;
  const polite = await wellBehaved(base, 'flood');
  const flooder = new WebSocket(`${base}?room=flood`, [PROTOCOL], { localAddress: '127.0.0.50' });
  await new Promise((resolve) => flooder.once('open', resolve));
  const answers = new Map<string, ServerMessage>();
  flooder.on('message', (data) => {
    const message = JSON.parse(String(data)) as ServerMessage;
    if ((message.type === 'ack' || message.type === 'error') && message.id) answers.set(message.id, message);
  });

  const started = Date.now();
  let sent = 0;
  // 100 comments every 10 ms: 10,000 per second, for two seconds.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      for (let i = 0; i < 100; i++) flooder.send(JSON.stringify({ type: 'send', id: `flood${sent++}`, text: 'FLOOD' }));
      if (Date.now() - started >= 2000) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const deadline = Date.now() + 30_000;
  while (answers.size < sent && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const elapsed = (Date.now() - started) / 1000;
  const { ids, answers: politeAnswers, received } = await polite.stop();
  flooder.terminate();

  assert.equal(answers.size, sent, 'every flood message was answered');
  const accepted = [...answers.values()].filter((m) => m.type === 'ack').length;
  const limited = [...answers.values()].filter((m) => m.type === 'error' && m.code === 'rate_limited');
  t.diagnostic(`flooder sent ${sent} in ${elapsed.toFixed(1)} s: ${accepted} accepted, ${limited.length} rate_limited; polite ${ids.length}`);
  assert.ok(sent >= 10_000, `${sent} sent`);
  // Default limit: a burst of 5, then 2 per second for as long as the flood was being answered.
  assert.ok(accepted <= 5 + Math.ceil(2 * elapsed) + 1, `${accepted} accepted in ${elapsed} s`);
  assert.equal(accepted + limited.length, sent);
  assert.ok(limited.every((m) => m.type === 'error' && m.retryAfter! > 0));
  assert.deepEqual(politeAnswers.filter((a) => a.type !== 'ack'), [], 'every polite comment was acknowledged');
  assert.deepEqual(ids.filter((id) => !received.has(id)), [], 'the viewer received every polite comment');
  assert.equal(server.child.exitCode, null);
});
