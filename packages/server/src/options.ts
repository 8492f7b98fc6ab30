/**
 * The options of `createDanmakuServer`, their defaults, and the checks that turn a bad option
 * into a `TypeError` or `RangeError` naming it.
 */
import type { Server } from 'node:http';
import { DEFAULT_LIMITS } from 'danmaku-layer-protocol';
import type { AuthOptions } from './auth.js';
import type { Engine } from './engine.js';
import type { Archive } from './archive/archive.js';
import type { LevelWithSilent, Logger } from 'pino';
import type { ModerationHook } from './moderation.js';
import type { ReportHook } from './moderation/service.js';
import type { ModerationStore } from './moderation/store.js';
import { ADMIN_API_LIMITS } from './moderation/admin-api.js';

/** Log levels, most verbose first. */
export const LOG_LEVELS: readonly LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Options of `createDanmakuServer`. Every one is optional. */
export interface DanmakuServerOptions {
  /**
   * An existing HTTP server to attach to (e.g. the one under an Express or Fastify app). The
   * danmaku server then only handles upgrades on `path` and, through `handleRequest`, the
   * requests you pass it. Without one, a server of its own is created; call `listen()`.
   */
  server?: Server;
  /** URL path of the WebSocket endpoint. Default `'/ws'`. */
  path?: string;
  /** Room engine. Default: a new `MemoryEngine`. */
  engine?: Engine;
  /**
   * A durable archive (`openSqliteArchive`, `openPostgresArchive`): every accepted comment is
   * written to it before it is published, and `GET /rooms/:room/comments` reads it. The server does
   * not close it. Default none: the engine's bounded history only.
   */
  archive?: Archive;
  /** Read API requests per second per IP address (`0` = no limit). Default `5`. */
  readRateLimit?: number;
  /** Read API requests an IP address may make at once. Default `20`. */
  readRateBurst?: number;
  /** Longest comment, in code points. Default `100`. */
  maxTextLength?: number;
  /** Largest frame accepted from a client, in bytes; larger ones close the connection (1009). Default `4096`. */
  maxPayload?: number;
  /**
   * Comments of a room are collected this long, in ms, and sent as one frame; a comment that finds the room
   * quiet for that long goes at once. `0` sends every comment at once. Default `25`.
   */
  flushInterval?: number;
  /** Interval of pings and heartbeat messages, in ms; a client silent for one interval is dropped. `0` disables. Default `15000`. */
  heartbeatInterval?: number;
  /** Most comments replayed to a client on recovery or late join. Default `500`. */
  replayLimit?: number;
  /**
   * Serve the demo page at `/`: `true` for the bundled demo, a folder path for your own page,
   * `false` for none. The widget bundle is always served at `/danmaku-layer.bundle.js`. Default `false`.
   */
  demo?: boolean | string;

