// End to end: the widget on pages that set the strictest site policies, in Chromium, with the real
// reference server. Each page sets its policy in response headers (Content-Security-Policy with
// Trusted Types, Cross-Origin-Embedder-Policy) or in its markup (Subresource Integrity); on each,
// both renderers show what a composer on another page sends, and the page reports no violation.
// Where a policy refuses the canvas renderer's worker, the layer says so (`danmaku-error`,
// `canvas_unavailable`) and goes on with the DOM renderer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { createDanmakuServer, type DanmakuServer } from 'danmaku-layer-server';
import type {} from 'danmaku-layer';
import { launchBrowser } from './support/browser.js';

const dist = fileURLToPath(new URL('../../packages/widget/dist/', import.meta.url));

/** A test page: its markup and the headers it is served with. */
interface TestPage {
  html: string;
  headers?: OutgoingHttpHeaders;
}
/** Pages by path, answered by both origins before anything else. */
const pages = new Map<string, TestPage>();

function servePage(req: IncomingMessage, res: ServerResponse): boolean {
  const page = pages.get((req.url ?? '/').split('?', 1)[0]);
  if (!page) return false;
  res
    .writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...page.headers })
    .end(`<!doctype html><meta charset="utf-8"><title>policy</title>${page.html}`);
  return true;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return `http://127.0.0.1:${address.port}`;
}

let danmaku: DanmakuServer;
let browser: Browser;
let serverHttp: Server;
let otherHttp: Server;
/** The danmaku server's origin: its files, its WebSocket, and the pages that host it themselves. */
let home: string;
/** Another site's origin, whose pages load the widget from `home`. */
let other: string;
let ws: string;
/** dist/integrity.json, written by the build. */
let integrity: Record<string, string>;

before(async () => {
  serverHttp = createServer((req, res) => {
    if (servePage(req, res)) return;
    void danmaku.handleRequest(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  danmaku = await createDanmakuServer({ server: serverHttp, flushInterval: 5, logLevel: 'silent', rateLimit: 0 });
  home = await listen(serverHttp);
  ws = `${home.replace('http', 'ws')}/ws`;
  otherHttp = createServer((req, res) => {
    if (!servePage(req, res)) res.writeHead(404).end();
  });
  other = await listen(otherHttp);
  integrity = JSON.parse(await readFile(`${dist}integrity.json`, 'utf8')) as Record<string, string>;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await danmaku?.close();
  await new Promise((resolve) => serverHttp?.close(resolve));
  await new Promise((resolve) => otherHttp?.close(resolve));
});

/** The strictest policy the widget works under, for a page whose widget files come from `scripts`. */
function strictCsp(scripts: string, extra: Partial<Record<string, string>> = {}): string {
  const directives: Record<string, string> = {
    'default-src': "'none'",
    'script-src': scripts,
    // The widget's styles are constructed style sheets and CSSOM writes, which style-src leaves alone.
    'style-src': "'none'",
    'connect-src': ws,
    'worker-src': scripts,
    'img-src': "'none'",
    'object-src': "'none'",
    'base-uri': "'none'",
    'require-trusted-types-for': "'script'",
    'trusted-types': 'danmaku-layer lit-html',
    ...extra,
  };
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

let rooms = 0;

/**
 * Registers a page at `path` with a layer (and a composer) in a room of its own, loading `script`;
 * `head` goes before it (an import map).
 */
function addPage(
  path: string,
  options: { script: string; renderer: 'dom' | 'canvas'; headers?: OutgoingHttpHeaders; attrs?: string; head?: string },
): string {
  const room = `policy-${++rooms}`;
  pages.set(path, {
    headers: options.headers,
    html:
      (options.head ?? '') +
      `<script type="module" src="${options.script}"${options.attrs ?? ''}></script>` +
      // `interactive` and `announce` fetch two more of the optional chunks.
      `<danmaku-layer id="live" src="${ws}" room="${room}" renderer="${options.renderer}" interactive announce>` +
      // Sized without a style attribute, which `style-src` without 'unsafe-inline' refuses.
      '<canvas width="640" height="360"></canvas></danmaku-layer>' +
      '<danmaku-composer for="live"></danmaku-composer>',
  });
  return path;
}

/** What a page saw: policy violations and `danmaku-error`s. */
interface Seen {
  violations: { directive: string; blocked: string }[];
  errors: { code: string; message: string }[];
}

/** Opens `url` with listeners for violations and `danmaku-error` set before any script of the page runs. */
async function open(url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const seen: Seen = { violations: [], errors: [] };
    (window as unknown as { seen: Seen }).seen = seen;
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.violations.push({ directive: event.effectiveDirective, blocked: event.blockedURI }),
    );
    document.addEventListener('danmaku-error', (event) => {
      const { error } = (event as CustomEvent<{ error: { code: string; message: string } }>).detail;
      seen.errors.push({ code: error.code, message: error.message });
    });
  });
  await page.goto(url);
  return page;
}

/** Waits until the page's layer is connected and its renderer is chosen, and says which one draws. */
async function ready(page: Page): Promise<'dom' | 'canvas'> {
  await page.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'open');
  // The canvas renderer is settled once its canvas is there or the layer said why not.
  await page.waitForFunction(() => {
    const layer = document.querySelector('danmaku-layer')!;
    return (
      layer.renderer === 'dom' ||
      !!layer.shadowRoot!.querySelector('canvas') ||
      (window as unknown as { seen: Seen }).seen.errors.length > 0
    );
  });
  return page.evaluate(() =>
    document.querySelector('danmaku-layer')!.shadowRoot!.querySelector('canvas') ? 'canvas' : 'dom',
  );
}

