// The static files as a page on another origin loads them: CORS and CORP headers, charset,
// compression by Accept-Encoding, ETag and 304, cache lifetimes by name, preflight, and nothing
// outside the files found at start-up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createStaticHandler, defaultWidgetDir } from './static-files.js';
import { createDanmakuServer } from './server.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A raw request: no header is added and the path is sent exactly as given. */
function fetchRaw(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const ENTRY = 'export const entry = "danmaku";\n'.repeat(100);
const CHUNK = 'export const chunk = "outbox";\n'.repeat(100);
let root: string;
let flat: string;
let split: string;
let demo: string;
let servers: Server[] = [];

/** Serves `widgetDir` (and `demoDir`) on a loopback port; unknown paths get 404 as in the server. */
async function serve(widgetDir: string, demoDir?: string): Promise<number> {
  const handle = await createStaticHandler(demoDir, widgetDir);
  const server = createServer((req, res) => {
    void handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return address.port;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'danmaku-static-'));
  // Today's layout: every file at the top. The chunked layout: fixed names on top, hashed in chunks/.
  flat = join(root, 'flat');
  split = join(root, 'split');
  demo = join(root, 'demo');
  await mkdir(flat);
  await mkdir(join(split, 'chunks'), { recursive: true });
  await mkdir(demo);
  await writeFile(join(flat, 'danmaku-layer.bundle.js'), ENTRY);
  await writeFile(join(flat, 'outbox.bundle.js'), CHUNK);
  await writeFile(join(split, 'danmaku-layer.bundle.js'), ENTRY);
  await writeFile(join(split, 'danmaku-layer.standalone.js'), ENTRY);
  await writeFile(join(split, 'chunks', 'outbox-3f9a1c2b.js'), CHUNK);
  await writeFile(join(split, 'chunks', 'canvas-worker-77d0e1aa.js'), CHUNK);
  await writeFile(join(demo, 'index.html'), '<!doctype html><title>demo</title>' + '<p>danmaku</p>'.repeat(50));
  await writeFile(join(demo, 'favicon.png'), Buffer.alloc(2000, 7));
  await writeFile(join(root, 'secret.txt'), 'not for the web');
});

after(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  servers = [];
  await rm(root, { recursive: true, force: true });
});

