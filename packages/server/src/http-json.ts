/**
 * JSON answers of the server's HTTP routes (health, readiness, the admin API): never cached.
 */
import type { ServerResponse } from 'node:http';

/** Answers `status` with `body` as JSON, `Cache-Control: no-store`, and any further `headers`. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res
    .writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}