  /** Comments per second one connection may post (token bucket refill rate); `0` = no limit. Default `2`. */
  rateLimit?: number;
  /** Comments one connection may post at once (token bucket size). Default `5`. */
  rateBurst?: number;
  /** Comments per second shared by all connections of one IP address; `0` = no limit. Default `10`. */
  ipRateLimit?: number;
  /** Comments one IP address may post at once. Default `20`. */
  ipRateBurst?: number;
  /** Most simultaneous connections from one IP address (more get HTTP 429); `0` = no limit. Default `20`. */
  maxConnectionsPerIp?: number;
  /** Most rooms with connections on this server (joining a new one beyond that closes with 4005); `0` = no limit. Default `10000`. */
  maxRooms?: number;
  /**
   * Most simultaneous TCP sockets from one address (an IPv6 /64), counted from the first byte,
   * before any HTTP parsing: more are destroyed at once. Applies to the server's own HTTP server
   * only, and not with `trustProxy` (every socket then comes from the proxy); `0` = no limit.
   * Default: `max(64, 2 × maxConnectionsPerIp)`, or no limit when `maxConnectionsPerIp` is `0`.
   */
  maxSocketsPerIp?: number;
  /** Rooms per second one address may open (join while no connection here holds them; more close with 4005); `0` = no limit. Default `0.2`. */
  newRoomRate?: number;
  /** Rooms one address may open at once. Default `20`. */
  newRoomBurst?: number;
  /** Invalid frames per second a connection may send (answered with an error each); `0` = no limit. Default `1`. */
  invalidFrameRate?: number;
  /**
   * Invalid frames a connection may send at once. One more closes it with 1008 and refuses new
   * connections from its address for 10 s, doubling with each repeat up to 5 minutes. Default `20`.
   */
  invalidFrameBurst?: number;
  /** Take the client address from the last `X-Forwarded-For` entry (set it behind a reverse proxy only). Default `false`. */
  trustProxy?: boolean;
  /**
   * Origins allowed to open a WebSocket, e.g. `['https://example.com', 'https://*.example.com']`;
   * other browser origins get HTTP 403 at the upgrade. Default: every origin.
   */
  allowedOrigins?: readonly string[];
  /** JWT authentication; when set, every connection must send `{"type":"auth","token"}` first. Default: none. */
  auth?: AuthOptions;
  /** How long a connection has to authenticate, in ms, before it is closed with 4001. Default `5000`. */
  authTimeout?: number;
  /** Anonymous connections may read but not send (`canSend: false` in `welcome`; sends get `forbidden`). Default `false`. */
  readOnly?: boolean;
  /** Words (matched anywhere, ignoring case) or patterns that make a comment `rejected`. Default `[]`. */
  blocklist?: ReadonlyArray<string | RegExp>;
  /** Moderation hook: refuse (`false`), accept (`true`) or rewrite (a string) each comment. Default: none. */
  moderate?: ModerationHook;
  /**
   * Told of each new report of a comment by a viewer (`{ room, seq, reporter, reason, count, comment }`),
   * e.g. to page a moderator once a comment has several. Its failures are logged. Default: none.
   */
  onReport?: ReportHook;
  /**
   * Seconds after posting during which an author may retract their own comment (announced in
   * `welcome`); `0` = never. Moderators (the token's `role`) may retract any comment at any time.
   * Default `120`.
   */
  retractWindow?: number;
  /**
   * Where mutes, slow mode, reports and the audit trail live. Default: in this process
   * (`MemoryModerationStore`); give a `RedisModerationStore` with a `RedisEngine`, so that they are
   * shared by every instance and survive a restart.
   */
  moderationStore?: ModerationStore;
  /**
   * Turns on the HTTP admin API (retract, mutes, slow mode, clear, reports, audit; see
   * docs/moderation.md) for requests with `Authorization: Bearer <adminToken>`, on the public port
   * and on the internal port. At least 16 characters; generate it (`openssl rand -hex 32`). Default:
   * none, and the API is not served.
   */
  adminToken?: string;
  /** Bytes that may wait to be sent to one client; past this it is closed with 4002 (slow consumer). Default `262144` (256 KiB). */
  maxBufferedAmount?: number;
  /** A pino logger to use. Default: a new one writing JSON lines to stdout at `logLevel`. */
  logger?: Logger;
  /** Level of the default logger: `trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`. Default `'info'`. */
  logLevel?: LevelWithSilent;
  /**
   * Serve Prometheus metrics at `/metrics`: on the public port (through `handleRequest`), or only
   * on the internal port when `internalPort` is set. `false` serves them nowhere. Default `true`.
   */
  metrics?: boolean;
  /**
   * Port of a second, internal HTTP server for operators (`/metrics`, `/healthz`, `/readyz`),
   * started by `listen()` on `internalHost`. When set, `/metrics` leaves the public port. Default: none.
   */
  internalPort?: number;
  /** Address the internal server listens on. Default `'127.0.0.1'` (this machine only). */
  internalHost?: string;
  /**
   * Most TCP connections the server it creates holds at once (HTTP and WebSocket, before and after
   * the upgrade); more are closed as they arrive. `'auto'` derives it from the process's open-file
   * limit (see {@link connectionLimit}); `0` means no limit. Ignored when attached to your server.
   * Default `'auto'`.
   */
  maxConnections?: number | 'auto';
  /** A client must send its complete request headers (the upgrade included) within this many ms (own server only). Default `10000`. */
  headersTimeout?: number;
  /** A client must send its complete HTTP request within this many ms (own server only). Default `30000`. */
  requestTimeout?: number;
  /** On `close()`, connections are closed at random moments over this many ms, so clients do not all reconnect at once. Default `2000`. */
  shutdownWindow?: number;
  /** `close()` terminates whatever is still open after this many ms. Default `10000`. */
  shutdownTimeout?: number;
}