const seen = (page: Page): Promise<Seen> => page.evaluate(() => (window as unknown as { seen: Seen }).seen);

/**
 * Types `text` into `sender`'s composer and waits until `receiver`'s layer got it and put it on
 * its stage; returns the receiver's `stats.shown`.
 */
async function sendAndShow(sender: Page, receiver: Page, text: string): Promise<number> {
  await receiver.evaluate(() => {
    const layer = document.querySelector('danmaku-layer')!;
    (window as unknown as { got: Promise<string> }).got = new Promise((resolve) =>
      layer.addEventListener('danmaku-comment', (event) => resolve(event.detail.comment.text), { once: true }),
    );
  });
  const input = sender.locator('danmaku-composer [part="input"]');
  await input.fill(text);
  await input.press('Enter');
  assert.equal(await receiver.evaluate(() => (window as unknown as { got: Promise<string> }).got), text);
  await receiver.waitForFunction(() => document.querySelector('danmaku-layer')!.stats.shown > 0);
  return receiver.evaluate(() => document.querySelector('danmaku-layer')!.stats.shown);
}

/** Two pages at `url`, connected to the same room: one sends through its composer, the other shows it. */
async function roundTrip(
  url: string,
  text: string,
): Promise<{ renderer: 'dom' | 'canvas'; a: Seen; b: Seen; loaded: string[] }> {
  const a = await open(url);
  const b = await open(url);
  try {
    const renderer = await ready(b);
    await ready(a);
    assert.ok((await sendAndShow(a, b, text)) >= 1, 'the receiving layer showed the comment');
    // Every file the receiving page fetched, by name without its content hash.
    const loaded = await b.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name).pathname.replace(/-[\w-]{8}\.js$/, '.js'))
        .sort(),
    );
    return { renderer, a: await seen(a), b: await seen(b), loaded };
  } finally {
    await a.close();
    await b.close();
  }
}