test('an asset allows every origin to load it, says its charset, and revalidates a fixed name', async () => {
  const port = await serve(flat);
  const reply = await fetchRaw(port, '/danmaku-layer.bundle.js', { origin: 'https://blog.example' });
  assert.equal(reply.status, 200);
  assert.equal(reply.headers['access-control-allow-origin'], '*');
  assert.equal(reply.headers['cross-origin-resource-policy'], 'cross-origin');
  assert.equal(reply.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(reply.headers['x-content-type-options'], 'nosniff');
  assert.equal(reply.headers['cache-control'], 'no-cache');
  assert.equal(reply.headers.vary, 'Accept-Encoding');
  assert.match(String(reply.headers.etag), /^"[\w-]+"$/);
  assert.equal(reply.headers['content-encoding'], undefined, 'no Accept-Encoding: sent as is');
  assert.equal(reply.headers['content-length'], String(Buffer.byteLength(ENTRY)));
  assert.equal(reply.body.toString(), ENTRY);
  // The flat layout serves its other files at the top, revalidated too.
  const chunk = await fetchRaw(port, '/outbox.bundle.js');
  assert.equal(chunk.status, 200);
  assert.equal(chunk.headers['cache-control'], 'no-cache');
  assert.equal(chunk.body.toString(), CHUNK);
});

test('files under chunks/ are cached for good; the entry and the standalone file are not', async () => {
  const port = await serve(split);
  for (const path of ['/chunks/outbox-3f9a1c2b.js', '/chunks/canvas-worker-77d0e1aa.js']) {
    const reply = await fetchRaw(port, path);
    assert.equal(reply.status, 200, path);
    assert.equal(reply.headers['cache-control'], 'public, max-age=31536000, immutable', path);
    assert.equal(reply.headers['access-control-allow-origin'], '*', path);
    assert.equal(reply.headers['cross-origin-resource-policy'], 'cross-origin', path);
    assert.equal(reply.body.toString(), CHUNK, path);
  }
  for (const path of ['/danmaku-layer.bundle.js', '/danmaku-layer.standalone.js']) {
    assert.equal((await fetchRaw(port, path)).headers['cache-control'], 'no-cache', path);
  }
  assert.equal((await fetchRaw(port, '/outbox-3f9a1c2b.js')).status, 404, 'a chunk lives under /chunks/ only');
});

test('brotli or gzip by Accept-Encoding and its q-values; each form decompresses to the file', async () => {
  const port = await serve(split);
  const br = await fetchRaw(port, '/chunks/outbox-3f9a1c2b.js', { 'accept-encoding': 'gzip, deflate, br, zstd' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers.vary, 'Accept-Encoding');
  assert.equal(br.headers['content-length'], String(br.body.length));
  assert.ok(br.body.length < Buffer.byteLength(CHUNK));
  assert.equal(brotliDecompressSync(br.body).toString(), CHUNK);

  const gz = await fetchRaw(port, '/chunks/outbox-3f9a1c2b.js', { 'accept-encoding': 'br;q=0.2, gzip;q=0.8' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(gz.body).toString(), CHUNK);

  const none = await fetchRaw(port, '/chunks/outbox-3f9a1c2b.js', { 'accept-encoding': 'br;q=0, gzip;q=0' });
  assert.equal(none.headers['content-encoding'], undefined);
  assert.equal(none.body.toString(), CHUNK);

  assert.notEqual(br.headers.etag, gz.headers.etag, 'each form has its own ETag');
  assert.notEqual(gz.headers.etag, none.headers.etag);
});

test('If-None-Match with the current ETag gets 304 with no body and the CORS and cache headers', async () => {
  const port = await serve(split);
  for (const path of ['/danmaku-layer.bundle.js', '/chunks/outbox-3f9a1c2b.js']) {
    const first = await fetchRaw(port, path, { 'accept-encoding': 'br' });
    const etag = String(first.headers.etag);
    const again = await fetchRaw(port, path, { 'accept-encoding': 'br', 'if-none-match': etag });
    assert.equal(again.status, 304, path);
    assert.equal(again.body.length, 0, path);
    assert.equal(again.headers.etag, etag, path);
    assert.equal(again.headers['cache-control'], first.headers['cache-control'], path);
    assert.equal(again.headers['access-control-allow-origin'], '*', path);
    assert.equal(again.headers.vary, 'Accept-Encoding', path);
    assert.equal(
      (await fetchRaw(port, path, { 'accept-encoding': 'br', 'if-none-match': `W/${etag}` })).status,
      304,
      'weak comparison',
    );
    const other = await fetchRaw(port, path, { 'accept-encoding': 'br', 'if-none-match': '"something-else"' });
    assert.equal(other.status, 200, path);
    // A validator of the brotli form does not stand for the identity form.
    assert.equal((await fetchRaw(port, path, { 'if-none-match': etag })).status, 200, path);
  }
});

test('HEAD answers the headers of GET without the body', async () => {
  const port = await serve(split);
  const get = await fetchRaw(port, '/danmaku-layer.bundle.js', { 'accept-encoding': 'gzip' });
  const head = await fetchRaw(port, '/danmaku-layer.bundle.js', { 'accept-encoding': 'gzip' }, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  for (const name of ['content-length', 'content-encoding', 'etag', 'access-control-allow-origin', 'cache-control']) {
    assert.equal(head.headers[name], get.headers[name], name);
  }
});

test('a preflight is answered for an asset; other methods get 405', async () => {
  const port = await serve(split);
  const preflight = await fetchRaw(
    port,
    '/danmaku-layer.bundle.js',
    {
      origin: 'https://blog.example',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'x-requested-with',
    },
    'OPTIONS',
  );
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], '*');
  assert.equal(preflight.headers['access-control-allow-methods'], 'GET, HEAD, OPTIONS');
  assert.equal(preflight.headers['access-control-allow-headers'], 'x-requested-with');
  assert.ok(Number(preflight.headers['access-control-max-age']) > 0);
  const post = await fetchRaw(port, '/danmaku-layer.bundle.js', {}, 'POST');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD, OPTIONS');
  assert.equal((await fetchRaw(port, '/not-an-asset.js', {}, 'OPTIONS')).status, 404, 'no preflight for unknown paths');
});

test('the demo folder: / is its index.html; binary files are sent as they are', async () => {
  const port = await serve(split, demo);
  const page = await fetchRaw(port, '/', { 'accept-encoding': 'gzip' });
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(page.headers['cache-control'], 'no-cache');
  assert.match(gunzipSync(page.body).toString(), /<title>demo<\/title>/);
  const icon = await fetchRaw(port, '/favicon.png', { 'accept-encoding': 'gzip, br' });
  assert.equal(icon.status, 200);
  assert.equal(icon.headers['content-type'], 'image/png');
  assert.equal(icon.headers['content-encoding'], undefined);
  assert.equal(icon.headers.vary, undefined);
  assert.equal(icon.body.length, 2000);
});

test('only the files found at start-up are served: no path reaches the file system', async () => {
  const port = await serve(split, demo);
  for (const path of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/chunks/../../secret.txt',
    '/..%2fsecret.txt',
    '/chunks',
    '/chunks/',
    '//secret.txt',
  ]) {
    assert.equal((await fetchRaw(port, path)).status, 404, path);
  }
  await writeFile(join(split, 'added-later.js'), 'late');
  assert.equal((await fetchRaw(port, '/added-later.js')).status, 404, 'a file added after start-up');
});

test('an entry that is not built yet is a 404 that says what to do', async () => {
  const empty = join(root, 'empty');
  await mkdir(empty);
  const port = await serve(empty);
  const reply = await fetchRaw(port, '/danmaku-layer.bundle.js');
  assert.equal(reply.status, 404);
  assert.match(reply.body.toString(), /npm run build/);
});

test('the server serves the built widget from inside its own package with the same headers', async () => {
  const danmaku = await createDanmakuServer({ logLevel: 'silent' });
  try {
    const { port } = await danmaku.listen(0, '127.0.0.1');
    const reply = await fetchRaw(port, '/danmaku-layer.bundle.js', {
      origin: 'https://blog.example',
      'accept-encoding': 'br',
    });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['access-control-allow-origin'], '*');
    assert.equal(reply.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.equal(reply.headers['content-encoding'], 'br');
    const built = await readFile(join(defaultWidgetDir(), 'danmaku-layer.bundle.js'));
    assert.deepEqual(brotliDecompressSync(reply.body), built);
    assert.ok(!defaultWidgetDir().includes(join('packages', 'widget')), 'not read from the widget package');
  } finally {
    await danmaku.close();
  }
});
