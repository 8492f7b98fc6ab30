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
import type { LevelWithSilent } from 'pino';
import { RedisEngine } from './redis-engine.js';

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
  'allowed-origins': { type: 'string', env: 'DANMAKU_ALLOWED_ORIGINS', help: 'Comma-separated origins allowed to connect, e.g. https://a.example,https://*.b.example; default any.' },
  'rate-limit': { type: 'string', env: 'DANMAKU_RATE_LIMIT', default: String(D.rateLimit), help: 'Comments per second per connection (0 = no limit).' },
  'rate-burst': { type: 'string', env: 'DANMAKU_RATE_BURST', default: String(D.rateBurst), help: 'Comments a connection may post at once.' },
  'ip-rate-limit': { type: 'string', env: 'DANMAKU_IP_RATE_LIMIT', default: String(D.ipRateLimit), help: 'Comments per second per IP address (0 = no limit).' },
  'ip-rate-burst': { type: 'string', env: 'DANMAKU_IP_RATE_BURST', default: String(D.ipRateBurst), help: 'Comments an IP address may post at once.' },
  'max-connections-per-ip': { type: 'string', env: 'DANMAKU_MAX_CONNECTIONS_PER_IP', default: String(D.maxConnectionsPerIp), help: 'Simultaneous connections per IP address (0 = no limit).' },
  'max-rooms': { type: 'string', env: 'DANMAKU_MAX_ROOMS', default: String(D.maxRooms), help: 'Rooms open at once (0 = no limit).' },
  'max-buffered': { type: 'string', env: 'DANMAKU_MAX_BUFFERED', default: String(D.maxBufferedAmount), help: 'Bytes queued per client before it is closed as a slow consumer (4002).' },
  'trust-proxy': { type: 'boolean', env: 'DANMAKU_TRUST_PROXY', help: 'Take client addresses from X-Forwarded-For (only behind a reverse proxy).' },
  'read-only': { type: 'boolean', env: 'DANMAKU_READ_ONLY', help: 'Anonymous viewers may read but not send.' },
  blocklist: { type: 'string', env: 'DANMAKU_BLOCKLIST', help: 'Comma-separated words that get a comment rejected.' },
  'jwt-secret': { type: 'string', env: 'DANMAKU_JWT_SECRET', help: 'Require JWTs signed with this shared secret (HS256/384/512, ≥ 32 bytes). Prefer the env variable.' },
  'jwt-jwks-url': { type: 'string', env: 'DANMAKU_JWT_JWKS_URL', help: 'Require JWTs signed by a key from this JWKS URL.' },
  'jwt-audience': { type: 'string', env: 'DANMAKU_JWT_AUDIENCE', help: 'Required "aud" of tokens (needed with --jwt-secret or --jwt-jwks-url).' },
  'jwt-issuer': { type: 'string', env: 'DANMAKU_JWT_ISSUER', help: 'Required "iss" of tokens; default not checked.' },
  'auth-timeout': { type: 'string', env: 'DANMAKU_AUTH_TIMEOUT', default: String(D.authTimeout), help: 'Time to authenticate before close 4001, in ms.' },
  'max-text-length': { type: 'string', env: 'DANMAKU_MAX_TEXT_LENGTH', default: String(D.maxTextLength), help: 'Longest comment, in characters.' },
  'max-payload': { type: 'string', env: 'DANMAKU_MAX_PAYLOAD', default: String(D.maxPayload), help: 'Largest client frame, in bytes.' },
  'flush-interval': { type: 'string', env: 'DANMAKU_FLUSH_INTERVAL', default: String(D.flushInterval), help: 'Batching window for outgoing comments, in ms (0 = none).' },
  'heartbeat-interval': { type: 'string', env: 'DANMAKU_HEARTBEAT_INTERVAL', default: String(D.heartbeatInterval), help: 'Ping/heartbeat interval, in ms (0 = off).' },
  'history-size': { type: 'string', env: 'DANMAKU_HISTORY_SIZE', default: String(ENGINE_DEFAULTS.historySize), help: 'Comments kept per room for recovery.' },
  'history-age': { type: 'string', env: 'DANMAKU_HISTORY_AGE', default: String(ENGINE_DEFAULTS.historyAge), help: 'Longest time a comment is kept, in ms.' },
  'dedupe-window': { type: 'string', env: 'DANMAKU_DEDUPE_WINDOW', default: String(ENGINE_DEFAULTS.dedupeWindow), help: 'How long a sent id is remembered to drop resends, in ms.' },
  'max-held-rooms': { type: 'string', env: 'DANMAKU_MAX_HELD_ROOMS', default: String(MEMORY_ENGINE_DEFAULTS.maxHeldRooms), help: 'Rooms held in memory, idle ones included; past it the least recently used idle room is forgotten.' },
  'max-sockets-per-ip': { type: 'string', env: 'DANMAKU_MAX_SOCKETS_PER_IP', help: `TCP sockets per address (IPv6: per /64), counted before any HTTP (0 = no limit); default max(${D.maxSocketsPerIp}, 2 × --max-connections-per-ip), none when that is 0.` },
  'new-room-rate': { type: 'string', env: 'DANMAKU_NEW_ROOM_RATE', default: String(D.newRoomRate), help: 'New rooms per second per address (0 = no limit).' },
  'new-room-burst': { type: 'string', env: 'DANMAKU_NEW_ROOM_BURST', default: String(D.newRoomBurst), help: 'New rooms an address may open at once.' },
  'invalid-frame-rate': { type: 'string', env: 'DANMAKU_INVALID_FRAME_RATE', default: String(D.invalidFrameRate), help: 'Invalid frames per second per connection (0 = no limit).' },
  'invalid-frame-burst': { type: 'string', env: 'DANMAKU_INVALID_FRAME_BURST', default: String(D.invalidFrameBurst), help: 'Invalid frames a connection may send at once; past that, close 1008.' },
  'shutdown-window': { type: 'string', env: 'DANMAKU_SHUTDOWN_WINDOW', default: String(D.shutdownWindow), help: 'On SIGTERM/SIGINT, spread closing connections over this many ms.' },
  'shutdown-timeout': { type: 'string', env: 'DANMAKU_SHUTDOWN_TIMEOUT', default: String(D.shutdownTimeout), help: 'Cut remaining connections and exit after this many ms.' },
  'log-level': { type: 'string', env: 'DANMAKU_LOG_LEVEL', default: D.logLevel, help: `Log level: ${LOG_LEVELS.join(', ')}.` },
  'redis-url': { type: 'string', env: 'DANMAKU_REDIS_URL', help: 'Share rooms with other instances through Redis (redis:// or rediss:// URL); default: in memory.' },
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
  const source = (name: FlagName): string => (FLAGS[name].env ? `--${name} (or $${FLAGS[name].env})` : `--${name}`);
  const get = (name: FlagName): string | boolean | undefined => {
    const flag: Flag = FLAGS[name];
    if (values[name] !== undefined) return values[name];
    const fromEnv = flag.env ? env[flag.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') {
      if (flag.type === 'string') return fromEnv;
      if (TRUE.test(fromEnv)) return true;
      if (FALSE.test(fromEnv)) return false;
      throw new UsageError(`$${flag.env} must be true or false; got "${fromEnv}".`);
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
      throw new UsageError(`${source(name)} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}; got "${String(raw)}".`);
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
  if (!LOG_LEVELS.includes(logLevel)) throw new UsageError(`${source('log-level')} must be one of ${LOG_LEVELS.join(', ')}; got "${logLevel}".`);

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
    invalidFrameRate: number('invalid-frame-rate', 0, false),
    invalidFrameBurst: number('invalid-frame-burst', 1),
    logLevel,
  };
  const origins = list('allowed-origins');
  if (origins) server.allowedOrigins = origins;
  const blocklist = list('blocklist');
  if (blocklist) server.blocklist = blocklist;
  const auth = parseAuth(string('jwt-secret'), string('jwt-jwks-url'), string('jwt-audience'), string('jwt-issuer'));
  if (auth) server.auth = auth;

  const redisUrl = string('redis-url');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new UsageError(`${source('redis-url')} must start with redis:// or rediss://; got "${redisUrl}".`);
  }
  return {
    help: get('help') === true,
    ...(typeof redisUrl === 'string' ? { redisUrl } : {}),
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
      throw new UsageError('--jwt-audience and --jwt-issuer need --jwt-secret or --jwt-jwks-url.');
    }
    return undefined;
  }
  if (secret !== undefined && jwksUrl !== undefined) throw new UsageError('Give either --jwt-secret or --jwt-jwks-url, not both.');
  if (!audience) throw new UsageError('--jwt-audience (or $DANMAKU_JWT_AUDIENCE) is required with JWT authentication.');
  return {
    ...(secret !== undefined ? { secret } : { jwksUrl: jwksUrl! }),
    audience: audience.split(',').map((a) => a.trim()),
    ...(issuer ? { issuer } : {}),
  };
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
    '',
    'Options (each also read from the environment variable shown; flags win):',
    ...lines,
    '',
    'Exit codes: 0 after a graceful shutdown, 1 when the server fails, 2 for a bad flag or variable.',
    '',
  ].join('\n');
}

