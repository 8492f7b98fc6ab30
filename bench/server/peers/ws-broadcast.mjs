/**
 * Baseline peer: the minimal `ws` broadcast loop people write first. Same wire format as
 * danmaku-layer (a `send` in, a one-comment `comments` frame out), encoded once per comment, then
 * for each client: send. No batching, no validation, no history, no limits.
 *
 * Usage: node ws-broadcast.mjs [port] [heartbeat ms]  (prints "listening on http://127.0.0.1:<port>")
 *
 * With a heartbeat interval (the connections mode passes ours'), it pings as the `ws` README shows:
 * one timer for all clients, a flag per client set by its pong, and a client that missed a pong cut.
 */
import { createRequire } from 'node:module';

// The very `ws` our server runs on, so the comparison is about the code around it.
const require = createRequire(new URL('../../../packages/server/package.json', import.meta.url));
const { WebSocketServer } = require('ws');

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), perMessageDeflate: false });
let seq = 0;
const heartbeat = Number(process.argv[3] ?? 0);

function markAlive() {
  this.isAlive = true;
}

if (heartbeat > 0) {
  setInterval(() => {
    for (const client of wss.clients) {
      if (client.isAlive === false) {
        client.terminate();
        continue;
      }
      client.isAlive = false;
      client.ping();
    }
  }, heartbeat).unref();
}

wss.on('connection', (ws) => {
  ws.on('error', () => {});
  if (heartbeat > 0) {
    ws.isAlive = true;
    ws.on('pong', markAlive);
  }
  ws.send('{"type":"welcome"}');
  ws.on('message', (data) => {
    let message;
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (message?.type !== 'send' || typeof message.text !== 'string') return;
    const comment = {
      seq: ++seq,
      id: String(message.id),
      text: message.text,
      color: '#ffffff',
      mode: 'scroll',
      size: 'medium',
      ts: Date.now(),
    };
    const frame = JSON.stringify({ type: 'comments', comments: [comment] });
    for (const client of wss.clients) client.send(frame);
  });
});

wss.on('listening', () => {
  process.stdout.write(`listening on http://127.0.0.1:${wss.address().port}\n`);
});
process.once('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
});
