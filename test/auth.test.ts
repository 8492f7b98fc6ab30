// The widget's connection against a server that requires JWTs: the token goes in the first
// message, a token function is asked again on every connection, and refusals stop the retries.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { startServer } from './support/server.js';
import { recordingClient, waitFor, type RecordingClient } from './support/clients.js';

const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
const audience = 'danmaku-test';
const cleanup: Array<() => unknown> = [];
after(async () => {
  for (const fn of cleanup.reverse()) await fn();
});
const track = (client: RecordingClient): RecordingClient => {
  cleanup.push(() => client.connection.close());
  return client;
};

function sign(claims: Record<string, unknown>, key = secret): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(claims.sub ?? 'u1'))
    .setAudience(audience)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(key));
}

test('with a token the layer joins, sends, and its comments carry the user', async () => {
  const server = await startServer({ auth: { secret, audience } });
  cleanup.push(() => server.close());
  const token = await sign({ sub: 'alice', name: 'Alice' });
  const client = track(recordingClient({ url: server.ws, room: 'auth', token }));
  await waitFor(() => client.connection.status === 'open', 5000, 'open');
  assert.equal(client.welcomes[0].canSend, true);
  await client.connection.send('signed comment');
  await waitFor(() => client.comments.length === 1);
  assert.deepEqual(client.comments[0].user, { id: 'alice', name: 'Alice' });
});

test('a token function is asked again before every connection', async () => {
  const server = await startServer({ auth: { secret, audience } });
  cleanup.push(() => server.close());
  let calls = 0;
  const client = track(
    recordingClient({
      url: server.ws,
      room: 'refresh',
      reconnectDelay: 100,
      token: () => sign({ sub: `u${++calls}` }),
    }),
  );
  await waitFor(() => client.connection.status === 'open', 5000, 'open');
  client.connection.reconnect();
  await waitFor(() => client.welcomes.length === 2, 5000, 'second welcome');
  assert.equal(calls, 2);
});

test('a refused token stops the layer with an unauthorized error instead of retrying forever', async () => {
  const server = await startServer({ auth: { secret, audience } });
  cleanup.push(() => server.close());
  const token = await sign({ sub: 'mallory' }, 'another-secret-that-is-also-32-bytes-long!!');
  const errors: string[] = [];
  const client = track(
    recordingClient({ url: server.ws, room: 'refused', reconnectDelay: 50, token }, (e) => errors.push(e.code)),
  );
  await waitFor(() => client.connection.status === 'closed', 5000, 'closed');
  assert.deepEqual(errors, ['unauthorized']);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(client.welcomes.length, 0);
  assert.equal(client.connection.status, 'closed');
});

test('an invalid room name stops the layer with an invalid error', async () => {
  const server = await startServer();
  cleanup.push(() => server.close());
  const errors: string[] = [];
  const client = track(
    recordingClient({ url: server.ws, room: 'no spaces allowed', reconnectDelay: 50 }, (e) => errors.push(e.code)),
  );
  await waitFor(() => client.connection.status === 'closed', 5000, 'closed');
  assert.deepEqual(errors, ['invalid']);
});
