/**
 * The HTTP admin API: the moderation service for back-office tools, behind one bearer token.
 *
 * Served only when the server has an `adminToken`, on the public port and on the internal one
 * (so a deployment can keep it off the internet by blocking the public path at its proxy). JSON in
 * and out, no CORS: it is meant for servers and `curl`, not for pages of other origins.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { MODERATION_LIMITS, isValidRoom } from 'danmaku-layer-protocol';
import { addressKey } from '../client-ips.js';
import { sendJson } from '../http-json.js';
import { KeyedBuckets } from '../rate-limit.js';
import type { Actor, ModerationResult, ModerationService, MuteTarget } from './service.js';

/** Options of {@link createAdminApi}. */
export interface AdminApiOptions {
  /** The bearer token every request must carry (`Authorization: Bearer <token>`). */
  token: string;
  /** The address key of a request, for the limit on failed attempts. */
  addressOf: (req: IncomingMessage) => string;
}

/** Bounds of the admin API. */
export const ADMIN_API_LIMITS = {
  /** Shortest token accepted by the server's options. */
  minTokenLength: 16,
  /** Largest request body, in bytes. */
  maxBody: 4096,
  /** Failed authentications an address may make at once, then one per {@link failureInterval} ms. */
  failureBurst: 10,
  failureInterval: 5000,
  /** Most addresses whose failures are remembered; the oldest go first. */
  maxTrackedAddresses: 10_000,
} as const;

/** A request the API refuses, answered with `status` and `{ error: { code, message } }`. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

type Handler = (request: AdminRequest) => Promise<[status: number, body: unknown]>;

/** What a route handler is given. */
interface AdminRequest {
  room: string;
  /** The path's last part, for routes that name one (a seq, a mute target). */
  param: string;
  query: URLSearchParams;
  /** The parsed JSON body (an object), for methods that carry one. */
  body: Record<string, unknown>;
  actor: Actor;
}

const ROOM = '([^/]+)';
/** The room named in the audit trail for mutes that apply everywhere (no room name can be `*`). */
const EVERYWHERE = '*';
/** Routes: method, path pattern (its first group is the room when the route has one), handler. */
const ROUTES: ReadonlyArray<[method: string, path: RegExp, handle: (service: ModerationService) => Handler]> = [
  [
    'GET',
    new RegExp(`^/rooms/${ROOM}/moderation$`),
    (m) => async (r) => [200, { room: r.room, actions: await m.recentActions(r.room, limitOf(r.query, 100, 100)) }],
  ],
  [
    'GET',
    new RegExp(`^/rooms/${ROOM}/reports$`),
    (m) => async (r) => [200, { room: r.room, reports: await m.topReports(r.room, limitOf(r.query, 20, 100)) }],
  ],
  [
    'DELETE',
    new RegExp(`^/rooms/${ROOM}/comments/([^/]+)$`),
    (m) => async (r) => answer(await m.retract(r.room, seqOf(r.param), r.actor), (v) => ({ room: r.room, seq: v.seq })),
  ],
  [
    'POST',
    new RegExp(`^/rooms/${ROOM}/clear$`),
    (m) => async (r) =>
      answer(await m.clear(r.room, r.actor), (v) => ({ room: r.room, seq: v.seq, removed: v.removed })),
  ],
  [
    'GET',
    new RegExp(`^/rooms/${ROOM}/slow-mode$`),
    (m) => async (r) => [200, { room: r.room, interval: await m.slowModeOf(r.room) }],
  ],
  [
    'PUT',
    new RegExp(`^/rooms/${ROOM}/slow-mode$`),
    (m) => async (r) =>
      answer(await m.slowMode(r.room, intervalOf(r.body), r.actor), (v) => ({ room: r.room, interval: v.interval })),
  ],
  [
    'GET',
    new RegExp(`^/rooms/${ROOM}/mutes$`),
    (m) => async (r) => [200, { room: r.room, mutes: await m.listMutes(r.room) }],
  ],
  [
    'POST',
    new RegExp(`^/rooms/${ROOM}/mutes$`),
    (m) => async (r) =>
      answer(
        await m.mute(r.room, targetOf(r.body, true), durationOf(r.body), r.actor, r.body.everywhere === true),
        (v) => ({ mute: v.mute }),
        201,
      ),
  ],
  [
    'DELETE',
    new RegExp(`^/rooms/${ROOM}/mutes/([^/]+)$`),
    (m) => async (r) =>
      answer(await m.unmute(r.room, senderOf(r.param), r.actor), () => ({ room: r.room, target: r.param })),
  ],
  [
    'GET',
    /^\/mutes$/,
    (m) => async () => [200, { mutes: (await m.listMutes()).filter((mute) => mute.room === undefined) }],
  ],
  [
    'POST',
    /^\/mutes$/,
    (m) => async (r) =>
      answer(
        await m.mute(EVERYWHERE, targetOf(r.body, false), durationOf(r.body), r.actor, true),
        (v) => ({ mute: v.mute }),
        201,
      ),
  ],
  [
    'DELETE',
    /^\/mutes\/([^/]+)$/,
    (m) => async (r) =>
      answer(await m.unmute(EVERYWHERE, senderOf(r.param), r.actor, true), () => ({ target: r.param })),
  ],
];

