import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDanmakuServer } from './server.js';
import { TestClient, upgradeStatus } from './testing/client.js';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}

test("mounts inside a plain http app, behind a custom path, next to the app's own routes", async (t) => {
  const app = createServer((req, res) => {
    if (req.url === '/hello') {
      res.end('hello from the app');
      return;
    }
    // The app decides which of the danmaku routes it exposes.
    void danmaku.handleRequest(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end('app 404');
    });
  });
  const danmaku = await createDanmakuServer({ server: app, path: '/live/danmaku', logLevel: 'silent' });
  const port = await listen(app);
  t.after(async () => {
    await danmaku.close();
    app.closeAllConnections();
    await new Promise((r) => app.close(r));
  });
  const base = `http://127.0.0.1:${port}`;

  assert.equal(await (await fetch(`${base}/hello`)).text(), 'hello from the app');
  assert.deepEqual(await (await fetch(`${base}/healthz`)).json(), { status: 'ok' });
  assert.equal((await fetch(`${base}/nothing`)).status, 404);

  const client = await TestClient.connect(`ws://127.0.0.1:${port}/live/danmaku`, 'room=mounted');
  t.after(() => client.close());
  client.sendComment('inside an app');
  assert.equal((await client.waitForComments(1))[0].text, 'inside an app');
  // The app's server stays the app's: it is still listening after the danmaku server closes.
  await danmaku.close();
  assert.equal(app.listening, true);
  assert.equal(await (await fetch(`${base}/hello`)).text(), 'hello from the app');
});

test('upgrades on other paths of a shared server are left to other handlers', async (t) => {
  const app = createServer();
  const danmaku = await createDanmakuServer({ server: app, logLevel: 'silent' });
  app.on('upgrade', (req, socket) => {
    if (req.url?.startsWith('/other')) socket.end('HTTP/1.1 418 I am a teapot\r\nContent-Length: 0\r\n\r\n');
  });
  const port = await listen(app);
  t.after(async () => {
    await danmaku.close();
    app.closeAllConnections();
    await new Promise((r) => app.close(r));
  });
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${port}/other?room=x`), 418);
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${port}/ws?room=x`), 101);
});

test('its own server answers 404 to upgrades on other paths', async (t) => {
  const danmaku = await createDanmakuServer({ logLevel: 'silent' });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  t.after(() => danmaku.close());
  assert.equal(await upgradeStatus(`ws://127.0.0.1:${port}/elsewhere?room=x`), 404);
});
