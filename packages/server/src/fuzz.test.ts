/**
 * Malformed input and floods over real sockets, against the real bin in its own process: the
 * server must not crash, must keep its memory, and must keep serving well-behaved clients.
 * Set FUZZ_SEED to replay a run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import {
  CloseCode,
  PROTOCOL,
  sanitizeText,
  type AckMessage,
  type Comment,
  type ErrorMessage,
  type ServerMessage,
} from 'danmaku-layer-protocol';
import { startBin, type RunningBin } from './testing/bin.js';
import { TestClient } from './testing/client.js';
import { TestRedis } from './testing/redis-server.js';

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
const pick = <T>(items: readonly T[]): T => items[int(items.length)];
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
const unicode = (n: number): string =>
  Array.from({ length: n }, () =>
    String.fromCodePoint(
      pick([int(0x80), int(0x2070), 0x202e, 0x2066, 0x200f, 0xfeff, 0x1f600 + int(80), int(0xd7ff)]),
    ),
  ).join('');

const validSend = (): Record<string, unknown> => ({ type: 'send', id: `f${int(1e9)}`, text: 'fuzz ok' });

/** Invisible, format, bidi and tag characters, lone surrogates and joiners: what the sanitiser must catch. */
const INVISIBLE = [
  '\u200b',
  '\u200c',
  '\u200d',
  '\u2060',
  '\u3164',
  '\u2800',
  '\u115f',
  '\uffa0',
  '\u00ad',
  '\ufeff',
  '\u061c',
  '\u200e',
  '\u200f',
  '\u202a',
  '\u202e',
  '\u2066',
  '\u2069',
  '\u206a',
  '\u206f',
  '\u{e0001}',
  '\u{e0041}',
  '\u{e007f}',
  '\ufe0f',
  '\u{e0100}',
  '\u0301',
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\u0000',
  '\u0007',
  '\u001b',
];
/** Text of `n` characters drawn from {@link INVISIBLE}, with a visible one now and then when `visible`. */
const hostileText = (n: number, visible: boolean): string =>
  Array.from({ length: n }, () =>
    visible && random() < 0.2 ? pick(['a', '😀', '👩', '💻', 'ش', 'क']) : pick(INVISIBLE),
  ).join('');

/**
 * Whether a broadcast text is what the sanitiser lets through: well-formed, no control, format,
 * bidi or tag character (joiners only inside words and emoji), something visible, and stable.
 */
function sanitised(text: string): boolean {
  return (
    !/\p{Cs}|[^\P{Cc}]|[^\P{Cf}\u200c\u200d]|[\u{e0000}-\u{e00ff}\u3164\u115f\u1160\uffa0]|(?<![^\s\p{M}\u200c\u200d])\p{VS}/u.test(
      text,
    ) &&
    /[^\s\p{M}\u2800]/u.test(text) &&
    sanitizeText(text) === text
  );
}

const WRONG_VALUES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -0.5,
  '',
  ' ',
  [],
  [1],
  {},
  { a: 1 },
  'x'.repeat(70),
  '\u0000',
  '#ff',
  '#GGGGGG',
  'SCROLL',
];

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
  () =>
    JSON.stringify({
      type: pick(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']),
      id: 'p4',
      text: 'y',
    }),
  () => `{"type":"send","id":"p5","text":"t","color":{"__proto__":null},"mode":{"constructor":1}}`,
  // wrong types in every field
  () =>
    JSON.stringify({
      ...validSend(),
      [pick(['type', 'id', 'text', 'color', 'mode', 'size', 'time'])]: pick(WRONG_VALUES),
    }),
  () => JSON.stringify({ type: 'auth', token: pick(WRONG_VALUES) }),
  () => JSON.stringify({ type: 'send', id: pick(WRONG_VALUES), text: pick(WRONG_VALUES) }),
  // unknown message types
  () =>
    JSON.stringify({
      type: pick(['subscribe', 'join', 'welcome', 'ack', 'comments', 'heartbeat', 'SEND', 'send ', '']),
      id: 'u',
    }),
  () => JSON.stringify({ id: 'no-type', text: 'x' }),
  // text that is too long, only control/bidi characters, or hostile but valid
  () => JSON.stringify({ ...validSend(), text: 'y'.repeat(101 + int(3000)) }),
  () => JSON.stringify({ ...validSend(), text: '\u202e\u2066\u0000\u0007 \t\n'.repeat(1 + int(20)) }),
  () => JSON.stringify({ ...validSend(), text: `<img src=x onerror=alert(${int(9)})>${unicode(int(20))}` }),
  () => JSON.stringify({ ...validSend(), time: pick([-1, 'now', null, Number.POSITIVE_INFINITY]) }),
  // invisible-only text (must be `empty`), and hostile text with something visible (must be sanitised)
  () => JSON.stringify({ ...validSend(), text: hostileText(1 + int(40), false) }),
  () => JSON.stringify({ ...validSend(), text: hostileText(1 + int(40), true) }),
  // lone surrogates written as JSON escapes, which JSON.parse turns into lone UTF-16 units
  () =>
    `{"type":"send","id":"s${int(1e6)}","text":"${pick(['\\ud800', '\\udfff', 'a\\ud83d', '\\ude00b', '\\ud83d\\ude00\\ud83d'])}"}`,
  // duplicate keys: the last one wins in JSON.parse
  () => '{"type":"send","type":"auth","id":"d","text":"dup","token":""}',
];