/**
 * Returns the admin API's request handler: it answers (and resolves `true`) for its routes, and
 * resolves `false` for any other path, so the server's other routes stay reachable.
 *
 * @example
 * const admin = createAdminApi(danmaku.moderation, { token, addressOf: (req) => req.socket.remoteAddress ?? '' });
 */
export function createAdminApi(
  moderation: ModerationService,
  options: AdminApiOptions,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  const expected = digest(options.token);
  const failures = new KeyedBuckets(
    1000 / ADMIN_API_LIMITS.failureInterval,
    ADMIN_API_LIMITS.failureBurst,
    ADMIN_API_LIMITS.maxTrackedAddresses,
  );
  const routes = ROUTES.map(([method, path, handle]) => ({ method, path, handle: handle(moderation) }));

  /** Whether the request carries the token; compared in constant time over digests of equal length. */
  const authorized = (req: IncomingMessage): boolean => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return match !== null && timingSafeEqual(digest(match[1]), expected);
  };

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const matching = routes.filter((route) => route.path.test(url.pathname));
    if (matching.length === 0) return false;
    try {
      const address = options.addressOf(req);
      const bucket = failures.peek(address);
      if (bucket && bucket.wait() > 0) {
        throw new HttpError(429, 'rate_limited', 'Too many failed attempts; retry later.', {
          'retry-after': String(Math.ceil(bucket.wait() / 1000)),
        });
      }
      if (!authorized(req)) {
        failures.get(address).take();
        throw new HttpError(401, 'unauthorized', 'A valid "Authorization: Bearer <admin token>" is required.', {
          'www-authenticate': 'Bearer realm="danmaku-admin"',
        });
      }
      const route = matching.find((r) => r.method === req.method);
      if (!route) {
        const allow = [...new Set(matching.map((r) => r.method))].join(', ');
        throw new HttpError(405, 'method_not_allowed', `Use ${allow}.`, { allow });
      }
      const [, first = '', second = ''] = route.path.exec(url.pathname) ?? [];
      const roomRoute = url.pathname.startsWith('/rooms/');
      const room = roomRoute ? decode(first) : '';
      if (roomRoute && !isValidRoom(room))
        throw new HttpError(400, 'invalid', 'The room must be 1–64 characters from A-Z a-z 0-9 _ . : ~ -');
      const body = req.method === 'POST' || req.method === 'PUT' ? await readJson(req) : {};
      const [status, result] = await route.handle({
        room,
        param: decode(roomRoute ? second : first),
        query: url.searchParams,
        body,
        actor: actorOf(req),
      });
      sendJson(res, status, result);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      // The body of a refused request is not read: the connection closes rather than drain it.
      if (!req.complete) res.setHeader('connection', 'close');
      sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
    }
    return true;
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * Who acted, for the audit trail: `admin-api`, or `admin-api:<name>` when the tool names the
 * person with `X-Danmaku-Actor` (1–64 characters from `A-Z a-z 0-9 _ . @ : -`; anything else is left out).
 */
function actorOf(req: IncomingMessage): Actor {
  const name = req.headers['x-danmaku-actor'];
  return typeof name === 'string' && /^[\w.@:-]{1,64}$/.test(name) ? `admin-api:${name}` : 'admin-api';
}

