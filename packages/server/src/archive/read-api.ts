/**
 * The archive's read API: `GET /rooms/:room/comments?from=S&to=S&limit=N&after=CURSOR[&format=bilibili]`.
 * Public reads: CORS for any origin, an ETag per answer (304 on `If-None-Match`), gzip or brotli,
 * and a per-address rate limit.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { isValidRoom } from 'danmaku-layer-protocol';
import { toBilibiliXml } from 'danmaku-layer-protocol/formats';
import { chooseRepresentation, etagMatches, type Encoding, type Representation } from '../encoded-file.js';
import { KeyedBuckets } from '../rate-limit.js';
import type { Archive, WindowCursor } from './archive.js';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Limits of the read API. */
export const READ_API_LIMITS = {
  /** Comments per page when `limit` is not given. */
  defaultLimit: 500,
  /** Most comments per page. */
  maxLimit: 5000,
} as const;

/** Path of the read API: `/rooms/ROOM/comments`. */
const PATH = /^\/rooms\/([^/]+)\/comments$/;
/** Bodies smaller than this go uncompressed: compressing them saves nothing worth the work. */
const COMPRESS_FROM = 1024;
/** Most addresses whose read allowance is remembered; the oldest go first. */
const MAX_BUCKETS = 50_000;

/** Options of {@link createReadApi}. */
export interface ReadApiOptions {
  /** Requests per second per address (`0` = no limit). */
  rate: number;
  /** Requests an address may make at once. */
  burst: number;
  /** The address key of a request (the server's own, so that proxies and IPv6 /64s count as for sockets). */
  addressOf: (req: IncomingMessage) => string;
}

/** A read API request that is not valid; answered 400 with `{ error: { code, message } }`. */
class BadRequest extends Error {}

/**
 * Returns the handler of the read API: it answers (and resolves `true`) for its path, and resolves
 * `false` for any other.
 */
export function createReadApi(
  archive: Archive,
  options: ReadApiOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const buckets = new KeyedBuckets(options.rate, options.burst, MAX_BUCKETS);
  const admit = (key: string): number => {
    if (options.rate <= 0) return 0;
    const bucket = buckets.get(key);
    const wait = bucket.wait();
    if (wait === 0) bucket.take();
    return wait;
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = PATH.exec(url.pathname);
    if (!match) return false;
    const cors = { 'access-control-allow-origin': '*', 'access-control-expose-headers': 'ETag' };
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          ...cors,
          'access-control-allow-methods': 'GET, HEAD',
          'access-control-allow-headers': 'If-None-Match',
          'access-control-max-age': '86400',
        })
        .end();
      return true;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...cors, allow: 'GET, HEAD, OPTIONS' }).end();
      return true;
    }
    const wait = admit(options.addressOf(req));
    if (wait > 0) {
      sendError(res, cors, 429, 'rate_limited', 'Too many requests; slow down.', {
        'retry-after': String(Math.ceil(wait / 1000)),
      });
      return true;
    }
    let room: string;
    let query: ReturnType<typeof parseQuery>;
    try {
      room = decodeURIComponent(match[1]);
      if (!isValidRoom(room)) throw new BadRequest('The room must be 1–64 characters from A-Z a-z 0-9 _ . : ~ -');
      query = parseQuery(url.searchParams);
    } catch (error) {
      if (!(error instanceof BadRequest) && !(error instanceof URIError)) throw error;
      sendError(res, cors, 400, 'invalid', error instanceof BadRequest ? error.message : 'Malformed room name.');
      return true;
    }
    const page = await archive.window(room, query);
    let body: Buffer;
    let type: string;
    const next = page.next ? encodeCursor(page.next) : undefined;
    if (query.format === 'bilibili') {
      body = Buffer.from(toBilibiliXml(page.comments));
      type = 'application/xml; charset=utf-8';
    } else {
      body = Buffer.from(JSON.stringify({ room, comments: page.comments, ...(next ? { next } : {}) }));
      type = 'application/json; charset=utf-8';
    }
    const form = await encode(body, req.headers['accept-encoding']);
    const headers: Record<string, string> = {
      ...cors,
      'content-type': type,
      etag: form.etag,
      vary: 'Accept-Encoding',
      // Comments are added while people watch: caches may keep an answer briefly, then revalidate.
      'cache-control': 'public, max-age=5, must-revalidate',
      ...(next ? { 'x-next-cursor': next, 'access-control-expose-headers': 'ETag, X-Next-Cursor' } : {}),
    };
    if (etagMatches(req.headers['if-none-match'], form.etag)) {
      res.writeHead(304, headers).end();
      return true;
    }
    if (form.encoding !== 'identity') headers['content-encoding'] = form.encoding;
    headers['content-length'] = String(form.body.length);
    res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : form.body);
    return true;
  };
}

