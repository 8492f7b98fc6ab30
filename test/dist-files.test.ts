// End to end: which of the files in packages/widget/dist/ a site must host, on sites that host them
// themselves (a plain static server, another origin than the danmaku server). One file,
// danmaku-layer.standalone.js, is enough for both elements and the canvas renderer; with the
// chunked entry, a chunk the site did not copy is fetched twice, then reported as a `load_failed`
// DanmakuError that names the file: on send()'s rejection, on `danmaku-error`, in the composer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type {} from 'danmaku-layer';
import { COMPOSER_STRINGS } from 'danmaku-layer';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import { serveFolder } from './support/static-server.js';

const dist = fileURLToPath(new URL('../../packages/widget/dist/', import.meta.url));
let danmaku: RunningServer;
let browser: Browser;
let dir: string;

before(async () => {
  danmaku = await startServer();
  browser = await launchBrowser();
  dir = await mkdtemp(join(tmpdir(), 'danmaku-site-'));
});

after(async () => {
  await browser?.close();
  await danmaku?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A page with a layer (drawn by `renderer`) and a composer, loading `script`, talking to the test's danmaku server. */
function page(script: string, renderer: 'dom' | 'canvas'): string {
  return (
    `<!doctype html><html lang="en"><title>site</title><script type="module" src="${script}"></script>` +
    `<danmaku-layer id="live" src="${danmaku.ws}" room="${renderer}-${script.length}" renderer="${renderer}"` +
    ' style="display:block;width:480px;height:270px"></danmaku-layer>' +
    '<danmaku-composer for="live"></danmaku-composer></html>'
  );
}

async function openPage(url: string): Promise<{ page: Page; scripts: string[]; errors: string[] }> {
  const tab = await browser.newPage();
  const scripts: string[] = [];
  const errors: string[] = [];
  tab.on('request', (request) => {
    if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
  });
  tab.on('pageerror', (error) => errors.push(error.message));
  await tab.goto(url);
  return { page: tab, scripts, errors };
}

/**
 * Whether the browser of `tab` fetches a module again after a fetch of it failed. The HTML standard
 * says it must since 2025 (whatwg/html#10327; Chromium 156 does); browsers that predate the change
 * (Chromium 150, for one) keep the failure for the page's life, so a second `import()` of the file
 * rejects without a request. The widget's chunk loader tries once more either way; how many
 * requests the site sees depends on this.
 */
async function refetchesFailedModules(tab: Page, requests: Map<string, number>): Promise<boolean> {
  // A property of the browser: asked once, of the first test's page and server.
  if (refetches !== undefined) return refetches;
  const path = `/no-such-module-${Date.now()}.js`;
  await tab.evaluate(async (url) => {
    for (let i = 0; i < 2; i++) await import(url).catch(() => undefined);
  }, path);
  return (refetches = requests.get(path) === 2);
}
let refetches: boolean | undefined;

test('a site that hosts only danmaku-layer.standalone.js sends and receives, canvas renderer included', async () => {
  const site = join(dir, 'standalone');
  await cp(join(dist, 'danmaku-layer.standalone.js'), join(site, 'danmaku.js'));
  await writeFile(join(site, 'index.html'), page('/danmaku.js', 'canvas'));
  const server = await serveFolder(site);
  try {
    const { page: tab, scripts, errors } = await openPage(`${server.http}/`);
    await tab.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'open');
    const heard = tab.evaluate(
      () =>
        new Promise<string>((resolve) =>
          document
            .querySelector('danmaku-layer')!
            .addEventListener('danmaku-comment', (e) => resolve(e.detail.comment.text)),
        ),
    );
    const input = tab.locator('danmaku-composer [part="input"]');
    await input.fill('one file is enough');
    await input.press('Enter');
    assert.equal(await heard, 'one file is enough');
    assert.equal(await tab.locator('danmaku-composer [part="feedback"]').textContent(), COMPOSER_STRINGS.sent);
    // The worker runs from the file itself: the layer paints on a canvas, and nothing else was fetched.
    assert.equal(await tab.locator('danmaku-layer canvas').count(), 1);
    assert.deepEqual(scripts, ['/danmaku.js']);
    assert.deepEqual(
      [...server.requests.keys()].filter((path) => path.endsWith('.js')),
      ['/danmaku.js'],
    );
    assert.deepEqual(errors, []);
    await tab.close();
  } finally {
    await server.close();
  }
});

test('a chunk the site did not host: tried twice, then a load_failed DanmakuError naming the file, on send(), danmaku-error and in the composer', async () => {
  const site = join(dir, 'chunked');
  await cp(dist, site, { recursive: true });
  await writeFile(join(site, 'index.html'), page('/danmaku-layer.bundle.js', 'dom'));
  const outbox = (await readdir(join(site, 'chunks'))).find((name) => /^outbox-.*\.js$/.test(name))!;
  const server = await serveFolder(site, /^\/chunks\/outbox-/);
  try {
    const { page: tab, errors } = await openPage(`${server.http}/`);
    await tab.evaluate(() => {
      const w = window as unknown as { heard: { code: string; message: string }[] };
      w.heard = [];
      document
        .querySelector('danmaku-layer')!
        .addEventListener('danmaku-error', (e) =>
          w.heard.push({ code: e.detail.error.code, message: e.detail.error.message }),
        );
    });
    await tab.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'open');
    // The composer fetched the sending code as it appeared, and says at once that it is missing.
    const feedback = tab.locator('danmaku-composer [part="feedback"]');
    await tab.waitForFunction(
      (text) =>
        document.querySelector('danmaku-composer')?.shadowRoot?.querySelector('[part="feedback"]')?.textContent ===
        text,
      COMPOSER_STRINGS.failures.load_failed,
    );
    assert.equal(await feedback.isVisible(), true);
    const refetches = await refetchesFailedModules(tab, server.requests);
    assert.equal(server.requests.get(`/chunks/${outbox}`), refetches ? 2 : 1, 'fetched, then tried once more');

    const failure = await tab.evaluate(() =>
      document
        .querySelector('danmaku-layer')!
        .send('hello')
        .then(
          () => null,
          (error: { name: string; code: string; message: string }) => ({
            name: error.name,
            code: error.code,
            message: error.message,
          }),
        ),
    );
    assert.ok(failure, 'send() rejects');
    assert.equal(failure.name, 'DanmakuError');
    assert.equal(failure.code, 'load_failed');
    assert.ok(failure.message.includes(`${server.http}/chunks/${outbox}`), failure.message);
    assert.match(failure.message, /whole dist\/ folder/);
    assert.match(failure.message, /danmaku-layer\.standalone\.js/);
    // No failure is kept: the send fetched the file again (twice), where the browser fetches again.
    assert.equal(server.requests.get(`/chunks/${outbox}`), refetches ? 4 : 1);
    const heard = await tab.evaluate(() => (window as unknown as { heard: { code: string; message: string }[] }).heard);
    assert.ok(heard.length >= 1 && heard.every((e) => e.code === 'load_failed'), JSON.stringify(heard));
    assert.equal(heard.at(-1)!.message, failure.message);
    assert.deepEqual(errors, []);
    await tab.close();
  } finally {
    await server.close();
  }
});