for (const renderer of ['dom', 'canvas'] as const) {
  test(`strict CSP with Trusted Types, widget from the page's origin: ${renderer} renderer, composer, send and receive, no violation`, async () => {
    const url =
      home +
      addPage(`/strict-${renderer}`, {
        script: '/danmaku-layer.bundle.js',
        renderer,
        headers: { 'content-security-policy': strictCsp("'self'") },
      });
    const result = await roundTrip(url, `strict ${renderer}`);
    assert.equal(result.renderer, renderer);
    const parts = ['/danmaku-composer.bundle.js', '/chunks/outbox.js', '/chunks/interaction.js', '/chunks/announce.js'];
    if (renderer === 'canvas') parts.push('/chunks/canvas-renderer.js', '/chunks/canvas-worker.js');
    for (const part of parts) assert.ok(result.loaded.includes(part), `${part} loaded: ${result.loaded.join(', ')}`);
    assert.deepEqual(
      [result.a, result.b],
      [
        { violations: [], errors: [] },
        { violations: [], errors: [] },
      ],
    );
  });

  test(`strict CSP with Trusted Types, widget from another origin: ${renderer} renderer, no violation`, async () => {
    // The worker of another origin starts from a blob: of the page, which imports the worker from
    // the server: worker-src must allow both (a module worker fetches its imports as a worker).
    const url =
      other +
      addPage(`/strict-remote-${renderer}`, {
        script: `${home}/danmaku-layer.bundle.js`,
        renderer,
        headers: { 'content-security-policy': strictCsp(home, { 'worker-src': `blob: ${home}` }) },
      });
    const result = await roundTrip(url, `remote ${renderer}`);
    assert.equal(result.renderer, renderer);
    assert.deepEqual(
      [result.a, result.b],
      [
        { violations: [], errors: [] },
        { violations: [], errors: [] },
      ],
    );
  });

  test(`a cross-origin isolated page (COEP require-corp) loads the widget from another origin: ${renderer} renderer`, async () => {
    const url =
      other +
      addPage(`/coep-${renderer}`, {
        script: `${home}/danmaku-layer.bundle.js`,
        renderer,
        headers: { 'cross-origin-embedder-policy': 'require-corp', 'cross-origin-opener-policy': 'same-origin' },
      });
    const page = await open(url);
    assert.equal(await page.evaluate(() => crossOriginIsolated), true, 'the page is cross-origin isolated');
    await page.close();
    const result = await roundTrip(url, `isolated ${renderer}`);
    assert.equal(result.renderer, renderer);
    assert.deepEqual(
      [result.a, result.b],
      [
        { violations: [], errors: [] },
        { violations: [], errors: [] },
      ],
    );
  });
}

/** The violations and errors a page with a refused canvas worker reports. */
async function fallback(url: string, text: string): Promise<Seen> {
  const result = await roundTrip(url, text);
  assert.equal(result.renderer, 'dom', 'the layer draws with the DOM renderer');
  assert.deepEqual(
    result.b.errors.map((error) => error.code),
    ['canvas_unavailable'],
  );
  return result.b;
}

test('Trusted Types that do not allow the danmaku-layer policy: the layer falls back to the DOM renderer and says so', async () => {
  const url =
    home +
    addPage('/fallback-tt', {
      script: '/danmaku-layer.bundle.js',
      renderer: 'canvas',
      headers: { 'content-security-policy': strictCsp("'self'", { 'trusted-types': 'lit-html' }) },
    });
  const b = await fallback(url, 'no policy');
  assert.match(b.errors[0].message, /Trusted Types refuse the danmaku-layer policy/);
  assert.deepEqual(
    b.violations.map((v) => v.directive),
    ['trusted-types'],
    'the refused policy is the only violation',
  );
});

test('a CSP whose worker-src refuses the worker: the layer falls back to the DOM renderer and says so', async () => {
  const url =
    home +
    addPage('/fallback-worker-src', {
      script: '/danmaku-layer.bundle.js',
      renderer: 'canvas',
      headers: { 'content-security-policy': strictCsp("'self'", { 'worker-src': "'none'" }) },
    });
  const b = await fallback(url, 'no worker');
  assert.match(
    b.errors[0].message,
    /its worker, .*canvas-worker-.*\.js, was refused \(the page.s worker-src\) or failed to load/,
  );
  assert.deepEqual(
    b.violations.map((v) => v.directive),
    ['worker-src'],
    'the refused worker is the only violation',
  );
});

test('widget from another origin, worker-src without blob: the layer falls back to the DOM renderer and says so', async () => {
  const url =
    other +
    addPage('/fallback-remote', {
      script: `${home}/danmaku-layer.bundle.js`,
      renderer: 'canvas',
      headers: { 'content-security-policy': strictCsp(home) },
    });
  const b = await fallback(url, 'no blob');
  assert.match(b.errors[0].message, /a blob: URL importing .*canvas-worker-.*\.js/);
  assert.deepEqual(
    b.violations.map((v) => v.directive),
    ['worker-src'],
  );
});