/** Maps a service result to a status and body: 404 `not_found`, 403 `forbidden`, 429 `rate_limited`. */
function answer<T extends object>(
  result: ModerationResult<T>,
  body: (value: T) => unknown,
  status = 200,
): [number, unknown] {
  if (result.ok) return [status, body(result)];
  const statuses = { not_found: 404, forbidden: 403, rate_limited: 429 } as const;
  throw new HttpError(statuses[result.code], result.code, result.message);
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new HttpError(400, 'invalid', 'Malformed percent-encoding in the path.');
  }
}

function limitOf(query: URLSearchParams, fallback: number, max: number): number {
  const text = query.get('limit');
  if (text === null || text === '') return fallback;
  const limit = Number(text);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > max)
    throw new HttpError(400, 'invalid', `"limit" must be an integer from 1 to ${max}.`);
  return limit;
}

function seqOf(text: string): number {
  const seq = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(seq) || seq < 1) throw new HttpError(400, 'invalid', 'The seq must be a positive integer.');
  return seq;
}

/** A whole number of seconds from `body[name]`, from `min` to `max`; else a 400 saying so (and `note`). */
function secondsOf(body: Record<string, unknown>, name: string, min: number, max: number, note = ''): number {
  const value = body[name];
  if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
    throw new HttpError(400, 'invalid', `"${name}" must be ${min}–${max} whole seconds${note}.`);
  return value as number;
}

function intervalOf(body: Record<string, unknown>): number {
  return secondsOf(body, 'interval', 0, MODERATION_LIMITS.maxSlowModeSeconds, ' (0 turns slow mode off)');
}

function durationOf(body: Record<string, unknown>): number {
  return secondsOf(body, 'duration', 1, MODERATION_LIMITS.maxMuteSeconds);
}

/**
 * The mute target of a body: exactly one of `user` (a user id), `address` (an IP address; an IPv6
 * address stands for its /64, as for connection limits) and, in a room, `seq` (a comment's author).
 */
function targetOf(body: Record<string, unknown>, inRoom: boolean): MuteTarget {
  const named = ['user', 'address', 'seq'].filter((key) => body[key] !== undefined);
  const allowed = inRoom ? '"user", "address" or "seq"' : '"user" or "address"';
  if (named.length !== 1 || (!inRoom && named[0] === 'seq'))
    throw new HttpError(400, 'invalid', `Name exactly one target: ${allowed}.`);
  const { user, address, seq } = body;
  if (named[0] === 'user') {
    if (typeof user !== 'string' || user.length === 0 || user.length > 512)
      throw new HttpError(400, 'invalid', '"user" must be a user id (the token\'s "sub").');
    return { user };
  }
  if (named[0] === 'address') {
    if (typeof address !== 'string' || isIP(address) === 0)
      throw new HttpError(400, 'invalid', '"address" must be an IPv4 or IPv6 address.');
    return { sender: `addr:${addressKey(address)}` };
  }
  if (!Number.isSafeInteger(seq) || (seq as number) < 1)
    throw new HttpError(400, 'invalid', '"seq" must be a positive integer.');
  return { seq: seq as number };
}

/** A mute target as `listMutes` shows it: `user:<id>` or `addr:<address key>`. */
function senderOf(text: string): MuteTarget {
  if (!/^(user|addr):./.test(text))
    throw new HttpError(
      400,
      'invalid',
      'The target must be "user:<id>" or "addr:<address>", as the mute list shows it.',
    );
  return { sender: text };
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  // No body at all (`POST /rooms/:room/clear` needs none): nothing to read or check.
  if (req.headers['transfer-encoding'] === undefined && Number(req.headers['content-length'] ?? 0) === 0) return {};
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type))
    throw new HttpError(415, 'unsupported_media_type', 'Send the body as application/json.');
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > ADMIN_API_LIMITS.maxBody)
    throw new HttpError(413, 'too_large', `The body must be at most ${ADMIN_API_LIMITS.maxBody} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > ADMIN_API_LIMITS.maxBody)
      throw new HttpError(413, 'too_large', `The body must be at most ${ADMIN_API_LIMITS.maxBody} bytes.`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new HttpError(400, 'bad_json', 'The body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'invalid', 'The body must be a JSON object.');
  return body as Record<string, unknown>;
}