test("the connection's chunk not hosted: the layer says so with a load_failed error, is closed, and refuses sends with it", async () => {
  const site = join(dir, 'no-connection');
  await cp(dist, site, { recursive: true });
  await writeFile(join(site, 'index.html'), page('/danmaku-layer.bundle.js', 'dom'));
  const connection = (await readdir(join(site, 'chunks'))).find((name) => /^connection-.*\.js$/.test(name))!;
  const server = await serveFolder(site, /^\/chunks\/connection-/);
  try {
    const tab = await browser.newPage();
    // Heard from the start: the layer fetches the connection as soon as the bundle defines it.
    await tab.addInitScript(() => {
      const w = window as unknown as { heard: string[] };
      w.heard = [];
      document.addEventListener('danmaku-error', (e) => {
        const { error } = (e as CustomEvent<{ error: { code: string; message: string } }>).detail;
        w.heard.push(`${error.code} ${error.message}`);
      });
    });
    await tab.goto(`${server.http}/`);
    await tab.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'closed');
    const refetches = await refetchesFailedModules(tab, server.requests);
    assert.equal(server.requests.get(`/chunks/${connection}`), refetches ? 2 : 1, 'fetched, then tried once more');
    const heard = await tab.evaluate(() => (window as unknown as { heard: string[] }).heard);
    assert.equal(heard.length, 1, JSON.stringify(heard));
    assert.ok(
      heard[0].startsWith(`load_failed danmaku-layer could not load ${server.http}/chunks/${connection}`),
      heard[0],
    );
    const failure = await tab.evaluate(() =>
      document
        .querySelector('danmaku-layer')!
        .send('hello')
        .then(
          () => null,
          (error: { code: string }) => error.code,
        ),
    );
    assert.equal(failure, 'load_failed');
    // Comments given to the layer still show: it works as a rendering engine without a socket.
    assert.equal(await tab.evaluate(() => document.querySelector('danmaku-layer')!.add({ text: 'local' })), true);
    await tab.close();
  } finally {
    await server.close();
  }
});

