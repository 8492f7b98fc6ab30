/**
 * Baseline peer: a socket.io server broadcasting to a room, as its documentation shows
 * (`io.to(room).emit`). WebSocket transport only, so it is compared on the same transport; the
 * payload is the same `comments` message danmaku-layer sends, one comment per emit.
 *
 * Usage: node socketio-room.mjs [port]  (prints "listening on http://127.0.0.1:<port>")
 */
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });
let seq = 0;

io.on('connection', (socket) => {
  const room = String(socket.handshake.query.room ?? 'default');
  socket.join(room);
  socket.emit('welcome', { type: 'welcome', room });
  socket.on('send', (message) => {
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
    io.to(room).emit('comments', { type: 'comments', comments: [comment] });
  });
});

http.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${http.address().port}\n`);
});
process.once('SIGTERM', () => {
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
