import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, helpText, UsageError } from './cli.js';
import { startBin } from './testing/bin.js';
import { TestRedis } from './testing/redis-server.js';

test('--redis-url and $DANMAKU_REDIS_URL select the Redis engine; absent means memory', () => {
  assert.equal(parseCli(['--redis-url', 'redis://127.0.0.1:6390'], {}).redisUrl, 'redis://127.0.0.1:6390');
  assert.equal(
    parseCli([], { DANMAKU_REDIS_URL: 'rediss://:pw@redis.example:6380/1' }).redisUrl,
    'rediss://:pw@redis.example:6380/1',
  );
  assert.equal(
    parseCli(['--redis-url', 'redis://flag'], { DANMAKU_REDIS_URL: 'redis://env' }).redisUrl,
    'redis://flag',
  );
  assert.equal(parseCli([], {}).redisUrl, undefined);
  assert.match(helpText(), /--redis-url <value>.*DANMAKU_REDIS_URL/);
});

test('a --redis-url that is not a redis:// or rediss:// URL is a usage error', () => {
  assert.throws(() => parseCli(['--redis-url', 'localhost:6379'], {}), UsageError);
  assert.throws(() => parseCli([], { DANMAKU_REDIS_URL: 'http://x' }), /must start with redis:\/\/ or rediss:\/\//);
});

test('an unreachable Redis at start-up: one JSON error line saying the server is not ready and why, /readyz 503, then ready once Redis answers', async (t) => {
  const redis = await TestRedis.start();
  t.after(() => redis.close());
  await redis.stop();
  const server = await startBin(t, ['--redis-url', redis.url], {}, { stderr: 'pipe' });
  assert.equal(server.lines.find((line) => line.msg === 'listening')?.ready, false);
  assert.equal(await readyz(server.port), 503);
  // ioredis retries meanwhile; each attempt fails the same way and must not add a line.
  await waitFor(() => server.lines.some((line) => line.level === 50));
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const errors = server.lines.filter((line) => (line.level as number) >= 50);
  assert.equal(errors.length, 1, JSON.stringify(errors));
  assert.match(String(errors[0].msg), /^not ready: Redis is unreachable; retrying \(.*ECONNREFUSED.*\)$/);
  assert.equal(errors[0].redis, `${redis.url}`);
  assert.equal(server.stderr(), '');

  await redis.restart();
  await waitFor(async () => (await readyz(server.port)) === 200, 15_000);
  assert.ok(server.lines.some((line) => line.msg === 'engine ready'));
});

test('the password of the Redis URL never reaches the logs', async (t) => {
  const redis = await TestRedis.start();
  t.after(() => redis.close());
  await redis.stop();
  const server = await startBin(t, ['--redis-url', `redis://:hunter2hunter2@127.0.0.1:${redis.port}`]);
  await waitFor(() => server.lines.some((line) => line.level === 50));
  assert.equal(server.lines.find((line) => line.level === 50)!.redis, `redis://:***@127.0.0.1:${redis.port}`);
  assert.ok(!JSON.stringify(server.lines).includes('hunter2'));
});

test('ioredis is loaded only when --redis-url is given', async (t) => {
  const fixture = new URL('./testing/report-packages.js', import.meta.url).href;
  const loaded = async (args: string[]): Promise<string[]> => {
    const server = await startBin(t, args, {}, { stderr: 'pipe', execArgv: ['--import', fixture] });
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0);
    const line = /packages: (.*)/.exec(server.stderr());
    assert.ok(line, server.stderr());
    return line[1].split(',');
  };
  const memory = await loaded([]);
  assert.ok(!memory.includes('ioredis'), memory.join(','));
  const redis = await TestRedis.start();
  t.after(() => redis.close());
  assert.ok((await loaded(['--redis-url', redis.url])).includes('ioredis'));
});

async function readyz(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
}

async function waitFor(check: () => boolean | Promise<boolean>, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('the operator and connection flags read their environment variables too', () => {
  const fromEnv = parseCli([], {
    DANMAKU_INTERNAL_PORT: '9091',
    DANMAKU_INTERNAL_HOST: '0.0.0.0',
    DANMAKU_MAX_CONNECTIONS: '500',
    DANMAKU_JWT_JWKS_URL: 'http://keys.internal/jwks.json',
    DANMAKU_JWT_JWKS_ALLOW_HTTP: 'yes',
    DANMAKU_JWT_AUDIENCE: 'a',
    DANMAKU_NO_METRICS: 'true',
  });
  assert.equal(fromEnv.server.internalPort, 9091);
  assert.equal(fromEnv.server.internalHost, '0.0.0.0');
  assert.equal(fromEnv.server.maxConnections, 500);
  assert.equal(fromEnv.server.auth?.allowHttpJwks, true);
  assert.equal(fromEnv.server.metrics, false);
  const defaults = parseCli([], {});
  assert.equal(defaults.server.internalPort, undefined);
  assert.equal(defaults.server.internalHost, '127.0.0.1');
  assert.equal(defaults.server.maxConnections, 'auto');
  assert.equal(defaults.server.metrics, true);
  assert.equal(parseCli(['--internal-host', '::1'], { DANMAKU_INTERNAL_HOST: '0.0.0.0' }).server.internalHost, '::1');
});