/** Builds the room engine the command line asks for. */
/** The engine the flags ask for: Redis with `--redis-url`, otherwise in memory. */
function createEngine(config: CliConfig): Engine {
  const history = { historySize: config.historySize, historyAge: config.historyAge, dedupeWindow: config.dedupeWindow };
  if (!config.redisUrl) return new MemoryEngine({ ...history, maxHeldRooms: config.maxHeldRooms });
  // Each distinct error is reported once per outage, not once per reconnect attempt.
  let lastError = '';
  const engine = new RedisEngine({
    ...history,
    url: config.redisUrl,
    onError: (error) => {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastError) process.stderr.write(`danmaku-layer-server: redis: ${(lastError = message)}\n`);
    },
  });
  engine.onReadiness(() => (lastError = ''));
  return engine;
}

/** Runs the CLI: parses, starts the server, shuts down gracefully on SIGTERM/SIGINT. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
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
  // Loaded only now, so that --help and usage errors answer at once.
  const { createDanmakuServer } = await import('./server.js');
  const engine = createEngine(config);
  let danmaku;
  try {
    danmaku = await createDanmakuServer({ ...config.server, engine });
  } catch (error) {
    await engine.close();
    // Option checks throw TypeError/RangeError naming the option: that is a usage error too.
    if (error instanceof TypeError || error instanceof RangeError) return usageFailure(error.message);
    throw error;
  }
  const { logger } = danmaku;
  try {
    const address = await danmaku.listen(config.port, config.host);
    logger.info({ host: address.address, port: address.port, path: config.server.path, demo: config.server.demo }, 'listening');
  } catch (error) {
    logger.fatal({ err: error }, 'could not listen');
    await danmaku.close();
    await engine.close();
    process.exitCode = 1;
    return;
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second signal: the operator does not want to wait.
      logger.warn({ signal }, 'exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'signal received');
    // The bound holds even if something below hangs.
    setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, (config.server.shutdownTimeout ?? D.shutdownTimeout) + 2000).unref();
    // SIGTERM usually means a redeploy: "service restart". SIGINT is someone stopping it: "going away".
    const code = signal === 'SIGTERM' ? CloseCode.ServiceRestart : CloseCode.GoingAway;
    danmaku
      .close({ code })
      .then(() => engine.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function usageFailure(message: string): void {
  process.stderr.write(`danmaku-layer-server: ${message}\nRun with --help for the options.\n`);
  process.exitCode = 2;
}

