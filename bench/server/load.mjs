/**
 * Load-generator process. The runner forks one or more of these and drives them over IPC:
 *
 *   connect {kind, urls, room, count, offset, total, concurrency, localAddresses?}  → connected {ok, failed, firstError}
 *   send    {total, rate}        (senders: every client of this process sends, in turn)  → sent {...}
 *   stats                         → stats {received}
 *   report                        → report {received, duplicates, outOfOrder, histogram, acks, errors, closes, ...}
 *   close                         → exits
 *
 * A comment's text is "<index> <send time in µs>" (monotonic clock, shared by all processes of
 * the machine), so every receiver measures send-to-receive latency and counts each comment once.
 */
import { createRequire } from 'node:module';
import { io } from 'socket.io-client';
import { Histogram, nowUs } from './histogram.mjs';

const require = createRequire(new URL('../../packages/server/package.json', import.meta.url));
const { WebSocket } = require('ws');
const PROTOCOL = 'danmaku.v1';

/** @type {Array<{send(msg: object): void, close(): void}>} */
const clients = [];
const histogram = new Histogram();
let received = 0;
let duplicates = 0;
let acks = 0;
let firstRecvUs = 0;
let lastRecvUs = 0;
const errors = {};
const closes = {};
let total = 0;
/** One bit per (client, comment): each delivery is counted once. */
let seen = new Uint8Array(0);
let stride = 0;
/** Last `seq` each client received: every server numbers a room's comments, so order is checkable. */
let lastSeq = new Float64Array(0);
let outOfOrder = 0;

function onComment(clientIndex, text) {
  const now = nowUs();
  const space = text.indexOf(' ');
  const index = Number(text.slice(0, space));
  const sentUs = Number(text.slice(space + 1));
  if (!Number.isInteger(index) || index < 0 || index >= total || !Number.isFinite(sentUs)) return;
  const bit = clientIndex * stride * 8 + index;
  const byte = bit >> 3;
  const mask = 1 << (bit & 7);
  if (seen[byte] & mask) {
    duplicates++;
    return;
  }
  seen[byte] |= mask;
  received++;
  if (firstRecvUs === 0) firstRecvUs = now;
  lastRecvUs = now;
  histogram.record(now - sentUs);
}

function onMessage(clientIndex, message) {
  switch (message?.type) {
    case 'comments':
      for (const comment of message.comments) {
        if (comment.seq <= lastSeq[clientIndex]) outOfOrder++;
        else lastSeq[clientIndex] = comment.seq;
        onComment(clientIndex, comment.text);
      }
      break;
    case 'ack':
      acks++;
      break;
    case 'error':
      errors[message.code] = (errors[message.code] ?? 0) + 1;
      break;
  }
}

/**
 * Opens one WebSocket client (danmaku-layer or the ws baseline); resolves on `welcome`.
 * `localAddress` (a 127.0.0.x) is the source address: each one has its own ephemeral ports.
 */
function openWs(url, clientIndex, localAddress) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, [PROTOCOL], { perMessageDeflate: false, ...(localAddress ? { localAddress } : {}) });
    let ready = false;
    ws.on('message', (data) => {
      let message;
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if (!ready && message?.type === 'welcome') {
        ready = true;
        resolve({ send: (msg) => ws.send(JSON.stringify(msg)), close: () => ws.terminate() });
        return;
      }
      onMessage(clientIndex, message);
    });
    ws.on('error', (error) => {
      if (!ready) reject(error);
    });
    ws.on('close', (code) => {
      if (!ready) reject(new Error(`closed with ${code} before welcome`));
      else closes[code] = (closes[code] ?? 0) + 1;
    });
  });
}

/** Opens one socket.io client on the WebSocket transport; resolves on `welcome`. */
function openSocketIo(url, room, clientIndex, localAddress) {
  return new Promise((resolve, reject) => {
    const socket = io(url, {
      transports: ['websocket'],
      ...(localAddress ? { localAddress } : {}),
      forceNew: true,
      reconnection: false,
      query: { room },
      timeout: 30_000,
    });
    let ready = false;
    socket.once('welcome', () => {
      ready = true;
      resolve({ send: (msg) => socket.emit('send', msg), close: () => socket.disconnect() });
    });
    socket.on('comments', (message) => onMessage(clientIndex, message));
    socket.on('connect_error', (error) => {
      if (!ready) reject(error);
    });
    socket.on('disconnect', (reason) => {
      if (!ready) reject(new Error(`disconnected (${reason}) before welcome`));
      else closes[reason] = (closes[reason] ?? 0) + 1;
    });
  });
}

async function connect({ kind, urls, room, count, offset, concurrency, localAddresses = [] }) {
  let ok = 0;
  let failed = 0;
  let firstError;
  let next = 0;
  async function worker() {
    while (next < count) {
      const local = next++;
      const url = urls[(offset + local) % urls.length];
      const from = localAddresses.length ? localAddresses[(offset + local) % localAddresses.length] : undefined;
      try {
        const client = await (kind === 'socketio' ? openSocketIo(url, room, local, from) : openWs(url, local, from));
        clients[local] = client;
        ok++;
      } catch (error) {
        failed++;
        firstError ??= String(error?.message ?? error);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { ok, failed, firstError };
}

/** Sends `total` comments at `rate` per second, round-robin over this process's clients. */
function send({ rate, total: count }) {
  const senders = clients.filter(Boolean);
  const intervalUs = 1e6 / rate;
  const start = nowUs();
  let index = 0;
  let lateMaxUs = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const now = nowUs();
      // Catch up on every comment that is due, so a busy moment does not lower the offered load.
      while (index < count && start + index * intervalUs <= now) {
        const sentUs = nowUs();
        lateMaxUs = Math.max(lateMaxUs, sentUs - (start + index * intervalUs));
        const sender = senders[index % senders.length];
        sender.send({ type: 'send', id: `c${index}`, text: `${index} ${sentUs.toFixed(1)}` });
        index++;
      }
      if (index >= count) {
        clearInterval(timer);
        resolve({ sent: index, durationMs: (nowUs() - start) / 1000, lateMaxMs: lateMaxUs / 1000 });
      }
    }, 1);
  });
}

process.on('message', async (message) => {
  switch (message.cmd) {
    case 'connect':
      total = message.total;
      stride = Math.ceil(total / 8);
      seen = new Uint8Array(stride * message.count);
      lastSeq = new Float64Array(message.count);
      process.send({ event: 'connected', ...(await connect(message)) });
      break;
    case 'send':
      process.send({ event: 'sent', ...(await send(message)) });
      break;
    case 'stats':
      process.send({ event: 'stats', received });
      break;
    case 'report':
      process.send({
        event: 'report',
        received,
        duplicates,
        outOfOrder,
        acks,
        errors,
        closes,
        firstRecvUs,
        lastRecvUs,
        histogram: histogram.toJSON(),
      });
      break;
    case 'close':
      for (const client of clients) client?.close();
      setTimeout(() => process.exit(0), 100);
      break;
  }
});

// Never outlive the runner.
process.on('disconnect', () => process.exit(0));