interface ParsedQuery {
  from: number;
  to?: number;
  limit: number;
  after?: WindowCursor;
  format: 'json' | 'bilibili';
}

function parseQuery(params: URLSearchParams): ParsedQuery {
  const seconds = (name: string): number | undefined => {
    const raw = params.get(name);
    if (raw === null || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0)
      throw new BadRequest(`"${name}" must be a non-negative number of seconds.`);
    return value;
  };
  const from = seconds('from') ?? 0;
  const to = seconds('to');
  if (to !== undefined && to < from) throw new BadRequest('"to" must not be before "from".');
  const limitText = params.get('limit');
  const limit = limitText === null || limitText === '' ? READ_API_LIMITS.defaultLimit : Number(limitText);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > READ_API_LIMITS.maxLimit)
    throw new BadRequest(`"limit" must be an integer from 1 to ${READ_API_LIMITS.maxLimit}.`);
  const format = params.get('format') ?? 'json';
  if (format !== 'json' && format !== 'bilibili') throw new BadRequest('"format" must be "json" or "bilibili".');
  const afterText = params.get('after');
  const after = afterText ? decodeCursor(afterText) : undefined;
  return { from, ...(to !== undefined ? { to } : {}), limit, ...(after ? { after } : {}), format };
}

/** The opaque cursor of a position: base64url of `time:row`. */
export function encodeCursor(cursor: WindowCursor): string {
  return Buffer.from(`${cursor.time}:${cursor.row}`).toString('base64url');
}

function decodeCursor(text: string): WindowCursor {
  const match = /^([0-9.e+-]+):(\d{1,18})$/.exec(
    /^[\w-]{1,80}$/.test(text) ? Buffer.from(text, 'base64url').toString() : '',
  );
  const time = match ? Number(match[1]) : NaN;
  const row = match ? Number(match[2]) : NaN;
  if (!Number.isFinite(time) || time < 0 || !Number.isSafeInteger(row))
    throw new BadRequest('"after" is not a cursor this API gave.');
  return { time, row };
}

/** The form of `body` to send for `accept`: brotli (fast setting), gzip, or as it is. */
async function encode(body: Buffer, accept: string | undefined): Promise<Representation> {
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  const identity: Representation = { encoding: 'identity', body, etag: `"${hash}"` };
  if (body.length < COMPRESS_FROM) return identity;
  const candidates = new Map<Encoding, Representation>([
    ['identity', identity],
    ['br', { encoding: 'br', body, etag: `"${hash}-br"` }],
    ['gzip', { encoding: 'gzip', body, etag: `"${hash}-gz"` }],
  ]);
  const chosen = chooseRepresentation({ varies: true, forms: candidates }, accept);
  if (chosen.encoding === 'br')
    return { ...chosen, body: await brotli(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }) };
  if (chosen.encoding === 'gzip') return { ...chosen, body: await gzipAsync(body) };
  return identity;
}

function sendError(
  res: ServerResponse,
  cors: Record<string, string>,
  status: number,
  code: string,
  message: string,
  extra: Record<string, string> = {},
): void {
  res
    .writeHead(status, { ...cors, ...extra, 'content-type': 'application/json', 'cache-control': 'no-store' })
    .end(JSON.stringify({ error: { code, message } }));
}
