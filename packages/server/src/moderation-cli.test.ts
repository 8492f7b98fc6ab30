import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ErrorMessage, SlowModeChangedMessage, WelcomeMessage } from 'danmaku-layer-protocol';
import { parseCli } from './cli.js';
import { startBin } from './testing/bin.js';
import { TestClient } from './testing/client.js';
import { request, signIn, TEST_AUDIENCE, TEST_SECRET } from './testing/moderation-clients.js';
import { TestRedis } from './testing/redis-server.js';

test('--retract-window and $DANMAKU_RETRACT_WINDOW set the author retract window (default 120)', () => {
  assert.equal(parseCli([], {}).server.retractWindow, 120);
  assert.equal(parseCli(['--retract-window', '0'], {}).server.retractWindow, 0);
  assert.equal(parseCli([], { DANMAKU_RETRACT_WINDOW: '45' }).server.retractWindow, 45);
  assert.throws(() => parseCli(['--retract-window', '1.5'], {}), /--retract-window/);
});

test('with --redis-url, slow mode and mutes set on one process apply on another; audit lines are logged', async (t) => {
  const redis = await TestRedis.start();
  t.after(() => redis.stop());
  const env = { DANMAKU_JWT_SECRET: TEST_SECRET, DANMAKU_JWT_AUDIENCE: TEST_AUDIENCE };
  const args = ['--redis-url', redis.url, '--retract-window', '7'];
  const [one, two] = await Promise.all([startBin(t, args, env), startBin(t, args, env)]);
  const login = async (port: number, sub: string, role?: string): Promise<TestClient> => {
    const client = new TestClient(`ws://127.0.0.1:${port}/ws?room=cli-mod`);
    t.after(() => client.close());
    await client.opened();
    return signIn(client, { sub, ...(role ? { role } : {}) });
  };
  const mod = await login(one.port, 'mod', 'moderator');
  const user = await login(two.port, 'u');
  assert.equal((user.messages[0] as WelcomeMessage).retractWindow, 7);
  assert.equal((await request(mod, { type: 'slow_mode', interval: 30 })).type, 'ack');
  assert.equal((await user.next<SlowModeChangedMessage>((m) => m.type === 'slow_mode')).interval, 30);
  assert.equal((await request(user, { type: 'send', text: 'one' })).type, 'ack');
  assert.equal(((await request(user, { type: 'send', text: 'two' })) as ErrorMessage).code, 'rate_limited');
  assert.equal((await request(mod, { type: 'mute', user: 'u', duration: 60 })).type, 'ack');
  assert.equal(((await request(user, { type: 'send', text: 'three' })) as ErrorMessage).code, 'forbidden');
  for (let i = 0; i < 100 && !one.lines.some((l) => l.audit === true && l.action === 'mute'); i++)
    await new Promise((r) => setTimeout(r, 20));
  const audit = one.lines.filter((l) => l.audit === true);
  assert.deepEqual(
    audit.map((l) => [l.actor, l.action, l.room]),
    [
      ['mod', 'slow_mode', 'cli-mod'],
      ['mod', 'mute', 'cli-mod'],
    ],
  );
});
