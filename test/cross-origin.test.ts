// End to end: the README's script tag on a page of ANOTHER origin, pointed at the reference server
// built from this repository. Chromium runs module scripts of another origin only with CORS, so
// this is the page of a site owner who adds danmaku to an existing site. Two pages: one sends
// through its composer, the other receives; a reload revalidates the entry (ETag, 304).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { createDanmakuServer, type DanmakuServer } from 'danmaku-layer-server';
import type {} from 'danmaku-layer';
import { launchBrowser } from './support/browser.js';
import { openConnected, readmeSnippet, sendAndReceive, startPageOrigin } from './support/cross-origin.js';

let http: Server;
let danmaku: DanmakuServer;
let browser: Browser;
let origin: Awaited<ReturnType<typeof startPageOrigin>>;
let base: string;
/** Every request the danmaku server answered: path, status, and the validator it was sent. */
const served: Array<{ path: string; status: number; ifNoneMatch: string | undefined }> = [];

before(async () => {
  // The server mounted on an http.Server of the test's own, to see each request and its answer.
  http = createServer((req, res) => {
    res.on('finish', () =>
      served.push({ path: req.url ?? '', status: res.statusCode, ifNoneMatch: req.headers['if-none-match'] }),
    );
    void danmaku.handleRequest(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  danmaku = await createDanmakuServer({ server: http, flushInterval: 5, logLevel: 'silent' });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  assert.ok(address && typeof address === 'object');
  base = `http://127.0.0.1:${address.port}`;
  origin = await startPageOrigin(await readmeSnippet(base));
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await origin?.close();
  await danmaku?.close();
  await new Promise((resolve) => http?.close(resolve));
});

test("the README's script tag works on a page of another origin: a comment sent on one page arrives on the other", async () => {
  assert.notEqual(new URL(origin.url).origin, base, 'the page and the server are different origins');
  const a = await openConnected(browser, origin.url);
  const b = await openConnected(browser, origin.url);
  const received = await sendAndReceive(a.page, b.page, 'from a page of another origin');
  assert.deepEqual(received, { text: 'from a page of another origin', own: false });

  // Every script came from the danmaku server, allowed for every origin, compressed.
  const scripts = a.scripts.filter((s) => s.url.startsWith(base));
  assert.ok(scripts.length >= 2, `the entry and the composer's part: ${scripts.map((s) => s.url).join(', ')}`);
  for (const script of scripts) {
    assert.equal(script.headers['access-control-allow-origin'], '*', script.url);
    assert.equal(script.headers['cross-origin-resource-policy'], 'cross-origin', script.url);
    assert.match(script.headers['content-type'] ?? '', /^text\/javascript; charset=utf-8$/, script.url);
    assert.match(script.headers['content-encoding'] ?? '', /^(br|gzip)$/, script.url);
    assert.ok(script.headers.etag, script.url);
  }
  await a.page.close();
  await b.page.close();
});

test('a reload revalidates the entry: the browser sends its ETag and gets 304', async () => {
  const { page } = await openConnected(browser, origin.url);
  served.length = 0;
  await page.reload();
  await page.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'open');
  const entry = served.filter((r) => r.path === '/danmaku-layer.bundle.js');
  assert.equal(entry.length, 1, JSON.stringify(served));
  assert.ok(entry[0].ifNoneMatch, 'the browser revalidated with its ETag');
  assert.equal(entry[0].status, 304);
  await page.close();
});
