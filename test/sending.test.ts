// The sending half of the widget's connection (internal/outbox.ts, fetched on the first send): a
// send counts in `queued` at once, the queue is bounded, closing rejects what waits, and a send the
// server never acknowledges times out. The widget's own connection code, run in Node over `ws`.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketServer } from 'ws';
import { PROTOCOL, type WelcomeMessage } from 'danmaku-layer-protocol';
import { recordingClient, waitFor } from './support/clients.js';

const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});

test('sends made offline count at once, are bounded, and reject with closed when the connection closes', async () => {
  // Nothing listens on the discard port: the connection keeps trying.
  const client = recordingClient({ url: 'ws://127.0.0.1:9/ws', room: 'nowhere', queueLimit: 2 });
  cleanup.push(() => client.connection.close());
  const first = client.connection.send('one');
  const second = client.connection.send('two');
  assert.equal(client.connection.queued, 2, 'counted before the sending code has even arrived');
  await assert.rejects(client.connection.send('three'), { code: 'queue_full' });
  client.connection.close();
  await assert.rejects(first, { code: 'closed' });
  await assert.rejects(second, { code: 'closed' });
  assert.equal(client.connection.queued, 0);
  await assert.rejects(client.connection.send('after'), { code: 'closed' });
});

test('a send the server never acknowledges rejects with timeout, and is the sender’s own', async () => {
  // A server that welcomes and then ignores every send.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => PROTOCOL });
  cleanup.push(() => new Promise((resolve) => wss.close(resolve)));
  const sent: { id: string; text: string }[] = [];
  wss.on('connection', (socket) => {
    const welcome: WelcomeMessage = {
      type: 'welcome',
      room: 'void',
      epoch: 'e1',
      seq: 0,
      limits: { maxTextLength: 100, maxPayload: 4096 },
      canSend: true,
      heartbeat: 0,
    };
    socket.send(JSON.stringify(welcome));
    socket.on('message', (data) => sent.push(JSON.parse(String(data)) as { id: string; text: string }));
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as { port: number };
  const client = recordingClient({ url: `ws://127.0.0.1:${port}/ws`, room: 'void', ackTimeout: 200 });
  cleanup.push(() => client.connection.close());
  await waitFor(() => client.connection.status === 'open', 5000, 'open');
  const sending = client.connection.send('into the void');
  assert.equal(client.connection.queued, 1);
  await assert.rejects(sending, { code: 'timeout' });
  assert.equal(client.connection.queued, 0);
  assert.equal(sent.length, 1);
  assert.equal(sent[0].text, 'into the void');
  assert.equal(client.connection.isOwn(sent[0].id), true, 'its id is remembered, to outline it when it comes back');
  assert.equal(client.connection.isOwn('someone-else'), false);
});

test('a moderation request is sent once: offline it gives up after ackTimeout; a drop after sending rejects it, and it is not sent again', async () => {
  // Offline: nothing listens on the discard port.
  const offline = recordingClient({ url: 'ws://127.0.0.1:9/ws', room: 'nowhere', ackTimeout: 200 });
  cleanup.push(() => offline.connection.close());
  const waiting = offline.connection.request({ type: 'retract', seq: 1 });
  assert.equal(offline.connection.queued, 1);
  await assert.rejects(waiting, { code: 'timeout' });
  assert.equal(offline.connection.queued, 0);

  // Online: a server that welcomes, records, answers nothing, and drops the first connection.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => PROTOCOL });
  cleanup.push(() => new Promise((resolve) => wss.close(resolve)));
  const received: { type: string; id: string }[] = [];
  let connections = 0;
  wss.on('connection', (socket) => {
    connections++;
    const welcome: WelcomeMessage = {
      type: 'welcome',
      room: 'mod',
      epoch: 'e1',
      seq: 0,
      limits: { maxTextLength: 100, maxPayload: 4096 },
      canSend: true,
      heartbeat: 0,
    };
    socket.send(JSON.stringify(welcome));
    socket.on('message', (data) => {
      received.push(JSON.parse(String(data)) as { type: string; id: string });
      if (connections === 1) socket.terminate();
    });
  });
  await new Promise((resolve) => wss.once('listening', resolve));
  const { port } = wss.address() as { port: number };
  const client = recordingClient({
    url: `ws://127.0.0.1:${port}/ws`,
    room: 'mod',
    reconnectDelay: 50,
    ackTimeout: 2000,
  });
  cleanup.push(() => client.connection.close());
  await waitFor(() => client.connection.status === 'open', 5000, 'open');
  const reporting = client.connection.request({ type: 'report', seq: 3, reason: 'spam' });
  await assert.rejects(reporting, { code: 'timeout' });
  await waitFor(() => connections === 2 && client.connection.status === 'open', 5000, 'reconnected');
  // A send waiting at the same time would be resent here; the report is not.
  await client.connection.send('after the drop').catch(() => undefined);
  assert.deepEqual(
    received.map((m) => m.type),
    ['report', 'send'],
  );
});
