/**
 * Command line of `danmaku-layer-server`: maps flags and environment variables onto
 * {@link createDanmakuServer} options, and turns SIGTERM/SIGINT into a graceful shutdown. All
 * other logic lives in the server; this file only parses and wires.
 */
import { parseArgs } from 'node:util';
import { CloseCode } from 'danmaku-layer-protocol';
import type { AuthOptions } from './auth.js';
import type { Engine } from './engine.js';
import { MemoryEngine, ENGINE_DEFAULTS, MEMORY_ENGINE_DEFAULTS } from './memory-engine.js';
import { LOG_LEVELS, SERVER_DEFAULTS, type DanmakuServerOptions } from './options.js';
import { abandonLogger, createLogger, settleLogger, type LevelWithSilent, type Logger } from './logger.js';
import type { CloseOptions, DanmakuServer } from './server.js';
import type { Archive } from './archive/archive.js';
import type { ModerationStore } from './moderation/store.js';
import { openArchive, parseArchiveConfig, runImportCommand, type ArchiveConfig } from './archive/archive-cli.js';

/** A flag: its type, environment variable and help line. */
interface Flag {
  type: 'string' | 'boolean';
  env: string;
  help: string;
  default?: string;
}

const D = SERVER_DEFAULTS;

/** Every flag, in `--help` order. Each flag also reads the environment variable named beside it. */
export const FLAGS = {
  host: { type: 'string', env: 'DANMAKU_HOST', default: '0.0.0.0', help: 'Address to listen on.' },
  port: { type: 'string', env: 'PORT', default: '8080', help: 'Port to listen on.' },
  path: { type: 'string', env: 'DANMAKU_PATH', default: D.path, help: 'WebSocket endpoint path.' },
  demo: { type: 'boolean', env: 'DANMAKU_DEMO', help: 'Serve the demo page at /.' },
  'allowed-origins': {
    type: 'string',
    env: 'DANMAKU_ALLOWED_ORIGINS',
    help: 'Comma-separated origins allowed to connect, e.g. https://a.example,https://*.b.example; default any.',
  },
  'rate-limit': {
    type: 'string',
    env: 'DANMAKU_RATE_LIMIT',
    default: String(D.rateLimit),
    help: 'Comments per second per connection (0 = no limit).',
  },
  'rate-burst': {
    type: 'string',
    env: 'DANMAKU_RATE_BURST',
    default: String(D.rateBurst),
    help: 'Comments a connection may post at once.',
  },
  'ip-rate-limit': {
    type: 'string',
    env: 'DANMAKU_IP_RATE_LIMIT',
    default: String(D.ipRateLimit),
    help: 'Comments per second per IP address (0 = no limit).',
  },
  'ip-rate-burst': {
    type: 'string',
    env: 'DANMAKU_IP_RATE_BURST',
    default: String(D.ipRateBurst),
    help: 'Comments an IP address may post at once.',
  },
  'max-connections-per-ip': {
    type: 'string',
    env: 'DANMAKU_MAX_CONNECTIONS_PER_IP',
    default: String(D.maxConnectionsPerIp),
    help: 'Simultaneous connections per IP address (0 = no limit).',
  },
  'max-rooms': {
    type: 'string',
    env: 'DANMAKU_MAX_ROOMS',
    default: String(D.maxRooms),
    help: 'Rooms open at once (0 = no limit).',
  },
  'max-connections': {
    type: 'string',
    env: 'DANMAKU_MAX_CONNECTIONS',
    default: 'auto',
    help: 'TCP connections held at once, before and after the upgrade; auto = the open-file limit less a tenth (at least 64); 0 = no limit.',
  },
  'max-buffered': {
    type: 'string',
    env: 'DANMAKU_MAX_BUFFERED',
    default: String(D.maxBufferedAmount),
    help: 'Bytes queued per client before it is closed as a slow consumer (4002).',
  },
  'trust-proxy': {
    type: 'boolean',
    env: 'DANMAKU_TRUST_PROXY',
    help: 'Take client addresses from X-Forwarded-For (only behind a reverse proxy).',
  },
  'read-only': { type: 'boolean', env: 'DANMAKU_READ_ONLY', help: 'Anonymous viewers may read but not send.' },
  blocklist: { type: 'string', env: 'DANMAKU_BLOCKLIST', help: 'Comma-separated words that get a comment rejected.' },
  'retract-window': {
    type: 'string',
    env: 'DANMAKU_RETRACT_WINDOW',
    default: String(D.retractWindow),
    help: 'Seconds after posting during which authors may retract their own comments (0 = never).',
  },
  'admin-token': {
    type: 'string',
    env: 'DANMAKU_ADMIN_TOKEN',
    help: 'Turn on the HTTP admin API for "Authorization: Bearer <token>" (16+ characters; prefer the env variable).',
  },
  'jwt-secret': {
    type: 'string',
    env: 'DANMAKU_JWT_SECRET',
    help: 'Require JWTs signed with this shared secret (HS256/384/512, ≥ 32 bytes). Prefer the env variable.',
  },
  'jwt-jwks-url': {
    type: 'string',
    env: 'DANMAKU_JWT_JWKS_URL',
    help: 'Require JWTs signed by a key from this JWKS URL.',
  },
  'jwt-jwks-allow-http': {
    type: 'boolean',
    env: 'DANMAKU_JWT_JWKS_ALLOW_HTTP',
    help: 'Accept an http:// JWKS URL on a host other than loopback (trusted private networks only).',
  },
  'jwt-audience': {
    type: 'string',
    env: 'DANMAKU_JWT_AUDIENCE',
    help: 'Required "aud" of tokens (needed with --jwt-secret or --jwt-jwks-url).',
  },
  'jwt-issuer': { type: 'string', env: 'DANMAKU_JWT_ISSUER', help: 'Required "iss" of tokens; default not checked.' },
  'auth-timeout': {
    type: 'string',
    env: 'DANMAKU_AUTH_TIMEOUT',
    default: String(D.authTimeout),
    help: 'Time to authenticate before close 4001, in ms.',
  },
  'max-text-length': {
    type: 'string',
    env: 'DANMAKU_MAX_TEXT_LENGTH',
    default: String(D.maxTextLength),
    help: 'Longest comment, in characters.',
  },
  'max-payload': {
    type: 'string',
    env: 'DANMAKU_MAX_PAYLOAD',
    default: String(D.maxPayload),
    help: 'Largest client frame, in bytes.',
  },
  'flush-interval': {
    type: 'string',
    env: 'DANMAKU_FLUSH_INTERVAL',
    default: String(D.flushInterval),
    help: 'Batching window for outgoing comments, in ms; a comment in a quiet room goes at once (0 = none).',
  },
  'heartbeat-interval': {
    type: 'string',
    env: 'DANMAKU_HEARTBEAT_INTERVAL',
    default: String(D.heartbeatInterval),
    help: 'Ping/heartbeat interval, in ms (0 = off).',
  },
  'history-size': {
    type: 'string',
    env: 'DANMAKU_HISTORY_SIZE',
    default: String(ENGINE_DEFAULTS.historySize),
    help: 'Comments kept per room for recovery.',
  },
  'history-age': {
    type: 'string',
    env: 'DANMAKU_HISTORY_AGE',
    default: String(ENGINE_DEFAULTS.historyAge),
    help: 'Longest time a comment is kept, in ms.',
  },
  'dedupe-window': {
    type: 'string',
    env: 'DANMAKU_DEDUPE_WINDOW',
    default: String(ENGINE_DEFAULTS.dedupeWindow),
    help: 'How long a sent id is remembered to drop resends, in ms.',
  },
  'max-held-rooms': {
    type: 'string',
    env: 'DANMAKU_MAX_HELD_ROOMS',
    default: String(MEMORY_ENGINE_DEFAULTS.maxHeldRooms),
    help: 'Rooms held in memory, idle ones included; past it the least recently used idle room is forgotten.',
  },
  'max-sockets-per-ip': {
    type: 'string',
    env: 'DANMAKU_MAX_SOCKETS_PER_IP',
    help: `TCP sockets per address (IPv6: per /64), counted before any HTTP (0 = no limit); default max(${D.maxSocketsPerIp}, 2 × --max-connections-per-ip), none when that is 0.`,
  },
  'new-room-rate': {
    type: 'string',
    env: 'DANMAKU_NEW_ROOM_RATE',
    default: String(D.newRoomRate),
    help: 'New rooms per second per address (0 = no limit).',
  },
  'new-room-burst': {
    type: 'string',
    env: 'DANMAKU_NEW_ROOM_BURST',
    default: String(D.newRoomBurst),
    help: 'New rooms an address may open at once.',
  },
  'invalid-frame-rate': {
    type: 'string',
    env: 'DANMAKU_INVALID_FRAME_RATE',
    default: String(D.invalidFrameRate),
    help: 'Invalid frames per second per connection (0 = no limit).',
  },
  'invalid-frame-burst': {
    type: 'string',
    env: 'DANMAKU_INVALID_FRAME_BURST',
    default: String(D.invalidFrameBurst),
    help: 'Invalid frames a connection may send at once; past that, close 1008.',
  },
  'shutdown-window': {
    type: 'string',
    env: 'DANMAKU_SHUTDOWN_WINDOW',
    default: String(D.shutdownWindow),
    help: 'On SIGTERM/SIGINT, spread closing connections over this many ms.',
  },
  'shutdown-timeout': {
    type: 'string',
    env: 'DANMAKU_SHUTDOWN_TIMEOUT',
    default: String(D.shutdownTimeout),
    help: 'Cut remaining connections and exit after this many ms.',
  },
  'internal-port': {
    type: 'string',
    env: 'DANMAKU_INTERNAL_PORT',
    help: 'Serve /metrics, /healthz and /readyz on this port too, and /metrics only there; default none.',
  },
  'internal-host': {
    type: 'string',
    env: 'DANMAKU_INTERNAL_HOST',
    default: D.internalHost,
    help: 'Address of the internal port.',
  },
  'no-metrics': { type: 'boolean', env: 'DANMAKU_NO_METRICS', help: 'Serve no /metrics at all.' },
  'log-level': {
    type: 'string',
    env: 'DANMAKU_LOG_LEVEL',
    default: D.logLevel,
    help: `Log level: ${LOG_LEVELS.join(', ')}.`,
  },
  'redis-url': {
    type: 'string',
    env: 'DANMAKU_REDIS_URL',
    help: 'Share rooms with other instances through Redis (redis:// or rediss:// URL); default: in memory.',
  },
  'data-dir': {
    type: 'string',
    env: 'DANMAKU_DATA_DIR',
    help: 'Archive every comment in SQLite in this directory (needs better-sqlite3@12); default: no archive.',
  },
  'database-url': {
    type: 'string',
    env: 'DANMAKU_DATABASE_URL',
    help: 'Archive every comment in PostgreSQL (postgres:// URL; needs pg), shared by every instance; default: no archive.',
  },
  'archive-max-comments': {
    type: 'string',
    env: 'DANMAKU_ARCHIVE_MAX_COMMENTS',
    help: 'Most comments the archive keeps per room, the oldest written going first; default unlimited.',
  },
  'archive-max-age': {
    type: 'string',
    env: 'DANMAKU_ARCHIVE_MAX_AGE',
    help: 'Longest time the archive keeps a comment, in ms; default unlimited.',
  },
  'read-rate-limit': {
    type: 'string',
    env: 'DANMAKU_READ_RATE_LIMIT',
    default: String(D.readRateLimit),
    help: 'Archive read API requests per second per IP address (0 = no limit).',
  },
  'read-rate-burst': {
    type: 'string',
    env: 'DANMAKU_READ_RATE_BURST',
    default: String(D.readRateBurst),
    help: 'Archive read API requests an IP address may make at once.',
  },
  help: { type: 'boolean', env: '', help: 'Show this help and exit.' },
} satisfies Record<string, Flag>;

