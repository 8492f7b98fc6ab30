import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import type { AckMessage, ErrorMessage, WelcomeMessage } from 'danmaku-layer-protocol';
import { createDanmakuServer, type DanmakuServerOptions } from './server.js';
import { TestClient } from './testing/client.js';
import { startTestServer, type TestContext } from './testing/test-server.js';

const SECRET = 'a-shared-secret-of-at-least-32-bytes!';
const AUDIENCE = 'danmaku-test';

function sign(
  claims: JWTPayload,
  { exp = '5m', aud = AUDIENCE }: { exp?: string | null; aud?: string } = {},
): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setAudience(aud).setIssuedAt();
  if (exp) jwt.setExpirationTime(exp);
  return jwt.sign(new TextEncoder().encode(SECRET));
}

async function start(t: TestContext, options: DanmakuServerOptions) {
  const server = await startTestServer(t, options);
  /** Opens, sends the token, and resolves with the client once welcomed. */
  const login = async (query: string, token: string): Promise<TestClient> => {
    const client = await server.open(query);
    client.ws.send(JSON.stringify({ type: 'auth', token }));
    await client.next((m) => m.type === 'welcome');
    return client;
  };
  return { danmaku: server.danmaku, open: server.open, login };
}

const secretAuth = { auth: { secret: SECRET, audience: AUDIENCE } };

test('nothing is sent before the token; then welcome, and comments carry the user', async (t) => {
  const { open } = await start(t, secretAuth);
  const client = await open('room=auth1');
  // A server that sent welcome before auth would have done so by the time this round trip ends.
  const probe = await open('room=auth1');
  probe.ws.send(JSON.stringify({ type: 'auth', token: await sign({ sub: 'probe' }) }));
  await probe.next((m) => m.type === 'welcome');
  assert.equal(client.messages.length, 0);

  client.ws.send(JSON.stringify({ type: 'auth', token: await sign({ sub: 'u1', name: 'Aiko' }) }));
  const welcome = await client.next<WelcomeMessage>((m) => m.type === 'welcome');
  assert.equal(welcome.canSend, true);
  client.sendComment('hi from Aiko');
  const [comment] = await client.waitForComments(1);
  assert.deepEqual(comment.user, { id: 'u1', name: 'Aiko' });
  assert.deepEqual(probe.comments[0]?.user ?? (await probe.waitForComments(1))[0].user, { id: 'u1', name: 'Aiko' });
});

test('no token within authTimeout: an unauthorized error, then close 4001', async (t) => {
  const { open } = await start(t, { ...secretAuth, authTimeout: 100 });
  const client = await open('room=auth2');
  assert.equal((await client.closed).code, 4001);
  assert.equal(client.messages.length, 1);
  const [error] = client.messages as ErrorMessage[];
  assert.equal(error.type, 'error');
  assert.equal(error.code, 'unauthorized');
  assert.match(error.message, /timed out/);
});

test('a first message other than auth gets unauthorized and 4001', async (t) => {
  const { open } = await start(t, secretAuth);
  const client = await open('room=auth3');
  client.sendComment('let me in');
  assert.equal((await client.next<ErrorMessage>((m) => m.type === 'error')).code, 'unauthorized');
  assert.equal((await client.closed).code, 4001);
});

const refusedTokens: Array<[string, () => Promise<string>, RegExp]> = [
  ['expired', () => sign({ sub: 'u' }, { exp: '-2m' }), /expired/],
  ['wrong audience', () => sign({ sub: 'u' }, { aud: 'someone-else' }), /"aud"/],
  ['without exp', () => sign({ sub: 'u' }, { exp: null }), /"exp"/],
  ['without sub', () => sign({ name: 'nobody' }), /"sub"/],
  [
    'signed with another secret',
    () =>
      new SignJWT({ sub: 'u' })
        .setProtectedHeader({ alg: 'HS256' })
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode('x'.repeat(40))),
    /signature/,
  ],
  ['unsigned', async () => 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0.', /not valid/],
  ['garbage', async () => 'not-a-jwt', /not valid/],
];

for (const [name, make, reason] of refusedTokens) {
  test(`a token ${name} is refused with unauthorized and 4001`, async (t) => {
    const { open } = await start(t, secretAuth);
    const client = await open('room=auth4');
    client.ws.send(JSON.stringify({ type: 'auth', token: await make() }));
    const error = await client.next<ErrorMessage>((m) => m.type === 'error');
    assert.equal(error.code, 'unauthorized');
    assert.match(error.message, reason);
    assert.equal((await client.closed).code, 4001);
    assert.ok(!client.messages.some((m) => m.type === 'welcome'));
  });
}

