/**
 * A plain static file server on 127.0.0.1, as a site that hosts the widget's files itself: it
 * serves the files of one folder by path, answers 404 for the paths `missing` matches (a file not
 * copied), and counts the requests of every path.
 */
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize, extname } from 'node:path';
import type { AddressInfo } from 'node:net';

export interface StaticServer {
  /** `http://127.0.0.1:<port>` */
  http: string;
  /** Requests per path, 404s included. */
  requests: Map<string, number>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

export async function serveFolder(dir: string, missing?: RegExp): Promise<StaticServer> {
  const requests = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (missing?.test(path) || !file.startsWith(dir)) return void res.writeHead(404).end('Not found\n');
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end('Not found\n'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    http: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