type FlagName = keyof typeof FLAGS;

/** A flag or environment variable that could not be used. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the command line asks for. */
export interface CliConfig {
  help: boolean;
  host: string;
  port: number;
  server: DanmakuServerOptions;
  historySize: number;
  historyAge: number;
  dedupeWindow: number;
  /** Rooms the in-memory engine holds at most. */
  maxHeldRooms: number;
  /** Redis URL of the shared engine; absent for the in-memory engine. */
  redisUrl?: string;
  /** Where the archive is, and how much it keeps; absent for no archive. */
  archive?: ArchiveConfig;
}

const TRUE = /^(1|true|yes|on)$/i;
const FALSE = /^(0|false|no|off)$/i;

/** Parses arguments and environment into a {@link CliConfig}. Throws {@link UsageError} on bad input. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.entries(FLAGS).map(([name, flag]) => [name, { type: flag.type }]));
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const get = (name: FlagName): string | boolean | undefined => {
    const flag: Flag = FLAGS[name];
    if (values[name] !== undefined) return values[name];
    const fromEnv = flag.env ? env[flag.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') {
      if (flag.type === 'string') return fromEnv;
      if (TRUE.test(fromEnv)) return true;
      if (FALSE.test(fromEnv)) return false;
      throw new UsageError(`${source(name)} must be true or false; got "${fromEnv}".`);
    }
    return flag.default;
  };
  const string = (name: FlagName): string | undefined => {
    const value = get(name);
    return typeof value === 'string' ? value : undefined;
  };
  const number = (name: FlagName, min: number, integer = true): number => {
    const raw = get(name);
    const value = Number(raw);
    if (raw === '' || !(integer ? Number.isSafeInteger(value) : Number.isFinite(value)) || value < min) {
      throw new UsageError(
        `${source(name)} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}; got "${String(raw)}".`,
      );
    }
    return value;
  };
  const list = (name: FlagName): string[] | undefined =>
    string(name)
      ?.split(',')
      .map((item) => item.trim())
      .filter(Boolean);

  const port = number('port', 0);
  if (port > 65535) throw new UsageError(`${source('port')} must be at most 65535; got ${port}.`);
  const logLevel = string('log-level') as LevelWithSilent;
  if (!LOG_LEVELS.includes(logLevel))
    throw new UsageError(`${source('log-level')} must be one of ${LOG_LEVELS.join(', ')}; got "${logLevel}".`);

  const server: DanmakuServerOptions = {
    path: String(get('path')),
    demo: get('demo') === true,
    rateLimit: number('rate-limit', 0, false),
    rateBurst: number('rate-burst', 1),
    ipRateLimit: number('ip-rate-limit', 0, false),
    ipRateBurst: number('ip-rate-burst', 1),
    maxConnectionsPerIp: number('max-connections-per-ip', 0),
    maxRooms: number('max-rooms', 0),
    maxBufferedAmount: number('max-buffered', 1024),
    trustProxy: get('trust-proxy') === true,
    readOnly: get('read-only') === true,
    retractWindow: number('retract-window', 0),
    ...(get('admin-token') !== undefined ? { adminToken: String(get('admin-token')) } : {}),
    authTimeout: number('auth-timeout', 1),
    maxTextLength: number('max-text-length', 1),
    maxPayload: number('max-payload', 256),
    flushInterval: number('flush-interval', 0),
    heartbeatInterval: number('heartbeat-interval', 0),
    shutdownWindow: number('shutdown-window', 0),
    shutdownTimeout: number('shutdown-timeout', 0),
    ...(get('max-sockets-per-ip') !== undefined ? { maxSocketsPerIp: number('max-sockets-per-ip', 0) } : {}),
    newRoomRate: number('new-room-rate', 0, false),
    newRoomBurst: number('new-room-burst', 1),
    readRateLimit: number('read-rate-limit', 0, false),
    readRateBurst: number('read-rate-burst', 1),
    invalidFrameRate: number('invalid-frame-rate', 0, false),
    invalidFrameBurst: number('invalid-frame-burst', 1),
    logLevel,
    metrics: get('no-metrics') !== true,
    internalHost: String(get('internal-host')),
    maxConnections: string('max-connections') === 'auto' ? 'auto' : number('max-connections', 0),
  };
  if (get('internal-port') !== undefined) {
    server.internalPort = number('internal-port', 0);
    if (server.internalPort > 65535)
      throw new UsageError(`${source('internal-port')} must be at most 65535; got ${server.internalPort}.`);
  }
  const origins = list('allowed-origins');
  if (origins) server.allowedOrigins = origins;
  const blocklist = list('blocklist');
  if (blocklist) server.blocklist = blocklist;
  const auth = parseAuth(string('jwt-secret'), string('jwt-jwks-url'), string('jwt-audience'), string('jwt-issuer'));
  if (auth) server.auth = get('jwt-jwks-allow-http') === true ? { ...auth, allowHttpJwks: true } : auth;

  const redisUrl = string('redis-url');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new UsageError(`${source('redis-url')} must start with redis:// or rediss://; got "${redisUrl}".`);
  }
  const archive = parseArchiveConfig(
    { dataDir: string('data-dir'), databaseUrl: string('database-url') },
    get('archive-max-comments') !== undefined ? number('archive-max-comments', 1) : undefined,
    get('archive-max-age') !== undefined ? number('archive-max-age', 1) : undefined,
    (message) =>
      new UsageError(message.replace(/--([\w-]+)/g, (flag, name: FlagName) => (name in FLAGS ? source(name) : flag))),
  );
  return {
    help: get('help') === true,
    ...(typeof redisUrl === 'string' ? { redisUrl } : {}),
    ...(archive ? { archive } : {}),
    host: String(get('host')),
    port,
    historySize: number('history-size', 1),
    historyAge: number('history-age', 1),
    dedupeWindow: number('dedupe-window', 1),
    maxHeldRooms: number('max-held-rooms', 1),
    server,
  };
}

function parseAuth(secret?: string, jwksUrl?: string, audience?: string, issuer?: string): AuthOptions | undefined {
  if (secret === undefined && jwksUrl === undefined) {
    if (audience !== undefined || issuer !== undefined) {
      throw new UsageError(
        `${source('jwt-audience')} and ${source('jwt-issuer')} need ${source('jwt-secret')} or ${source('jwt-jwks-url')}.`,
      );
    }
    return undefined;
  }
  if (secret !== undefined && jwksUrl !== undefined) {
    throw new UsageError(`Give either ${source('jwt-secret')} or ${source('jwt-jwks-url')}, not both.`);
  }
  if (!audience) throw new UsageError(`${source('jwt-audience')} is required with JWT authentication.`);
  return {
    ...(secret !== undefined ? { secret } : { jwksUrl: jwksUrl! }),
    audience: audience.split(',').map((a) => a.trim()),
    ...(issuer ? { issuer } : {}),
  };
}

/** How a flag is named in messages: the flag and its environment variable. */
function source(name: FlagName): string {
  return FLAGS[name].env ? `--${name} (or $${FLAGS[name].env})` : `--${name}`;
}