test('the token limits rooms (exact or prefix*) and may make the connection read-only', async (t) => {
  const { open, login } = await start(t, secretAuth);
  const rooms = ['lobby', 'match-*'];
  await login('room=lobby', await sign({ sub: 'u', rooms }));
  await login('room=match-42', await sign({ sub: 'u', rooms }));
  const outside = await open('room=secret');
  outside.ws.send(JSON.stringify({ type: 'auth', token: await sign({ sub: 'u', rooms }) }));
  assert.equal((await outside.next<ErrorMessage>((m) => m.type === 'error')).code, 'forbidden');
  assert.equal((await outside.closed).code, 4001);

  const reader = await login('room=lobby', await sign({ sub: 'r', can_send: false }));
  assert.equal((await reader.next<WelcomeMessage>((m) => m.type === 'welcome')).canSend, false);
  const id = reader.sendComment('may I?');
  assert.equal((await reader.next<ErrorMessage>((m) => m.type === 'error' && m.id === id)).code, 'forbidden');
});

test('resuming after authentication still replays exactly what was missed', async (t) => {
  const { login } = await start(t, secretAuth);
  const token = await sign({ sub: 'u' });
  const first = await login('room=resume', token);
  const epoch = (await first.next<WelcomeMessage>((m) => m.type === 'welcome')).epoch;
  for (const text of ['one', 'two', 'three']) {
    const id = first.sendComment(text);
    await first.next<AckMessage>((m) => m.type === 'ack' && m.id === id);
  }
  const back = await login(`room=resume&epoch=${epoch}&seq=1`, token);
  const welcome = await back.next<WelcomeMessage>((m) => m.type === 'welcome');
  assert.equal(welcome.recovered, true);
  assert.deepEqual(
    (await back.waitForComments(2)).map((c) => [c.seq, c.text]),
    [
      [2, 'two'],
      [3, 'three'],
    ],
  );
  first.sendComment('four');
  assert.deepEqual(
    (await back.waitForComments(3)).map((c) => c.seq),
    [2, 3, 4],
  );
});

test('tokens signed by a key from a JWKS URL are accepted; others are not', async (t) => {
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
  const keys = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
  );
  await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((r) => keys.close(r)));
  const jwksUrl = `http://127.0.0.1:${(keys.address() as AddressInfo).port}/.well-known/jwks.json`;
  const { open, login } = await start(t, { auth: { jwksUrl, audience: AUDIENCE, issuer: 'https://id.test' } });
  const make = (issuer: string, key = privateKey) =>
    new SignJWT({ sub: 'jw', name: 'Jun' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setAudience(AUDIENCE)
      .setIssuer(issuer)
      .setExpirationTime('5m')
      .sign(key);
  const client = await login('room=jwks', await make('https://id.test'));
  client.sendComment('signed by a key set');
  assert.deepEqual((await client.waitForComments(1))[0].user, { id: 'jw', name: 'Jun' });

  const wrongIssuer = await open('room=jwks');
  wrongIssuer.ws.send(JSON.stringify({ type: 'auth', token: await make('https://other.test') }));
  assert.equal((await wrongIssuer.closed).code, 4001);
  const otherKey = (await generateKeyPair('ES256')).privateKey;
  const forged = await open('room=jwks');
  forged.ws.send(JSON.stringify({ type: 'auth', token: await make('https://id.test', otherKey) }));
  assert.equal((await forged.closed).code, 4001);
});

test('without auth, readOnly makes anonymous connections read-only', async (t) => {
  const danmaku = await createDanmakuServer({ readOnly: true, logLevel: 'silent' });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, 'room=ro');
  t.after(async () => {
    client.close();
    await danmaku.close();
  });
  assert.equal((await client.next<WelcomeMessage>((m) => m.type === 'welcome')).canSend, false);
  const id = client.sendComment('hello?');
  assert.equal((await client.next<ErrorMessage>((m) => m.type === 'error' && m.id === id)).code, 'forbidden');
  // An auth message is meaningless without auth configured, and harmless.
  client.ws.send(JSON.stringify({ type: 'auth', token: 'whatever' }));
  const again = client.sendComment('still read-only');
  assert.equal((await client.next<ErrorMessage>((m) => m.type === 'error' && m.id === again)).code, 'forbidden');
});

test('a JWKS URL must be https, unless it is on this machine or allowHttpJwks says so', async () => {
  await assert.rejects(
    createDanmakuServer({ auth: { jwksUrl: 'http://keys.example/jwks.json', audience: AUDIENCE } }),
    {
      name: 'TypeError',
      message: /"auth.jwksUrl" must be an https URL/,
    },
  );
  await assert.rejects(createDanmakuServer({ auth: { jwksUrl: 'ftp://keys.example/jwks.json', audience: AUDIENCE } }), {
    name: 'TypeError',
  });
  for (const jwksUrl of [
    'https://keys.example/jwks.json',
    'http://localhost:8000/jwks',
    'http://127.0.0.5/jwks',
    'http://[::1]:8000/jwks',
  ]) {
    const danmaku = await createDanmakuServer({ auth: { jwksUrl, audience: AUDIENCE }, logLevel: 'silent' });
    await danmaku.close();
  }
  const trusted = await createDanmakuServer({
    auth: { jwksUrl: 'http://keys.internal/jwks.json', audience: AUDIENCE, allowHttpJwks: true },
    logLevel: 'silent',
  });
  await trusted.close();
});
