import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCli, helpText, UsageError } from './cli.js';

test('--redis-url and $DANMAKU_REDIS_URL select the Redis engine; absent means memory', () => {
  assert.equal(parseCli(['--redis-url', 'redis://127.0.0.1:6390'], {}).redisUrl, 'redis://127.0.0.1:6390');
  assert.equal(parseCli([], { DANMAKU_REDIS_URL: 'rediss://:pw@redis.example:6380/1' }).redisUrl, 'rediss://:pw@redis.example:6380/1');
  assert.equal(parseCli(['--redis-url', 'redis://flag'], { DANMAKU_REDIS_URL: 'redis://env' }).redisUrl, 'redis://flag');
  assert.equal(parseCli([], {}).redisUrl, undefined);
  assert.match(helpText(), /--redis-url <value>.*DANMAKU_REDIS_URL/);
});

test('a --redis-url that is not a redis:// or rediss:// URL is a usage error', () => {
  assert.throws(() => parseCli(['--redis-url', 'localhost:6379'], {}), UsageError);
  assert.throws(() => parseCli([], { DANMAKU_REDIS_URL: 'http://x' }), /must start with redis:\/\/ or rediss:\/\//);
});