/** The flag behind each option of `createDanmakuServer` and of the engines, for their error messages. */
const FLAG_OF_OPTION: Record<string, FlagName> = {
  path: 'path',
  demo: 'demo',
  allowedOrigins: 'allowed-origins',
  rateLimit: 'rate-limit',
  rateBurst: 'rate-burst',
  ipRateLimit: 'ip-rate-limit',
  ipRateBurst: 'ip-rate-burst',
  maxConnectionsPerIp: 'max-connections-per-ip',
  maxRooms: 'max-rooms',
  maxBufferedAmount: 'max-buffered',
  trustProxy: 'trust-proxy',
  readOnly: 'read-only',
  retractWindow: 'retract-window',
  adminToken: 'admin-token',
  blocklist: 'blocklist',
  'auth.secret': 'jwt-secret',
  'auth.jwksUrl': 'jwt-jwks-url',
  'auth.audience': 'jwt-audience',
  'auth.issuer': 'jwt-issuer',
  'auth.allowHttpJwks': 'jwt-jwks-allow-http',
  maxConnections: 'max-connections',
  internalPort: 'internal-port',
  internalHost: 'internal-host',
  authTimeout: 'auth-timeout',
  maxTextLength: 'max-text-length',
  maxPayload: 'max-payload',
  flushInterval: 'flush-interval',
  heartbeatInterval: 'heartbeat-interval',
  historySize: 'history-size',
  historyAge: 'history-age',
  shutdownWindow: 'shutdown-window',
  shutdownTimeout: 'shutdown-timeout',
  logLevel: 'log-level',
};

