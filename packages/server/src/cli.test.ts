import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { SignJWT } from 'jose';
import type { ErrorMessage, WelcomeMessage } from 'danmaku-layer-protocol';
import { FLAGS } from './cli.js';
import { BIN, cleanEnv, startBin } from './testing/bin.js';
import { TestClient, upgradeStatus } from './testing/client.js';

/** Runs the bin to completion. */
function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const start = startBin;

test('--help lists every flag with its environment variable, and exits 0', async () => {
  const { code, stdout } = await run(['--help']);
  assert.equal(code, 0);
  for (const [name, flag] of Object.entries(FLAGS)) {
    assert.ok(stdout.includes(`--${name}`), name);
    if (flag.env) assert.ok(stdout.includes(flag.env), flag.env);
  }
});

/** Bad input, and the flag (with its environment variable) the message must name. */
const bad: Array<[string, string[], Record<string, string>, RegExp]> = [
  ['an unknown flag', ['--bogus'], {}, /Unknown option '--bogus'/],
  [
    'a number flag with text',
    ['--rate-limit', 'fast'],
    {},
    /--rate-limit \(or \$DANMAKU_RATE_LIMIT\) must be a number/,
  ],
  [
    'a negative integer from the environment',
    [],
    { DANMAKU_MAX_ROOMS: '-1' },
    /--max-rooms \(or \$DANMAKU_MAX_ROOMS\) must be an integer ≥ 0; got "-1"/,
  ],
  [
    'a boolean variable that is not one',
    [],
    { DANMAKU_READ_ONLY: 'maybe' },
    /--read-only \(or \$DANMAKU_READ_ONLY\) must be true or false/,
  ],
  ['a port out of range', ['--port', '70000'], {}, /--port \(or \$PORT\)/],
  [
    'a negative retract window',
    [],
    { DANMAKU_RETRACT_WINDOW: '-5' },
    /--retract-window \(or \$DANMAKU_RETRACT_WINDOW\) must be an integer ≥ 0; got "-5"/,
  ],
  ['an unknown log level', ['--log-level', 'loud'], {}, /--log-level \(or \$DANMAKU_LOG_LEVEL\)/],
  [
    'a JWT secret without audience',
    ['--jwt-secret', 'x'.repeat(32)],
    {},
    /--jwt-audience \(or \$DANMAKU_JWT_AUDIENCE\) is required/,
  ],
  [
    'an audience without a key',
    ['--jwt-audience', 'a'],
    {},
    /--jwt-secret \(or \$DANMAKU_JWT_SECRET\) or --jwt-jwks-url \(or \$DANMAKU_JWT_JWKS_URL\)/,
  ],
  [
    'both JWT sources',
    ['--jwt-secret', 'x'.repeat(32), '--jwt-jwks-url', 'https://id.test/jwks', '--jwt-audience', 'a'],
    {},
    /--jwt-secret \(or \$DANMAKU_JWT_SECRET\) or --jwt-jwks-url \(or \$DANMAKU_JWT_JWKS_URL\), not both/,
  ],
  [
    'a short JWT secret (flag)',
    ['--jwt-secret', 'short', '--jwt-audience', 'a'],
    {},
    /--jwt-secret \(or \$DANMAKU_JWT_SECRET\) must be at least 32 bytes/,
  ],
  [
    'a short JWT secret (environment)',
    ['--jwt-audience', 'a'],
    { DANMAKU_JWT_SECRET: 'short' },
    /--jwt-secret \(or \$DANMAKU_JWT_SECRET\) must be at least 32 bytes/,
  ],
  [
    'a JWKS URL that is not a URL',
    ['--jwt-jwks-url', 'keys', '--jwt-audience', 'a'],
    {},
    /--jwt-jwks-url \(or \$DANMAKU_JWT_JWKS_URL\) must be a URL/,
  ],
  [
    'a malformed origin',
    ['--allowed-origins', 'example.com'],
    {},
    /--allowed-origins \(or \$DANMAKU_ALLOWED_ORIGINS\) has "example.com"/,
  ],
  ['a path without a slash', ['--path', 'ws'], {}, /--path \(or \$DANMAKU_PATH\) must be a string starting with "\/"/],
  [
    'a JWKS URL over plain http to another host',
    ['--jwt-jwks-url', 'http://keys.example/jwks.json', '--jwt-audience', 'a'],
    {},
    /--jwt-jwks-url \(or \$DANMAKU_JWT_JWKS_URL\) must be an https URL .*--jwt-jwks-allow-http \(or \$DANMAKU_JWT_JWKS_ALLOW_HTTP\)/,
  ],
  [
    'an internal port out of range',
    ['--internal-port', '70000'],
    {},
    /--internal-port \(or \$DANMAKU_INTERNAL_PORT\) must be at most 65535/,
  ],
  [
    'a connection cap that is neither auto nor a number',
    ['--max-connections', 'many'],
    {},
    /--max-connections \(or \$DANMAKU_MAX_CONNECTIONS\) must be an integer/,
  ],
  [
    'an admin token too short to be a secret',
    [],
    { DANMAKU_ADMIN_TOKEN: 'short' },
    /--admin-token \(or \$DANMAKU_ADMIN_TOKEN\) must be a string of at least 16 characters/,
  ],
  [
    'a Redis URL of another scheme',
    ['--redis-url', 'http://127.0.0.1:6379'],
    {},
    /--redis-url \(or \$DANMAKU_REDIS_URL\) must start with redis:\/\//,
  ],
];

