import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOriginCheck } from './origin.js';
import { createDanmakuServer } from './server.js';
import { upgradeStatus } from './testing/client.js';

test('exact origins, subdomain wildcards, and "*"', () => {
  const allowed = createOriginCheck(['https://good.example', 'https://*.corp.example', 'http://localhost:8080']);
  assert.equal(allowed('https://good.example'), true);
  assert.equal(allowed('https://GOOD.example'), true);
  assert.equal(allowed('http://good.example'), false);
  assert.equal(allowed('https://good.example.evil.test'), false);
  assert.equal(allowed('https://a.b.corp.example'), true);
  assert.equal(allowed('https://corp.example'), false);
  assert.equal(allowed('https://evilcorp.example'), false);
  assert.equal(allowed('http://localhost:8080'), true);
  assert.equal(allowed('http://localhost:8081'), false);
  assert.equal(allowed('null'), false);
  assert.equal(allowed(undefined), true);
  assert.equal(createOriginCheck(undefined)('https://any.test'), true);
  assert.equal(createOriginCheck(['*'])('https://any.test'), true);
  assert.throws(() => createOriginCheck(['good.example']), TypeError);
  assert.throws(() => createOriginCheck(['https://good.example/path']), TypeError);
});

test('an origin outside the allowlist gets HTTP 403 at the upgrade', async (t) => {
  const danmaku = await createDanmakuServer({ allowedOrigins: ['https://good.example'], logLevel: 'silent' });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  t.after(() => danmaku.close());
  const url = `ws://127.0.0.1:${port}/ws?room=o`;
  assert.equal(await upgradeStatus(url, { origin: 'https://evil.example' }), 403);
  assert.equal(await upgradeStatus(url, { origin: 'https://good.example' }), 101);
  assert.equal(await upgradeStatus(url), 101);
  const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  assert.match(metrics, /danmaku_connections_refused_total\{reason="origin"\} 1/);
});