/** Defaults of {@link DanmakuServerOptions}. */
export const SERVER_DEFAULTS = {
  path: '/ws',
  maxTextLength: DEFAULT_LIMITS.maxTextLength,
  maxPayload: DEFAULT_LIMITS.maxPayload,
  flushInterval: 25,
  heartbeatInterval: 15_000,
  replayLimit: 500,
  demo: false,
  rateLimit: 2,
  rateBurst: 5,
  ipRateLimit: 10,
  ipRateBurst: 20,
  readRateLimit: 5,
  readRateBurst: 20,
  maxConnectionsPerIp: 20,
  maxRooms: 10_000,
  maxSocketsPerIp: 64,
  newRoomRate: 0.2,
  newRoomBurst: 20,
  invalidFrameRate: 1,
  invalidFrameBurst: 20,
  trustProxy: false,
  authTimeout: 5000,
  readOnly: false,
  blocklist: [],
  retractWindow: 120,
  maxBufferedAmount: 256 * 1024,
  logLevel: 'info',
  metrics: true,
  internalHost: '127.0.0.1',
  maxConnections: 'auto',
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  shutdownWindow: 2000,
  shutdownTimeout: 10_000,
} as const satisfies DanmakuServerOptions;

/** Options with every default filled in. */
export type ResolvedOptions = Omit<DanmakuServerOptions, keyof typeof SERVER_DEFAULTS> & {
  [K in keyof typeof SERVER_DEFAULTS]-?: NonNullable<DanmakuServerOptions[K]>;
};

/**
 * Merges the defaults (once) and checks every option.
 *
 * @throws {TypeError} for an option of the wrong type.
 * @throws {RangeError} for a number out of range.
 */