for (const [name, args, env, message] of bad) {
  test(`${name} exits 2 with a message naming the flag and its variable, without a stack trace`, async () => {
    const { code, stderr, stdout } = await run(args, env);
    assert.equal(code, 2);
    assert.match(stderr, message);
    assert.match(stderr, /--help/);
    assert.doesNotMatch(stderr, /Option "|\n\s+at /);
    assert.equal(stderr.trim().split('\n').length, 2, stderr);
    assert.equal(stdout, '');
  });
}

test('flags and environment variables reach the server; logs are JSON', async (t) => {
  const server = await start(
    t,
    ['--allowed-origins', 'https://ok.example', '--rate-burst', '1', '--log-level', 'debug'],
    {
      DANMAKU_PATH: '/live',
    },
  );
  const url = `ws://127.0.0.1:${server.port}/live?room=cli`;
  assert.equal(await upgradeStatus(url, { origin: 'https://evil.example' }), 403);
  const client = await TestClient.connect(`ws://127.0.0.1:${server.port}/live`, 'room=cli', {
    origin: 'https://ok.example',
  });
  t.after(() => client.close());
  client.sendComment('first');
  const second = client.sendComment('second');
  assert.equal((await client.next<ErrorMessage>((m) => m.type === 'error' && m.id === second)).code, 'rate_limited');
  // Log lines are written asynchronously: the refusal's may follow the answer by a moment.
  for (let i = 0; i < 100 && !server.lines.some((line) => line.msg === 'upgrade refused'); i++)
    await new Promise((r) => setTimeout(r, 20));
  assert.ok(server.lines.some((line) => line.msg === 'upgrade refused' && line.reason === 'origin'));
  assert.ok(server.lines.every((line) => typeof line.level === 'number' && typeof line.time === 'number'));
});

test('JWT settings from the environment require a token; --read-only applies to anonymous users', async (t) => {
  const secret = 'an-environment-secret-of-32-bytes!!';
  const server = await start(t, [], {
    DANMAKU_JWT_SECRET: secret,
    DANMAKU_JWT_AUDIENCE: 'cli-test',
    DANMAKU_AUTH_TIMEOUT: '200',
  });
  const waiting = new TestClient(`ws://127.0.0.1:${server.port}/ws?room=jwt`);
  assert.equal((await waiting.closed).code, 4001);
  const token = await new SignJWT({ sub: 'u', name: 'Ana' })
    .setProtectedHeader({ alg: 'HS256' })
    .setAudience('cli-test')
    .setExpirationTime('1m')
    .sign(new TextEncoder().encode(secret));
  const client = new TestClient(`ws://127.0.0.1:${server.port}/ws?room=jwt`);
  t.after(() => client.close());
  await client.opened();
  client.ws.send(JSON.stringify({ type: 'auth', token }));
  assert.equal((await client.next<WelcomeMessage>((m) => m.type === 'welcome')).canSend, true);

  const readOnly = await start(t, ['--read-only']);
  const reader = await TestClient.connect(`ws://127.0.0.1:${readOnly.port}/ws`, 'room=ro');
  t.after(() => reader.close());
  assert.equal((await reader.next<WelcomeMessage>((m) => m.type === 'welcome')).canSend, false);
});

test('SIGTERM closes every client with 1012 and exits 0; SIGINT uses 1001', async (t) => {
  for (const [signal, expected] of [
    ['SIGTERM', 1012],
    ['SIGINT', 1001],
  ] as const) {
    const server = await start(t, ['--shutdown-window', '200', '--log-level', 'info']);
    const clients = await Promise.all(
      Array.from({ length: 5 }, () => TestClient.connect(`ws://127.0.0.1:${server.port}/ws`, 'room=sig')),
    );
    t.after(() => clients.forEach((c) => c.close()));
    server.child.kill(signal);
    const codes = await Promise.all(clients.map((c) => c.closed.then((closed) => closed.code)));
    assert.deepEqual(codes, Array(5).fill(expected));
    assert.equal(await server.exited, 0);
    const messages = server.lines.map((line) => line.msg);
    assert.ok(messages.includes('shutting down') && messages.includes('shut down'), messages.join(', '));
  }
});

test('--internal-port serves /metrics, /healthz and /readyz on 127.0.0.1 and takes /metrics off the public port', async (t) => {
  const server = await start(t, ['--internal-port', '0']);
  const internal = server.lines.find((line) => line.msg === 'listening')!.internal as { host: string; port: number };
  assert.equal(internal.host, '127.0.0.1');
  const publicBase = `http://127.0.0.1:${server.port}`;
  const internalBase = `http://127.0.0.1:${internal.port}`;
  assert.equal((await fetch(`${publicBase}/metrics`)).status, 404);
  const metrics = await fetch(`${internalBase}/metrics`);
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /danmaku_connections/);
  for (const base of [publicBase, internalBase]) {
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);
  }
  assert.equal(
    (await fetch(`${internalBase}/danmaku-layer.bundle.js`)).status,
    404,
    'operators only on the internal port',
  );
});