/**
 * Rewrites an option error of the server or an engine (`Option "auth.secret" must be …`) in terms
 * of the command line (`--jwt-secret (or $DANMAKU_JWT_SECRET) must be …`).
 */
export function inFlagTerms(message: string): string {
  return message.replace(/(?:Option )?"([\w.]+)"/g, (whole, option: string) => {
    const flag = FLAG_OF_OPTION[option];
    return flag ? source(flag) : whole;
  });
}

/** The `--help` text. */
export function helpText(): string {
  const left = (name: string, flag: Flag): string => `  --${name}${flag.type === 'string' ? ' <value>' : ''}`;
  const width = Math.max(...Object.entries(FLAGS).map(([name, flag]) => left(name, flag).length)) + 2;
  const lines = Object.entries(FLAGS).map(([name, flag]: [string, Flag]) => {
    const extra = [flag.default !== undefined ? `default ${flag.default}` : '', flag.env ? `env ${flag.env}` : '']
      .filter(Boolean)
      .join(', ');
    return `${left(name, flag).padEnd(width)}${flag.help}${extra ? ` (${extra})` : ''}`;
  });
  return [
    'Usage: danmaku-layer-server [options]',
    '       danmaku-layer-server import --room ROOM [--format bilibili|dplayer|json] (--data-dir DIR | --database-url URL) FILE',
    '',
    'Options (each also read from the environment variable shown; flags win):',
    ...lines,
    '',
    'Exit codes: 0 after a graceful shutdown; 1 when the server fails, or its shutdown passed --shutdown-timeout + 1 s or was cut short by a second signal; 2 for a bad flag or variable.',
    '',
  ].join('\n');
}