export function resolveOptions(options: DanmakuServerOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('The options must be an object.');
  const settings = { ...SERVER_DEFAULTS, ...withoutUndefined(options) } as ResolvedOptions;
  // Sockets include the WebSocket ones: the default follows the connection limit, and lifting that
  // limit (a load test from one machine) lifts this one too.
  if (options.maxSocketsPerIp === undefined && typeof settings.maxConnectionsPerIp === 'number') {
    (settings as { maxSocketsPerIp: number }).maxSocketsPerIp =
      settings.maxConnectionsPerIp === 0
        ? 0
        : Math.max(SERVER_DEFAULTS.maxSocketsPerIp, 2 * settings.maxConnectionsPerIp);
  }
  const integer = (name: keyof ResolvedOptions, min: number): void => {
    const value = settings[name];
    if (typeof value !== 'number') throw new TypeError(`Option "${name}" must be a number; got ${typeof value}.`);
    if (!Number.isSafeInteger(value) || value < min)
      throw new RangeError(`Option "${name}" must be an integer ≥ ${min}; got ${value}.`);
  };
  const number = (name: keyof ResolvedOptions, min: number): void => {
    const value = settings[name];
    if (typeof value !== 'number') throw new TypeError(`Option "${name}" must be a number; got ${typeof value}.`);
    if (!Number.isFinite(value) || value < min)
      throw new RangeError(`Option "${name}" must be a number ≥ ${min}; got ${value}.`);
  };
  const boolean = (name: keyof ResolvedOptions): void => {
    if (typeof settings[name] !== 'boolean')
      throw new TypeError(`Option "${name}" must be true or false; got ${typeof settings[name]}.`);
  };
  integer('maxTextLength', 1);
  integer('maxPayload', 256);
  integer('replayLimit', 1);
  number('flushInterval', 0);
  number('heartbeatInterval', 0);
  number('rateLimit', 0);
  number('rateBurst', 1);
  number('ipRateLimit', 0);
  number('ipRateBurst', 1);
  number('readRateLimit', 0);
  number('readRateBurst', 1);
  integer('maxConnectionsPerIp', 0);
  integer('maxRooms', 0);
  integer('maxSocketsPerIp', 0);
  number('newRoomRate', 0);
  number('newRoomBurst', 1);
  number('invalidFrameRate', 0);
  number('invalidFrameBurst', 1);
  number('authTimeout', 1);
  integer('maxBufferedAmount', 1024);
  integer('retractWindow', 0);
  number('shutdownWindow', 0);
  integer('headersTimeout', 1);
  integer('requestTimeout', 1);
  if (settings.maxConnections !== 'auto') integer('maxConnections', 0);
  if (settings.internalPort !== undefined) {
    integer('internalPort', 0);
    if (settings.internalPort > 65535)
      throw new RangeError(`Option "internalPort" must be at most 65535; got ${settings.internalPort}.`);
  }
  if (typeof settings.internalHost !== 'string' || settings.internalHost === '') {
    throw new TypeError(`Option "internalHost" must be a host name or address; got ${String(settings.internalHost)}.`);
  }
  number('shutdownTimeout', 0);
  for (const name of ['trustProxy', 'readOnly', 'metrics'] as const) boolean(name);

  if (typeof settings.path !== 'string' || !settings.path.startsWith('/')) {
    throw new TypeError(`Option "path" must be a string starting with "/"; got ${String(settings.path)}.`);
  }
  if (typeof settings.demo !== 'boolean' && typeof settings.demo !== 'string') {
    throw new TypeError('Option "demo" must be true, false or a folder path.');
  }
  if (
    settings.allowedOrigins !== undefined &&
    (!Array.isArray(settings.allowedOrigins) || settings.allowedOrigins.some((o) => typeof o !== 'string'))
  ) {
    throw new TypeError('Option "allowedOrigins" must be a list of origins.');
  }
  if (
    !Array.isArray(settings.blocklist) ||
    settings.blocklist.some((b) => typeof b !== 'string' && !(b instanceof RegExp))
  ) {
    throw new TypeError('Option "blocklist" must be a list of strings and regular expressions.');
  }
  if (settings.moderate !== undefined && typeof settings.moderate !== 'function') {
    throw new TypeError('Option "moderate" must be a function.');
  }
  if (settings.onReport !== undefined && typeof settings.onReport !== 'function') {
    throw new TypeError('Option "onReport" must be a function.');
  }
  if (settings.moderationStore !== undefined && typeof settings.moderationStore?.checkSend !== 'function') {
    throw new TypeError('Option "moderationStore" must implement the ModerationStore interface.');
  }
  if (
    settings.adminToken !== undefined &&
    (typeof settings.adminToken !== 'string' ||
      settings.adminToken.length < ADMIN_API_LIMITS.minTokenLength ||
      /\s/.test(settings.adminToken))
  ) {
    throw new TypeError(
      `Option "adminToken" must be a string of at least ${ADMIN_API_LIMITS.minTokenLength} characters without white space.`,
    );
  }
  if (settings.auth !== undefined && (typeof settings.auth !== 'object' || settings.auth === null)) {
    throw new TypeError('Option "auth" must be an object.');
  }
  if (!LOG_LEVELS.includes(settings.logLevel)) {
    throw new RangeError(
      `Option "logLevel" must be one of ${LOG_LEVELS.join(', ')}; got ${String(settings.logLevel)}.`,
    );
  }
  if (settings.server !== undefined && typeof settings.server?.on !== 'function') {
    throw new TypeError('Option "server" must be an http.Server (or https.Server).');
  }
  if (settings.server !== undefined && settings.internalPort !== undefined) {
    throw new TypeError(
      'Option "internalPort" works with the server\'s own HTTP server only (without "server"); attached to yours, serve `metrics.registry` where you like.',
    );
  }
  if (settings.archive !== undefined && typeof settings.archive?.reserve !== 'function') {
    throw new TypeError('Option "archive" must implement the Archive interface.');
  }
  if (settings.engine !== undefined && typeof settings.engine?.publish !== 'function') {
    throw new TypeError('Option "engine" must implement the Engine interface.');
  }
  return settings;
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