/** Inputs after which the server closes the connection (the fuzzer reconnects). */
const fatal: Array<(ws: WebSocket) => void> = [
  // text frames that are not UTF-8 (close 1007)
  (ws) =>
    ws.send(
      Buffer.concat([Buffer.from('{"type":"send","text":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), bytes(int(50))]),
      { binary: false },
    ),
  // frames above maxPayload (close 1009)
  (ws) => ws.send('z'.repeat(4097 + int(100_000))),
  // raw bytes on the socket: broken frame headers, reserved opcodes and bits, unmasked frames (close 1002)
  (ws) =>
    (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(
      Buffer.concat([Buffer.from([0x80 | (3 + int(5)) | (int(2) << 6), int(256)]), bytes(int(64))]),
    ),
  (ws) => (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(bytes(1 + int(256))),
];

async function openFuzzer(base: string, localAddress: string): Promise<WebSocket> {
  for (;;) {
    const room = random() < 0.9 ? 'fuzz' : pick(['', 'bad room', '../etc', 'x'.repeat(65), '%00', 'ok-room']);
    const ws = new WebSocket(
      `${base}?room=${encodeURIComponent(room)}&seq=${pick(['-1', 'NaN', '1e99', '3'])}&epoch=${pick(['', '..', 'x'.repeat(80)])}`,
      [PROTOCOL],
      { localAddress },
    );
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
    /** Every comment the viewer received, fuzzers' included. */
    viewerComments: (): Comment[] => viewer.comments,
    async stop() {
      running = false;
      await loop;
      const answers = await Promise.all(
        ids.map((id) =>
          sender.next<AckMessage | ErrorMessage>(
            (m) => (m.type === 'ack' || m.type === 'error') && m.id === id,
            20_000,
          ),
        ),
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
  // The invalid-frame budget is off here, so that every shape reaches the parser; the budget has a
  // test of its own below.
  const server = await startBin(t, ['--log-level', 'info', '--invalid-frame-rate', '0']);
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
  assert.deepEqual(
    answers.filter((a) => a.type !== 'ack'),
    [],
    'every polite comment was acknowledged',
  );
  assert.deepEqual(
    ids.filter((id) => !received.has(id)),
    [],
    'the viewer received every polite comment',
  );
  const broadcast = polite.viewerComments();
  assert.ok(broadcast.length > ids.length, 'fuzz comments were broadcast too');
  assert.deepEqual(
    broadcast.filter((c) => !sanitised(c.text)).map((c) => c.text),
    [],
    'every broadcast text is sanitised',
  );

  const after = await serverMemory(server);
  t.diagnostic(
    `inputs ${inputs}, replies ${replies}, rss ${before.rss >> 20} → ${after.rss >> 20} MiB, heap ${before.heap >> 20} → ${after.heap >> 20} MiB`,
  );
  assert.ok(after.heap - before.heap < 64 * 2 ** 20, `heap grew ${(after.heap - before.heap) >> 20} MiB`);
  assert.ok(after.rss - before.rss < 128 * 2 ** 20, `rss grew ${(after.rss - before.rss) >> 20} MiB`);
  assert.deepEqual(
    server.lines.filter((l) => (l.level as number) >= 50),
    [],
    'no error was logged',
  );
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
  t.diagnostic(
    `flooder sent ${sent} in ${elapsed.toFixed(1)} s: ${accepted} accepted, ${limited.length} rate_limited; polite ${ids.length}`,
  );
  assert.ok(sent >= 10_000, `${sent} sent`);
  // Default limit: a burst of 5, then 2 per second for as long as the flood was being answered.
  assert.ok(accepted <= 5 + Math.ceil(2 * elapsed) + 1, `${accepted} accepted in ${elapsed} s`);
  assert.equal(accepted + limited.length, sent);
  assert.ok(limited.every((m) => m.type === 'error' && m.retryAfter! > 0));
  assert.deepEqual(
    politeAnswers.filter((a) => a.type !== 'ack'),
    [],
    'every polite comment was acknowledged',
  );
  assert.deepEqual(
    ids.filter((id) => !received.has(id)),
    [],
    'the viewer received every polite comment',
  );
  assert.equal(server.child.exitCode, null);
});

/** Reads the bin's live heap after a full GC (see testing/heap-probe.ts). */
async function liveHeap(server: RunningBin): Promise<number> {
  const seen = server.lines.length;
  server.child.kill('SIGUSR2');
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = server.lines.slice(seen).find((l) => l.msg === 'heap');
    if (line) return line.heap as number;
    if (Date.now() > deadline) throw new Error('no heap reading');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const HEAP_PROBE = { NODE_OPTIONS: `--import ${fileURLToPath(new URL('./testing/heap-probe.js', import.meta.url))}` };

async function gauge(server: RunningBin, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1]);
}

/** Joins `room` from `localAddress`, posts one comment, waits for its answer and leaves. */
async function visitRoom(base: string, room: string, localAddress: string): Promise<void> {
  const client = await TestClient.connect(base, `room=${room}`, { localAddress });
  const id = client.sendComment(`one in ${room}`);
  await client.next((m) => (m.type === 'ack' || m.type === 'error') && m.id === id);
  client.close();
  await client.closed;
}

test('a churn of thousands of rooms leaves nothing held: engine rooms back to 0, heap per room near 0', async (t) => {
  // Short windows, so the sweep (every 5 s at these settings) forgets a room soon after it is left.
  const server = await startBin(
    t,
    ['--log-level', 'info', '--history-age', '10000', '--dedupe-window', '10000'],
    HEAP_PROBE,
  );
  const base = `ws://127.0.0.1:${server.port}/ws`;
  const ROOMS = 3000;
  const churn = async (from: number, count: number) => {
    // 250 addresses per churn take turns, as many clients would: none comes near the new-room limit.
    const workers = 25;
    await Promise.all(
      Array.from({ length: workers }, async (_, w) => {
        for (let i = from + w; i < from + count; i += workers)
          await visitRoom(base, `churn-${i}`, `127.0.${4 + Math.floor(i / ROOMS)}.${(i % 250) + 1}`);
      }),
    );
  };
  // Warm up with a churn of the same size: code loaded and optimised, pools grown, then back to an
  // empty engine. What a second churn leaves behind is then what rooms leave behind.
  await churn(0, ROOMS);
  await waitFor(async () => (await gauge(server, 'danmaku_engine_rooms')) === 0, 30_000);
  const baseline = await liveHeap(server);

  await churn(ROOMS, ROOMS);
  const held = await gauge(server, 'danmaku_engine_rooms');
  const heldHeap = await liveHeap(server);
  await waitFor(async () => (await gauge(server, 'danmaku_engine_rooms')) === 0, 30_000);
  const after = await liveHeap(server);

  const perHeldRoom = (heldHeap - baseline) / held;
  const perRoomAfter = (after - baseline) / ROOMS;
  t.diagnostic(
    `${ROOMS} rooms: held ${held}, heap ${(baseline / 2 ** 20).toFixed(2)} → ${(heldHeap / 2 ** 20).toFixed(2)} → ${(after / 2 ** 20).toFixed(2)} MiB; ${Math.round(perHeldRoom)} B per held room, ${Math.round(perRoomAfter)} B per room after the sweep`,
  );
  assert.ok(held > 500, `${held} rooms were held before the sweep`);
  assert.equal(await gauge(server, 'danmaku_engine_dedupe_entries'), 0);
  // A held room costs its history and dedupe entry; a forgotten one costs nothing.
  assert.ok(perHeldRoom < 8192, `${Math.round(perHeldRoom)} B per held room`);
  // What is left is noise (limiter entries of the churning addresses, allocator slack), not rooms.
  assert.ok(perRoomAfter < Math.min(256, perHeldRoom / 4), `${Math.round(perRoomAfter)} B left per churned room`);
});

async function waitFor(check: () => Promise<boolean>, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('silent and header-dribbling sockets from one address cannot lock others out', async (t) => {
  const server = await startBin(t, ['--log-level', 'info', '--max-sockets-per-ip', '50']);
  const sockets: Socket[] = [];
  t.after(() => sockets.forEach((s) => s.destroy()));
  const open = (i: number) =>
    new Promise<void>((resolve) => {
      const socket = tcpConnect({ host: '127.0.0.1', port: server.port, localAddress: '127.0.0.70' });
      sockets.push(socket);
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
      socket.on('connect', () => {
        // Half stay silent; half start an upgrade and dribble a header line now and then.
        if (i % 2) socket.write(`GET /ws?room=fuzz HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(int(2000))}`);
        resolve();
      });
    });
  await Promise.all(Array.from({ length: 400 }, (_, i) => open(i)));
  const dribble = setInterval(() => sockets.forEach((s) => s.writable && s.write('a')), 200);
  t.after(() => clearInterval(dribble));
  await new Promise((r) => setTimeout(r, 500));
  const held = sockets.filter((s) => !s.destroyed).length;
  assert.ok(held <= 50, `${held} sockets held for one address`);
  // Honest clients from other addresses connect and talk.
  const a = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws`, 'room=honest', { localAddress: '127.0.0.71' });
  const b = await TestClient.connect(`ws://127.0.0.1:${server.port}/ws`, 'room=honest', { localAddress: '127.0.0.72' });
  a.sendComment('through');
  await b.next((m) => m.type === 'comments');
  a.close();
  b.close();
  const refused = await gauge(server, 'danmaku_connections_refused_total{reason="socket_limit"}');
  assert.ok(refused >= 350, `${refused} sockets refused`);
});

test('invalid frames at the default budget: 1008, then 429 for the address; honest clients unaffected', async (t) => {
  const server = await startBin(t, ['--log-level', 'info']);
  const base = `ws://127.0.0.1:${server.port}/ws`;
  const viewer = await TestClient.connect(base, 'room=fuzz', { localAddress: '127.0.0.73' });
  const bad = await TestClient.connect(base, 'room=fuzz', { localAddress: '127.0.0.74' });
  let sent = 0;
  while (bad.ws.readyState === bad.ws.OPEN && sent < 2000) {
    const input = pick(survivable)();
    if (typeof input === 'object' && 'binary' in input) bad.ws.send(input.binary, { binary: true });
    else bad.ws.send(input);
    sent++;
    if (sent % 50 === 0) await new Promise((r) => setImmediate(r));
  }
  assert.equal((await bad.closed).code, CloseCode.PolicyViolation);
  const errors = bad.messages.filter((m) => m.type === 'error').length;
  t.diagnostic(`${sent} frames sent, ${errors} errors answered before 1008`);
  assert.ok(errors <= 40, `${errors} error replies`);
  const again = new TestClient(`${base}?room=fuzz`, undefined, { localAddress: '127.0.0.74' });
  await assert.rejects(again.opened(), /HTTP 429/);
  const sender = await TestClient.connect(base, 'room=fuzz', { localAddress: '127.0.0.75' });
  const id = sender.sendComment('still fine');
  await viewer.next((m) => m.type === 'comments' && m.comments.some((c) => c.id === id));
  viewer.close();
  sender.close();
});

test('auth mode: hostile token claims are sanitised before broadcast; garbage tokens cost nothing', async (t) => {
  const secret = 'a-fuzz-secret-that-is-32-bytes-long!';
  const server = await startBin(t, ['--log-level', 'info', '--jwt-secret', secret, '--jwt-audience', 'fuzz']);
  const base = `ws://127.0.0.1:${server.port}/ws`;
  const key = new TextEncoder().encode(secret);
  const token = (claims: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setAudience('fuzz').setExpirationTime('5m').sign(key);
  const join = async (jwt: string, localAddress: string) => {
    const client = new TestClient(`${base}?room=auth`, undefined, { localAddress });
    await client.opened();
    client.ws.send(JSON.stringify({ type: 'auth', token: jwt }));
    return client;
  };
  const viewer = await join(await token({ sub: 'viewer' }), '127.0.0.80');
  await viewer.next((m) => m.type === 'welcome');

  const posted: string[] = [];
  for (let i = 0; i < 40; i++) {
    const sub = i % 5 === 0 ? `u${i}` : `${hostileText(int(10), false)}u${i}${hostileText(int(10), true)}`;
    const name = pick([
      hostileText(1 + int(30), random() < 0.5),
      `\u202eevil\u0000\u0007${i}`,
      '😀'.repeat(70),
      'x\ud800y',
    ]);
    const client = await join(await token({ sub, name }), `127.0.1.${i + 1}`);
    await client.next((m) => m.type === 'welcome');
    posted.push(client.sendComment(`from ${i}`));
    await client.next((m) => m.type === 'ack');
    client.close();
  }
  // Tokens whose sub has nothing visible are refused; garbage tokens get `unauthorized`.
  const invisible = await join(await token({ sub: '\u200b\u202e\u{e0041}' }), '127.0.0.81');
  assert.equal((await invisible.closed).code, CloseCode.Unauthorized);
  for (const garbage of ['', 'x', 'a.b.c', '\ud800', `${'e'.repeat(3000)}`, 'eyJhbGciOiJub25lIn0.e30.']) {
    const client = new TestClient(`${base}?room=auth`, undefined, { localAddress: '127.0.0.82' });
    await client.opened();
    client.ws.send(JSON.stringify({ type: 'auth', token: garbage }));
    assert.equal((await client.closed).code, CloseCode.Unauthorized);
  }
  await waitFor(async () => posted.every((id) => viewer.comments.some((c) => c.id === id)), 10_000);
  const users = viewer.comments.map((c) => c.user!);
  assert.equal(users.length, 40);
  for (const user of users) {
    assert.ok(sanitised(user.id), JSON.stringify(user.id));
    if (user.name !== undefined)
      assert.ok(sanitised(user.name) && [...user.name].length <= 64, JSON.stringify(user.name));
  }
  viewer.close();
  assert.equal(server.child.exitCode, null);
});

test('Redis mode: hostile text and many rooms; broadcasts sanitised, nothing crashes', async (t) => {
  const redis = await TestRedis.start();
  t.after(() => redis.close());
  const server = await startBin(t, ['--log-level', 'info', '--redis-url', redis.url, '--invalid-frame-rate', '0']);
  const base = `ws://127.0.0.1:${server.port}/ws`;
  const polite = await wellBehaved(base, 'fuzz');
  const fuzzer = await openFuzzer(base, '127.0.0.90');
  for (let i = 0; i < 1500; i++) {
    const input = pick(survivable)();
    if (typeof input === 'object' && 'binary' in input) fuzzer.send(input.binary, { binary: true });
    else fuzzer.send(input);
    if (i % 100 === 0) await new Promise((r) => setImmediate(r));
  }
  fuzzer.close();
  for (let i = 0; i < 300; i++) await visitRoom(base, `redis-churn-${i}`, `127.0.5.${(i % 250) + 1}`);
  const { ids, answers, received } = await polite.stop();
  assert.deepEqual(
    answers.filter((a) => a.type !== 'ack'),
    [],
  );
  assert.deepEqual(
    ids.filter((id) => !received.has(id)),
    [],
  );
  assert.deepEqual(
    polite
      .viewerComments()
      .filter((c) => !sanitised(c.text))
      .map((c) => c.text),
    [],
  );
  assert.equal(server.child.exitCode, null);
  assert.deepEqual(
    server.lines.filter((l) => (l.level as number) >= 50),
    [],
    'no error was logged',
  );
});