/**
 * The engine the flags ask for: Redis with `--redis-url`, otherwise in memory. The Redis engine (and
 * ioredis with it) is loaded only when asked for.
 */
async function createEngine(config: CliConfig, logger: Logger): Promise<Engine> {
  const history = { historySize: config.historySize, historyAge: config.historyAge, dedupeWindow: config.dedupeWindow };
  if (!config.redisUrl) return new MemoryEngine({ ...history, maxHeldRooms: config.maxHeldRooms });
  const { RedisEngine } = await import('./redis-engine.js');
  const redis = redactUrl(config.redisUrl);
  // One line per outage and cause, not one per reconnect attempt.
  let lastError = '';
  const engine = new RedisEngine({
    ...history,
    url: config.redisUrl,
    onError: (error) => {
      const reason = describeError(error);
      if (reason === lastError) return;
      lastError = reason;
      const what = engine.ready ? 'Redis call failed' : 'not ready: Redis is unreachable; retrying';
      safely(() => logger.error({ redis, reason }, `${what} (${reason})`));
    },
  });
  engine.onReadiness(() => (lastError = ''));
  return engine;
}

/**
 * With `--redis-url`, moderation state (mutes, slow mode, reports, audit) lives in the same Redis,
 * shared by every instance; otherwise the server keeps it in memory.
 */