test('the standalone file under a strict CSP: DOM renderer, composer, no violation; its data: worker needs worker-src data:', async () => {
  const dom =
    home +
    addPage('/standalone-dom', {
      script: '/danmaku-layer.standalone.js',
      renderer: 'dom',
      headers: { 'content-security-policy': strictCsp("'self'") },
    });
  const result = await roundTrip(dom, 'standalone');
  assert.deepEqual(
    [result.a, result.b],
    [
      { violations: [], errors: [] },
      { violations: [], errors: [] },
    ],
  );

  const canvas =
    home +
    addPage('/standalone-canvas', {
      script: '/danmaku-layer.standalone.js',
      renderer: 'canvas',
      headers: { 'content-security-policy': strictCsp("'self'", { 'worker-src': 'data:' }) },
    });
  const painted = await roundTrip(canvas, 'standalone canvas');
  assert.equal(painted.renderer, 'canvas');
  assert.deepEqual(
    [painted.a, painted.b],
    [
      { violations: [], errors: [] },
      { violations: [], errors: [] },
    ],
  );
});

test('Subresource Integrity from another origin: the hashes of dist/integrity.json load the entry and, through an import map, every chunk', async () => {
  const scripts = Object.entries(integrity).filter(([path]) => path.endsWith('.js'));
  const importMap = JSON.stringify({
    imports: {},
    integrity: Object.fromEntries(scripts.map(([path, sri]) => [`${home}/${path}`, sri])),
  });
  const url =
    other +
    addPage('/sri', {
      script: `${home}/danmaku-layer.bundle.js`,
      renderer: 'canvas',
      attrs: ` integrity="${integrity['danmaku-layer.bundle.js']}" crossorigin="anonymous"`,
      head: `<script type="importmap">${importMap}</script>`,
    });
  const result = await roundTrip(url, 'with integrity');
  assert.equal(result.renderer, 'canvas');
  assert.deepEqual(
    [result.a, result.b],
    [
      { violations: [], errors: [] },
      { violations: [], errors: [] },
    ],
  );
});

test('Subresource Integrity: a wrong hash on the entry keeps it from running', async () => {
  const url =
    other +
    addPage('/sri-wrong', {
      script: `${home}/danmaku-layer.bundle.js`,
      renderer: 'dom',
      attrs: ` integrity="sha384-${Buffer.alloc(48).toString('base64')}" crossorigin="anonymous"`,
    });
  const page = await open(url);
  const console: string[] = [];
  page.on('console', (message) => console.push(message.text()));
  await page.reload();
  await page.waitForLoadState('load');
  assert.equal(await page.evaluate(() => customElements.get('danmaku-layer')), undefined, 'the entry did not run');
  assert.ok(
    console.some((text) => /integrity/i.test(text)),
    `the browser says why: ${console.join(' | ')}`,
  );
  await page.close();
});

test('Subresource Integrity: a wrong hash for a chunk in the import map keeps that chunk out, reported as load_failed', async () => {
  const composer = 'danmaku-composer.bundle.js';
  const importMap = JSON.stringify({
    imports: {},
    integrity: { [`${home}/${composer}`]: `sha384-${Buffer.alloc(48).toString('base64')}` },
  });
  const url =
    other +
    addPage('/sri-wrong-chunk', {
      script: `${home}/danmaku-layer.bundle.js`,
      renderer: 'dom',
      attrs: ` integrity="${integrity['danmaku-layer.bundle.js']}" crossorigin="anonymous"`,
      head: `<script type="importmap">${importMap}</script>`,
    });
  const page = await open(url);
  await page.waitForFunction(() => (window as unknown as { seen: Seen }).seen.errors.length > 0);
  const { errors } = await seen(page);
  assert.equal(errors[0].code, 'load_failed');
  assert.match(errors[0].message, /danmaku-composer\.bundle\.js/);
  await page.close();
});
