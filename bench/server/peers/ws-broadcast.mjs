/**
 * Baseline peer: the minimal `ws` broadcast loop people write first. Same wire format as
 * danmaku-layer (a `send` in, a one-comment `comments` frame out), encoded once per comment, then
 * for each client: send. No batching, no validation, no history, no limits.
 *
 * Usage: node ws-broadcast.mjs [port]  (prints "listening on http://127.0.0.1:<port>")
 */
import { createRequire } from 'node:module';

// The very `ws` our server runs on, so the comparison is about the code around it.
const require = createRequire(new URL('../../../packages/server/package.json', import.meta.url));
const { WebSocketServer } = require('ws');

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), perMessageDeflate: false });
let seq = 0;

wss.on('connection', (ws) => {
  ws.on('error', () => {});
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