test('--no-metrics and $DANMAKU_NO_METRICS serve no /metrics; by default it is on the public port', async (t) => {
  const plain = await start(t, []);
  assert.equal((await fetch(`http://127.0.0.1:${plain.port}/metrics`)).status, 200);
  for (const [args, env] of [
    [['--no-metrics'], {}],
    [[], { DANMAKU_NO_METRICS: '1' }],
  ] as const) {
    const server = await start(t, [...args], env);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status, 200);
  }
  const both = await start(t, ['--no-metrics', '--internal-port', '0']);
  const internal = both.lines.find((line) => line.msg === 'listening')!.internal as { port: number };
  assert.equal((await fetch(`http://127.0.0.1:${internal.port}/metrics`)).status, 404);
});

test('--max-connections and --jwt-jwks-allow-http reach the server', async (t) => {
  const server = await start(t, [
    '--max-connections',
    '50',
    '--jwt-jwks-url',
    'http://keys.example/jwks.json',
    '--jwt-jwks-allow-http',
    '--jwt-audience',
    'a',
  ]);
  assert.equal(server.lines.find((line) => line.msg === 'listening')!.maxConnections, 50);
  const loopback = await start(t, [], {
    DANMAKU_JWT_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
    DANMAKU_JWT_AUDIENCE: 'a',
    DANMAKU_MAX_CONNECTIONS: '0',
  });
  assert.equal(loopback.lines.find((line) => line.msg === 'listening')!.maxConnections, 0);
});

test('$DANMAKU_ADMIN_TOKEN turns on the admin API; without it the API is not served', async (t) => {
  const token = 'an-admin-token-from-the-environment';
  const server = await start(t, [], { DANMAKU_ADMIN_TOKEN: token });
  const url = `http://127.0.0.1:${server.port}/rooms/cli/moderation`;
  assert.equal((await fetch(url)).status, 401);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  assert.deepEqual([res.status, await res.json()], [200, { room: 'cli', actions: [] }]);
  const plain = await start(t, []);
  assert.equal((await fetch(`http://127.0.0.1:${plain.port}/rooms/cli/moderation`)).status, 404);
});
