/**
 * Serves the demo page and the widget's script-tag bundle. Deliberately tiny: a fixed set of
 * files looked up by exact name, so no request path ever reaches the file system.
 */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, extname, join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
};

/** URL path of the self-contained widget bundle. */
export const BUNDLE_PATH = '/danmaku-layer.bundle.js';

/** URL path of the composer's part of the bundle, which the bundle fetches from next to itself. */
export const COMPOSER_BUNDLE_PATH = '/danmaku-composer.bundle.js';

/** Absolute path of the widget bundle built by `npm run build`. */
export function bundleFile(): string {
  return fileURLToPath(import.meta.resolve('danmaku-layer/danmaku-layer.bundle.js'));
}

/** The demo folder shipped with this package, or the repository's `demo/` when run from a checkout. */
export function defaultDemoDir(): string | undefined {
  const candidates = [new URL('../demo/', import.meta.url), new URL('../../../demo/', import.meta.url)];
  for (const candidate of candidates) {
    const dir = fileURLToPath(candidate);
    if (existsSync(join(dir, 'index.html'))) return dir;
  }
  return undefined;
}

/**
 * Builds a request handler for the bundle and, when `demoDir` is set, the files at the top of
 * that folder (`/` is its `index.html`). Returns `false` from the handler for paths it does not
 * serve, so the caller can answer 404 or pass the request on.
 */
export async function createStaticHandler(
  demoDir: string | undefined,
): Promise<(req: IncomingMessage, res: ServerResponse) => Promise<boolean>> {
  const dist = dirname(bundleFile());
  // The entry, the composer's part, and whatever other parts the build split off (loaded on use).
  const built = existsSync(dist) ? (await readdir(dist)).filter((name) => /\.(bundle|standalone)\.js$/.test(name)) : [];
  if (existsSync(join(dist, 'chunks'))) {
    for (const name of await readdir(join(dist, 'chunks'))) if (name.endsWith('.js')) built.push(`chunks/${name}`);
  }
  const bundles = new Set([BUNDLE_PATH, COMPOSER_BUNDLE_PATH, ...built.map((name) => `/${name}`)]);
  const files = new Map<string, string>([...bundles].map((path) => [path, join(dist, path.slice(1))]));
  if (demoDir) {
    for (const entry of await readdir(demoDir, { withFileTypes: true })) {
      if (entry.isFile()) files.set(`/${entry.name}`, join(demoDir, entry.name));
    }
    if (files.has('/index.html')) files.set('/', join(demoDir, 'index.html'));
  }
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = files.get(path);
    if (!file) return false;
    let body: Buffer;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(
        bundles.has(path) ? 'Widget bundle not built: run `npm run build`.\n' : 'Not found\n',
      );
      return true;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
}