async function createModerationStore(config: CliConfig, logger: Logger): Promise<ModerationStore | undefined> {
  if (!config.redisUrl) return undefined;
  const { RedisModerationStore } = await import('./moderation/redis-store.js');
  const redis = redactUrl(config.redisUrl);
  return new RedisModerationStore({
    url: config.redisUrl,
    // The engine logs the outage; this connection's failures only when they are not the same.
    onError: (error) => safely(() => logger.debug({ redis, reason: describeError(error) }, 'moderation store error')),
  });
}

/** A Redis URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return 'redis://?';
  }
}

/** A one-line reason from an error (ioredis reports some failures as an AggregateError without message). */
function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) return error.errors.map(describeError).join('; ');
  if (error instanceof Error) return error.message || (error as NodeJS.ErrnoException).code || error.name;
  return String(error);
}

/** How long the process waits, past `--shutdown-timeout`, before it exits whatever still runs. */
export const SHUTDOWN_MARGIN = 1000;
/** How long an exit waits for buffered log lines to be written. */
export const LOG_FLUSH_TIMEOUT = 500;

/** Runs the CLI: parses, starts the server, shuts down gracefully on SIGTERM/SIGINT. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (argv[0] === 'import') {
    process.exitCode = await runImportCommand(argv.slice(1));
    return;
  }
  let config: CliConfig;
  try {
    config = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return usageFailure(error.message);
  }
  if (config.help) {
    process.stdout.write(helpText());
    return;
  }
  const logger = createLogger(config.server.logLevel ?? D.logLevel);
  const exit = exitWith(logger);
  installFailureHandlers(logger, exit);

  // What a signal has to close; nothing until the server has started.
  let shutdown: ((code: CloseOptions['code']) => Promise<void>) | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: the operator does not want to wait, not even for the logs.
      exit(1, 0);
      return;
    }
    stopping = true;
    // Armed before anything that can throw or hang, logging included.
    const deadline = (config.server.shutdownTimeout ?? D.shutdownTimeout) + SHUTDOWN_MARGIN;
    setTimeout(() => {
      safely(() => logger.error('shutdown took too long; exiting'));
      exit(1);
    }, deadline);
    safely(() => logger.info({ signal }, 'signal received'));
    // SIGTERM usually means a redeploy: "service restart". SIGINT is someone stopping it: "going away".
    const code = signal === 'SIGTERM' ? CloseCode.ServiceRestart : CloseCode.GoingAway;
    Promise.resolve()
      .then(() => shutdown?.(code))
      .then(
        () => exit(0),
        (error: unknown) => {
          safely(() => logger.error({ err: error }, 'shutdown failed'));
          exit(1);
        },
      );
  };
  // Installed before anything starts, so that an early signal is never the default (kill) one.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  let engine: Engine | undefined;
  let archive: Archive | undefined;
  let moderationStore: ModerationStore | undefined;
  let danmaku: DanmakuServer;
  try {
    // Loaded only now, so that --help and usage errors answer at once.
    const { createDanmakuServer } = await import('./server.js');
    engine = await createEngine(config, logger);
    if (config.archive) {
      archive = await openArchive(config.archive, (error) =>
        safely(() => logger.error({ reason: describeError(error) }, 'archive connection failed')),
      );
      logger.info({ archive: archive.kind }, 'archive open');
    }
    moderationStore = await createModerationStore(config, logger);
    danmaku = await createDanmakuServer({
      ...config.server,
      engine,
      logger,
      ...(archive ? { archive } : {}),
      ...(moderationStore ? { moderationStore } : {}),
    });
  } catch (error) {
    await engine?.close();
    await moderationStore?.close();
    await archive?.close();
    // Option checks throw TypeError/RangeError naming the option: that is a usage error too.
    if (error instanceof TypeError || error instanceof RangeError) {
      usageFailure(inFlagTerms(error.message));
      return exit(2, 0);
    }
    safely(() => logger.fatal({ err: error }, `could not start: ${describeError(error)}`));
    return exit(1);
  }
  const running = engine;
  const runningArchive = archive;
  const runningStore = moderationStore;
  shutdown = async (code) => {
    await danmaku.close({ code });
    await running.close();
    await runningStore?.close();
    await runningArchive?.close();
  };
  if (stopping) return;
  try {
    const address = await danmaku.listen(config.port, config.host);
    const internal = danmaku.internalAddress;
    logger.info(
      {
        host: address.address,
        port: address.port,
        path: config.server.path,
        demo: config.server.demo,
        ready: danmaku.ready,
        ...(internal ? { internal: { host: internal.address, port: internal.port } } : {}),
        maxConnections: danmaku.server.maxConnections ?? 0,
      },
      'listening',
    );
  } catch (error) {
    safely(() => logger.fatal({ err: error }, `could not listen: ${describeError(error)}`));
    await danmaku.close();
    await running.close();
    await runningArchive?.close();
    return exit(1);
  }
}

/**
 * Returns the one way this process exits: with `code`, after giving the logger up to `flush` ms to
 * write what it holds. The first call wins; the exit happens within `flush` ms whatever the log
 * destination does.
 */
