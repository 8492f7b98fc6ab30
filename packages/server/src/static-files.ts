/**
 * Serves the widget's built files and the demo page. The names are collected once at start-up
 * from two folders, and a request is answered only for a name in that map: no request path ever
 * reaches the file system.
 *
 * Every file is meant to be loaded from pages of any origin (`<script type="module" src>` on
 * someone else's site), so each response allows it: CORS for everyone (no credentials, nothing
 * private here), a cross-origin resource policy, compression, an ETag and cache headers.
 */
import { readFile, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { extname, join } from 'node:path';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { chooseRepresentation, encodeFile, etagMatches, type EncodedFile } from './encoded-file.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml; charset=utf-8',
  '.ico': 'image/x-icon',
  '.png': 'image/png',
  '.webm': 'video/webm',
  '.mp4': 'video/mp4',
};

/** Types worth compressing: text. Images and video are compressed already. */
const COMPRESSIBLE = /^(text\/|application\/json|image\/svg\+xml)/;

/** Files under `chunks/` carry a content hash in their name: a new build means a new name. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Fixed names (the entry, the standalone file, the demo) change in place: revalidate each time. */
const REVALIDATE = 'no-cache';

/** The two files a page names in its script tags; answered with a hint when not built. */
const ENTRY_NAMES = ['danmaku-layer.bundle.js', 'danmaku-composer.bundle.js'];

/**
 * On every response: any page may load the files (they are public and no credentials are involved;
 * who may connect is the WebSocket's own allowlist), and the declared type is the type.
 */
const EVERY_RESPONSE = {
  'access-control-allow-origin': '*',
  'cross-origin-resource-policy': 'cross-origin',
  'x-content-type-options': 'nosniff',
} as const;

const ALLOW = 'GET, HEAD, OPTIONS';

/** The widget's built `dist/` as shipped inside this package (copied there by the build). */
export function defaultWidgetDir(): string {
  return fileURLToPath(new URL('../widget/', import.meta.url));
}

/** The demo folder shipped inside this package (copied there by the build), if present. */
export function defaultDemoDir(): string | undefined {
  const dir = fileURLToPath(new URL('../demo/', import.meta.url));
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}

interface Asset {
  readonly file: string;
  readonly type: string;
  readonly cacheControl: string;
}

/** The regular files directly inside `dir` (none if it does not exist). */
async function filesIn(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

function asset(file: string, cacheControl: string): Asset {
  return { file, type: TYPES[extname(file)] ?? 'application/octet-stream', cacheControl };
}

/**
 * Builds a request handler for the widget's files and, when `demoDir` is set, the files at the top
 * of that folder (`/` is its `index.html`). From `widgetDir`: every file at the top at `/<name>`,
 * revalidated on each use, and every file in `chunks/` at `/chunks/<name>`, cached for good.
 * The handler returns `false` for paths it does not serve, so the caller can answer 404 or pass
 * the request on.
 */
export async function createStaticHandler(
  demoDir: string | undefined,
  widgetDir: string = defaultWidgetDir(),
): Promise<(req: IncomingMessage, res: ServerResponse) => Promise<boolean>> {
  const assets = new Map<string, Asset>();
  for (const name of ENTRY_NAMES) assets.set(`/${name}`, asset(join(widgetDir, name), REVALIDATE));
  for (const name of await filesIn(widgetDir)) assets.set(`/${name}`, asset(join(widgetDir, name), REVALIDATE));
  const chunks = join(widgetDir, 'chunks');
  for (const name of await filesIn(chunks)) assets.set(`/chunks/${name}`, asset(join(chunks, name), IMMUTABLE));
  if (demoDir) {
    for (const name of await filesIn(demoDir)) assets.set(`/${name}`, asset(join(demoDir, name), REVALIDATE));
    if (assets.has('/index.html')) assets.set('/', assets.get('/index.html')!);
  }

  // Read and compressed on first request, then kept: the files do not change while serving.
  const prepared = new Map<Asset, Promise<EncodedFile>>();
  const prepare = (item: Asset): Promise<EncodedFile> => {
    let file = prepared.get(item);
    if (!file) {
      file = readFile(item.file).then((body) => encodeFile(body, COMPRESSIBLE.test(item.type)));
      file.catch(() => prepared.delete(item)); // an entry built after start-up is found later
      prepared.set(item, file);
    }
    return file;
  };

  return async (req, res) => {
    // The path as sent, without the query: an exact name or nothing (no normalising, no decoding).
    const path = (req.url ?? '/').split('?', 1)[0];
    const item = assets.get(path);
    if (!item) return false;
    if (req.method === 'OPTIONS') {
      // A preflight (a fetch() with custom headers): allow reading, nothing else.
      const requested = req.headers['access-control-request-headers'];
      res
        .writeHead(204, {
          ...EVERY_RESPONSE,
          allow: ALLOW,
          'access-control-allow-methods': ALLOW,
          ...(requested ? { 'access-control-allow-headers': requested } : {}),
          'access-control-max-age': '86400',
        })
        .end();
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { ...EVERY_RESPONSE, allow: ALLOW, 'content-type': 'text/plain; charset=utf-8' })
        .end('Method not allowed\n');
      return true;
    }
    let file: EncodedFile;
    try {
      file = await prepare(item);
    } catch {
      const built = ENTRY_NAMES.some((name) => path === `/${name}`)
        ? 'Widget bundle not built: run `npm run build`.\n'
        : 'Not found\n';
      res
        .writeHead(404, { ...EVERY_RESPONSE, 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
        .end(built);
      return true;
    }
    const form = chooseRepresentation(file, req.headers['accept-encoding']);
    // What a 304 must repeat (RFC 9110 §15.4.5), plus CORS, which the browser checks on it too.
    const validators: OutgoingHttpHeaders = {
      ...EVERY_RESPONSE,
      'cache-control': item.cacheControl,
      etag: form.etag,
      ...(file.varies ? { vary: 'Accept-Encoding' } : {}),
    };
    if (etagMatches(req.headers['if-none-match'], form.etag)) {
      res.writeHead(304, validators).end();
      return true;
    }
    res.writeHead(200, {
      ...validators,
      'content-type': item.type,
      'content-length': form.body.length,
      ...(form.encoding !== 'identity' ? { 'content-encoding': form.encoding } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : form.body);
    return true;
  };
}
