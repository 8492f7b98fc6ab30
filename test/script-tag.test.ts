// End to end: the one-script-tag page (demo/script-tag.html), served by the reference server, in
// two real Chromium pages: a comment typed into page A's <danmaku-composer> flies in page B's
// layer. Also: the composer's code is fetched only by pages that use it, the plain-HTML snippet
// of docs/frameworks.md works as written, and the bundled connection survives a cut link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, copyFile, writeFile, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createDanmakuServer, type DanmakuServer } from 'danmaku-layer-server';
import type {} from 'danmaku-layer';
import { codeBlocks } from './support/code-blocks.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { launchBrowser } from './support/browser.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
let danmaku: DanmakuServer;
let browser: Browser;
let base: string;
let pagesDir: string;
let proxy: TcpProxy;

before(async () => {
  // The pages under test, in one folder the server serves: the demo page as shipped, a page with a
  // layer only, and the plain-HTML snippet from the frameworks guide.
  pagesDir = await mkdtemp(join(tmpdir(), 'danmaku-pages-'));
  await copyFile(join(root, 'demo/script-tag.html'), join(pagesDir, 'script-tag.html'));
  await writeFile(
    join(pagesDir, 'layer-only.html'),
    '<!doctype html><script type="module" src="/danmaku-layer.bundle.js"></script>' +
      '<danmaku-layer src="/ws" room="solo" style="display:block;width:300px;height:100px"></danmaku-layer>',
  );
  await writeFile(
    join(pagesDir, 'engine.html'),
    '<!doctype html><script type="module" src="/danmaku-layer.bundle.js"></script>' +
      '<danmaku-layer room="engine" style="display:block;width:300px;height:100px"></danmaku-layer>',
  );
  await writeFile(
    join(pagesDir, 'tunnel.html'),
    '<!doctype html><script type="module" src="/danmaku-layer.bundle.js"></script>' +
      '<danmaku-layer room="tunnel" style="display:block;width:300px;height:100px"></danmaku-layer>' +
      '<script>document.querySelector("danmaku-layer").src = `ws://127.0.0.1:${new URLSearchParams(location.search).get("port")}/ws`;</script>',
  );
  const guide = await readFile(join(root, 'docs/frameworks.md'), 'utf8');
  const snippet = codeBlocks(guide).find((b) => b.file === 'plain.html');
  assert.ok(snippet, 'docs/frameworks.md has a plain.html snippet');
  await writeFile(join(pagesDir, 'plain.html'), snippet.code);

  danmaku = await createDanmakuServer({ demo: pagesDir, flushInterval: 5 });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${port}`;
  // Reaches the server through a link the test can cut: /tunnel.html?port=<proxy port>.
  proxy = new TcpProxy(port);
  await proxy.listen();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await danmaku?.close();
  await rm(pagesDir, { recursive: true, force: true });
});

/** Resolves once `check()` holds (polled every 10 ms, for at most 5 s). */
async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    assert.ok(waited < 5000, 'timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A script's path, its content hash (`chunks/outbox-<hash>.js`) written `[hash]`. */
const shape = (url: string): string => new URL(url).pathname.replace(/-[\w-]{8}\.js$/, '-[hash].js');

/** Opens `path` and records the URLs of the scripts it loads. */
async function open(path: string): Promise<{ page: Page; scripts: string[] }> {
  const page = await browser.newPage();
  const scripts: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(shape(request.url()));
  });
  page.on('pageerror', (error) => assert.fail(`page error on ${path}: ${error.message}`));
  await page.goto(base + path);
  await page.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'open');
  return { page, scripts };
}

/** Resolves in the page with the text of the next comment its layer receives. */
function nextComment(page: Page): Promise<{ text: string; own: boolean; shown: string[] }> {
  return page.evaluate(
    () =>
      new Promise<{ text: string; own: boolean; shown: string[] }>((resolve) => {
        const layer = document.querySelector('danmaku-layer')!;
        layer.addEventListener(
          'danmaku-comment',
          (event) => {
            // The layer draws the comment right after announcing it: read the stage a task later.
            setTimeout(() => {
              const shown = [...layer.shadowRoot!.querySelectorAll('.comment')].map((el) => el.textContent ?? '');
              resolve({ text: event.detail.comment.text, own: event.detail.own, shown });
            });
          },
          { once: true },
        );
      }),
  );
}

test('a comment typed into the composer on page A flies on page B, as text', async () => {
  const a = await open('/script-tag.html');
  const b = await open('/script-tag.html');
  // The page asks for nothing but the bundle, which fetches next to itself the connection (the
  // layer has a src) and the composer's part (with lit-html, shared with the settings panel), and
  // the composer the connection's sending code.
  await until(() => a.scripts.length === 5);
  assert.equal(a.scripts[0], '/danmaku-layer.bundle.js');
  assert.deepEqual(a.scripts.slice(1).sort(), [
    '/chunks/connection-[hash].js',
    '/chunks/lit-element-[hash].js',
    '/chunks/outbox-[hash].js',
    '/danmaku-composer.bundle.js',
  ]);

  const input = a.page.locator('danmaku-composer [part="input"]');
  await input.waitFor();
  const html = '<img src=x onerror=alert(1)>';
  const onB = nextComment(b.page);
  const onA = nextComment(a.page);
  await input.fill(html);
  await input.press('Enter');
  const [seenByB, seenByA] = await Promise.all([onB, onA]);
  assert.equal(seenByB.text, html);
  assert.equal(seenByB.own, false);
  assert.ok(seenByB.shown.includes(html), `page B shows the markup as characters: ${JSON.stringify(seenByB.shown)}`);
  assert.equal(seenByA.own, true);
  assert.equal(await b.page.locator('danmaku-layer img').count(), 0, 'no element was made from the text');
  assert.equal(await input.inputValue(), '');
  assert.equal(await a.page.locator('danmaku-composer [part="feedback"]').textContent(), 'Sent.');
  await a.page.close();
  await b.page.close();
});

test('a page with only a layer never downloads the composer', async () => {
  const { page, scripts } = await open('/layer-only.html');
  assert.deepEqual(scripts, ['/danmaku-layer.bundle.js', '/chunks/connection-[hash].js']);
  assert.equal(await page.evaluate(() => customElements.get('danmaku-composer')), undefined);
  // A composer added later is fetched then.
  await page.evaluate(() => document.body.append(document.createElement('danmaku-composer')));
  await page.waitForFunction(() => customElements.get('danmaku-composer') !== undefined);
  await until(() => scripts.length === 5);
  assert.deepEqual(scripts, [
    '/danmaku-layer.bundle.js',
    '/chunks/connection-[hash].js',
    '/danmaku-composer.bundle.js',
    '/chunks/lit-element-[hash].js',
    '/chunks/outbox-[hash].js',
  ]);
  await page.close();
});

test('a layer without src, used only to draw, never downloads the connection; given a src, it fetches it and sends what was sent meanwhile', async () => {
  const page = await browser.newPage();
  const scripts: string[] = [];
  page.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(shape(request.url()));
  });
  page.on('pageerror', (error) => assert.fail(`page error: ${error.message}`));
  await page.goto(`${base}/engine.html`);
  await page.waitForFunction(() => customElements.get('danmaku-layer') !== undefined);
  const shown = await page.evaluate(async () => {
    const layer = document.querySelector('danmaku-layer')!;
    await layer.updateComplete;
    layer.add({ text: 'drawn locally' });
    return { status: layer.status, onScreen: layer.stats.onScreen };
  });
  assert.deepEqual(shown, { status: 'idle', onScreen: 1 });
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(scripts, ['/danmaku-layer.bundle.js']);

  const comment = nextComment(page);
  const queued = await page.evaluate(async () => {
    const layer = document.querySelector('danmaku-layer')!;
    layer.src = '/ws';
    await layer.updateComplete;
    // The connection's code is on its way: the send waits for it, counted at once.
    (window as unknown as { sent: Promise<unknown> }).sent = layer.send('sent before the socket');
    return layer.queued;
  });
  assert.equal(queued, 1);
  const receipt = await page.evaluate(() => (window as unknown as { sent: Promise<{ seq: number }> }).sent);
  assert.ok(receipt.seq > 0);
  assert.deepEqual(
    { text: (await comment).text, own: (await comment).own },
    { text: 'sent before the socket', own: true },
  );
  assert.deepEqual(scripts, ['/danmaku-layer.bundle.js', '/chunks/connection-[hash].js', '/chunks/outbox-[hash].js']);
  await page.close();
});

test("a composer in another element's shadow root is defined through the bundle's loadComposer()", async () => {
  const { page } = await open('/layer-only.html');
  const defined = await page.evaluate(async () => {
    const host = document.body.appendChild(document.createElement('div'));
    host.attachShadow({ mode: 'open' }).innerHTML = '<danmaku-composer></danmaku-composer>';
    await new Promise((resolve) => setTimeout(resolve, 100));
    const before = customElements.get('danmaku-composer') !== undefined;
    const bundleUrl = '/danmaku-layer.bundle.js'; // a URL of the test server, not a module tsc can resolve
    const bundle = (await import(bundleUrl)) as { loadComposer(): Promise<unknown> };
    await bundle.loadComposer();
    return { before, after: customElements.get('danmaku-composer') !== undefined };
  });
  assert.deepEqual(defined, { before: false, after: true });
  await page.close();
});

test('the plain-HTML snippet of docs/frameworks.md works as written', async () => {
  const { page } = await open('/plain.html');
  const comment = nextComment(page);
  const input = page.locator('danmaku-composer [part="input"]');
  await input.fill('from the guide');
  await input.press('Enter');
  assert.equal((await comment).text, 'from the guide');
  await page.close();
});

test('the bundled connection reconnects after a cut, resumes, and sends what was typed meanwhile', async () => {
  // reconnecting-websocket is bundled as published, in the connection's chunk: this runs its
  // reconnection path as shipped.
  const { page } = await open(`/tunnel.html?port=${proxy.port}`);
  await page.evaluate(() => {
    const w = window as unknown as { resets: number };
    w.resets = 0;
    document.querySelector('danmaku-layer')!.addEventListener('danmaku-reset', () => w.resets++);
  });
  const cut = proxy.cutFor(1500);
  await page.waitForFunction(() => document.querySelector('danmaku-layer')!.status === 'connecting');
  const queued = await page.evaluate(() => {
    const layer = document.querySelector('danmaku-layer')!;
    (window as unknown as { sent: Promise<unknown> }).sent = layer.send('typed in the tunnel');
    return layer.queued;
  });
  assert.equal(queued, 1, 'the send waits in the queue, counted at once');
  const comment = nextComment(page);
  await cut;
  const receipt = await page.evaluate(() => (window as unknown as { sent: Promise<{ seq: number }> }).sent);
  assert.ok(receipt.seq > 0);
  const seen = await comment;
  assert.equal(seen.text, 'typed in the tunnel');
  assert.equal(seen.own, true);
  assert.equal(await page.evaluate(() => document.querySelector('danmaku-layer')!.status), 'open');
  assert.equal(await page.evaluate(() => (window as unknown as { resets: number }).resets), 0, 'resumed, not reset');
  await page.close();
});