test('a layer with for= whose following chunk is not hosted reports load_failed and keeps drawing', async () => {
  const site = join(dir, 'no-follow');
  await cp(dist, site, { recursive: true });
  await writeFile(
    join(site, 'index.html'),
    '<!doctype html><html lang="en"><title>site</title><script type="module" src="/danmaku-layer.bundle.js"></script>' +
      '<div id="target" style="width:320px;height:180px"></div>' +
      '<danmaku-layer for="target" style="display:block;width:320px;height:180px"></danmaku-layer></html>',
  );
  const follow = (await readdir(join(site, 'chunks'))).find((name) => /^follow-.*\.js$/.test(name))!;
  const server = await serveFolder(site, /^\/chunks\/follow-/);
  try {
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.addInitScript(() => {
      const w = window as unknown as { heard: string[] };
      w.heard = [];
      document.addEventListener('danmaku-error', (e) => {
        const { error } = (e as CustomEvent<{ error: { code: string; message: string } }>).detail;
        w.heard.push(`${error.code} ${error.message}`);
      });
    });
    await tab.goto(`${server.http}/`);
    await tab.waitForFunction(() => (window as unknown as { heard: string[] }).heard.length > 0);
    const heard = await tab.evaluate(() => (window as unknown as { heard: string[] }).heard);
    assert.ok(
      heard[0].startsWith(`load_failed danmaku-layer could not load ${server.http}/chunks/${follow}`),
      heard[0],
    );
    assert.equal(await tab.evaluate(() => document.querySelector('danmaku-layer')!.add({ text: 'still here' })), true);
    assert.deepEqual(errors, []);
    await tab.close();
  } finally {
    await server.close();
  }
});

test('a composer whose own file is missing shows why in its place', async () => {
  const site = join(dir, 'no-composer');
  await cp(dist, site, { recursive: true });
  await rm(join(site, 'danmaku-composer.bundle.js'));
  await copyFile(join(dist, 'danmaku-layer.bundle.js'), join(site, 'danmaku-layer.bundle.js'));
  await writeFile(join(site, 'index.html'), page('/danmaku-layer.bundle.js', 'dom'));
  const server = await serveFolder(site);
  try {
    const { page: tab } = await openPage(`${server.http}/`);
    await tab.waitForFunction(() =>
      (document.querySelector('danmaku-composer')?.textContent ?? '').includes('could not load'),
    );
    const text = await tab.locator('danmaku-composer').textContent();
    assert.ok(text!.includes(`${server.http}/danmaku-composer.bundle.js`), text!);
    const refetches = await refetchesFailedModules(tab, server.requests);
    assert.equal(
      server.requests.get('/danmaku-composer.bundle.js'),
      refetches ? 2 : 1,
      'fetched, then tried once more',
    );
    await tab.close();
  } finally {
    await server.close();
  }
});
