import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AckMessage, ErrorMessage } from 'danmaku-layer-protocol';
import { createModerator, type ModerationContext } from './moderation.js';
import type { DanmakuServerOptions } from './server.js';
import { TestClient } from './testing/client.js';
import { startTestServer, type TestContext } from './testing/test-server.js';

const comment = (text: string) => ({ id: 'c1', text, color: '#ffffff', mode: 'scroll', size: 'medium' }) as const;
const context: ModerationContext = { room: 'r', ip: '127.0.0.1' };

test('the blocklist matches words anywhere, ignoring case and full-width forms, and patterns', () => {
  const moderate = createModerator(['spam', /buy\s+now/gi], undefined);
  assert.deepEqual(moderate(comment('hello'), context), { ok: true, text: 'hello' });
  assert.deepEqual(moderate(comment('no SPAM here'), context), { ok: false });
  assert.deepEqual(moderate(comment('ｓｐａｍ'), context), { ok: false });
  // A global pattern is not stateful across calls.
  assert.deepEqual(moderate(comment('Buy  now'), context), { ok: false });
  assert.deepEqual(moderate(comment('Buy  now'), context), { ok: false });
});

test('a hook may accept, refuse or rewrite; rewritten text is normalised and checked again', async () => {
  const moderate = createModerator(
    ['bad'],
    (c) => (c.text.includes('mask') ? c.text.replace('mask', '****') : !c.text.includes('no')),
    10,
  );
  assert.deepEqual(moderate(comment('fine'), context), { ok: true, text: 'fine' });
  assert.deepEqual(moderate(comment('say no'), context), { ok: false });
  assert.deepEqual(moderate(comment('a mask'), context), { ok: true, text: 'a ****' });
  const empty = createModerator([], () => '  \u202e ');
  assert.deepEqual(empty(comment('x'), context), { ok: false });
  const tooLong = createModerator([], () => 'x'.repeat(11), 10);
  assert.deepEqual(tooLong(comment('x'), context), { ok: false });
  const sneaky = createModerator(['bad'], () => 'bad after all');
  assert.deepEqual(sneaky(comment('x'), context), { ok: false });
  const later = createModerator([], async () => 'later');
  assert.deepEqual(await later(comment('x'), context), { ok: true, text: 'later' });
});

async function start(t: TestContext, options: DanmakuServerOptions) {
  return (await startTestServer(t, options)).connect;
}

const answer = (client: TestClient, id: string) =>
  client.next<AckMessage | ErrorMessage>((m) => (m.type === 'ack' || m.type === 'error') && m.id === id);

test('over the wire: blocked and refused comments get "rejected", rewritten ones are posted rewritten', async (t) => {
  const seen: ModerationContext[] = [];
  const connect = await start(t, {
    blocklist: ['forbidden'],
    moderate: async (c, ctx) => {
      seen.push(ctx);
      if (c.text === 'refuse me') return false;
      return c.text.replace(/darn/g, '****');
    },
  });
  const sender = await connect('room=mod');
  const viewer = await connect('room=mod');
  const blocked = await answer(sender, sender.sendComment('a FORBIDDEN word'));
  assert.equal(blocked.type === 'error' && blocked.code, 'rejected');
  const refused = await answer(sender, sender.sendComment('refuse me'));
  assert.equal(refused.type === 'error' && refused.code, 'rejected');
  assert.equal((await answer(sender, sender.sendComment('oh darn'))).type, 'ack');
  const [received] = await viewer.waitForComments(1);
  assert.equal(received.text, 'oh ****');
  assert.equal(viewer.comments.length, 1);
  assert.equal(seen[0].room, 'mod');
  assert.equal(seen[0].ip, '127.0.0.1');
});

test('a hook that throws yields "internal" and the connection stays usable', async (t) => {
  let fail = true;
  const connect = await start(t, {
    moderate: () => {
      if (fail) throw new Error('moderation service down');
      return true;
    },
  });
  const sender = await connect('room=mod2');
  const error = await answer(sender, sender.sendComment('first'));
  assert.equal(error.type === 'error' && error.code, 'internal');
  fail = false;
  assert.equal((await answer(sender, sender.sendComment('second'))).type, 'ack');
});
