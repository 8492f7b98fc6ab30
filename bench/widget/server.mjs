/**
 * A static file server for the benchmark page, on 127.0.0.1 and a free port. It serves only what
 * the page needs, straight from the repository and node_modules, so no network is involved.
 */
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, resolve as absolute, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

/** URL prefix → directory. Nothing outside these directories is ever served. */
const MOUNTS = {
  '/page/': join(HERE, 'page'),
  '/bench/': HERE,
  '/dist/': join(ROOT, 'packages', 'widget', 'dist'),
  '/vendor/danmaku/': join(ROOT, 'node_modules', 'danmaku', 'dist'),
  '/vendor/danmu.js/': join(ROOT, 'node_modules', 'danmu.js', 'browser'),
};

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Starts the server. `baseline`, a widget `dist` directory of another build, is served under
 * `/baseline/` for the `ours@baseline` libraries (run.mjs `--baseline`).
 * @param {{ baseline?: string }} [options]
 * @returns {Promise<{ url: string, close: () => Promise<void> }>} `url` ends with a slash.
 */
export async function startPageServer({ baseline } = {}) {
  const mounts = baseline ? { ...MOUNTS, '/baseline/': absolute(baseline) } : MOUNTS;
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = resolve(mounts, path);
    if (!file) return void res.writeHead(404).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((done) => server.listen(0, '127.0.0.1', done));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  let closed;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      (closed ??= new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      })),
  };
}

/** The file behind a URL path, or undefined when the path is outside every mount. */
function resolve(mounts, path) {
  for (const [prefix, dir] of Object.entries(mounts)) {
    if (!path.startsWith(prefix)) continue;
    const file = normalize(join(dir, path.slice(prefix.length)));
    if (file.startsWith(dir + sep)) return file;
  }
  return undefined;
}
