// A protocol fixture: a scripted WebSocket server that speaks docs/protocol.md and nothing more, for
// widget tests of messages a test must control exactly (a `retract` of a given seq, a `presence`
// count, the answer to one request). It sends `welcome` (with the fields a test gives) to every
// client, records every frame it receives, and sends whatever frame the test asks it to. Tests of
// the real server's behaviour use the reference server instead (danmaku-servers-plugin.mjs).
import { WebSocketServer } from 'ws';

/**
 * Starts a fixture on 127.0.0.1, port 0.
 * @param {object} welcome fields added to (or replacing) the default `welcome`
 */
export async function startProtocolFixture(welcome = {}) {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => (protocols.has('danmaku.v1') ? 'danmaku.v1' : false),
  });
  await new Promise((resolve) => server.once('listening', resolve));
  /** @type {object[]} */
  const received = [];
  server.on('connection', (socket, request) => {
    const room = new URL(request.url, 'http://fixture').searchParams.get('room') ?? 'lobby';
    socket.send(
      JSON.stringify({
        type: 'welcome',
        room,
        epoch: 'fixture',
        seq: 0,
        limits: { maxTextLength: 100, maxPayload: 4096 },
        canSend: true,
        heartbeat: 0,
        ...welcome,
      }),
    );
    socket.on('message', (data) => {
      try {
        received.push(JSON.parse(String(data)));
      } catch {
        received.push({ unparsable: String(data) });
      }
    });
  });
  return {
    url: `ws://127.0.0.1:${server.address().port}/ws`,
    received,
    /** Sends `frame` to every connected client. */
    send(frame) {
      for (const client of server.clients) client.send(JSON.stringify(frame));
      return server.clients.size;
    },
    close: () =>
      new Promise((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve(undefined));
      }),
  };
}
