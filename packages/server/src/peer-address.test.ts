/**
 * A session's socket lets go of Node's cached copy of the peer address (peer-address.ts): the
 * session keeps the address, and the socket still answers `remoteAddress` while it is open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { startTestServer } from './testing/test-server.js';

test("a session's socket holds no copy of the peer address, and still tells it", async (t) => {
  const { danmaku, connect } = await startTestServer(t);
  const sockets: Socket[] = [];
  danmaku.server.on('connection', (socket: Socket) => sockets.push(socket));
  const client = await connect('room=address');
  assert.equal(sockets.length, 1);
  const [socket] = sockets;
  assert.equal((socket as Socket & { _peername?: unknown })._peername, undefined, 'no cached address object');
  assert.equal(socket.remoteAddress, '127.0.0.1');
  // The session still knows who sent what: a comment goes through (rate limits key on the address).
  client.sendComment('hello');
  const [comment] = await client.waitForComments(1);
  assert.equal(comment.text, 'hello');
});