function exitWith(logger: Logger): (code: number, flush?: number) => void {
  let exiting = false;
  return (code, flush = LOG_FLUSH_TIMEOUT) => {
    if (exiting) return;
    exiting = true;
    process.exitCode = code;
    const now = (): never => {
      abandonLogger(logger);
      process.exit(code);
    };
    if (flush <= 0) now();
    setTimeout(now, flush + 100);
    void settleLogger(logger, flush).then(() => process.exit(code));
  };
}

/**
 * An exception nothing caught, or a rejection nothing handled, leaves the server in an unknown
 * state: it is logged (best effort) and the process exits 1, so that a supervisor starts a fresh
 * one; clients reconnect and resume from their cursors.
 */
function installFailureHandlers(logger: Logger, exit: (code: number) => void): void {
  const fail = (error: unknown, origin: string): void => {
    safely(() => logger.fatal({ err: error, origin }, 'uncaught failure; exiting'));
    exit(1);
  };
  process.on('uncaughtException', (error, origin) => fail(error, origin));
  process.on('unhandledRejection', (reason) => fail(reason, 'unhandledRejection'));
}

/** Runs a logging call that must not stop what follows it. */
function safely(log: () => void): void {
  try {
    log();
  } catch {
    // The logger reports its own failures; nothing more can be done here.
  }
}

function usageFailure(message: string): void {
  process.stderr.write(`danmaku-layer-server: ${message}\nRun with --help for the options.\n`);
  process.exitCode = 2;
}
