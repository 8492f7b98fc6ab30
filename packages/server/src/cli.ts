/**
 * Command line of `danmaku-layer-server`: maps flags and environment variables onto
 * {@link createDanmakuServer} options. All logic lives in the server; this file only parses.
 */
import { parseArgs } from 'node:util';
import { createDanmakuServer, SERVER_DEFAULTS, type DanmakuServerOptions } from './server.js';
import { MemoryEngine, ENGINE_DEFAULTS } from './memory-engine.js';
import { RedisEngine } from './redis-engine.js';

/** A flag: its type, environment variable and help line. */
interface Flag {
  type: 'string' | 'boolean';
  env: string;
  help: string;
  default?: string;
}

/** Every flag, in `--help` order. Each flag `--name` also reads `DANMAKU_NAME` from the environment. */
export const FLAGS = {
  host: { type: 'string', env: 'DANMAKU_HOST', default: '0.0.0.0', help: 'Address to listen on.' },
  port: { type: 'string', env: 'PORT', default: '8080', help: 'Port to listen on (also $PORT).' },
  path: { type: 'string', env: 'DANMAKU_PATH', default: SERVER_DEFAULTS.path, help: 'WebSocket endpoint path.' },
  demo: { type: 'boolean', env: 'DANMAKU_DEMO', help: 'Serve the demo page at /.' },
  'max-text-length': { type: 'string', env: 'DANMAKU_MAX_TEXT_LENGTH', default: String(SERVER_DEFAULTS.maxTextLength), help: 'Longest comment, in characters.' },
  'max-payload': { type: 'string', env: 'DANMAKU_MAX_PAYLOAD', default: String(SERVER_DEFAULTS.maxPayload), help: 'Largest client frame, in bytes.' },
  'flush-interval': { type: 'string', env: 'DANMAKU_FLUSH_INTERVAL', default: String(SERVER_DEFAULTS.flushInterval), help: 'Batching window for outgoing comments, in ms (0 = none).' },
  'heartbeat-interval': { type: 'string', env: 'DANMAKU_HEARTBEAT_INTERVAL', default: String(SERVER_DEFAULTS.heartbeatInterval), help: 'Ping/heartbeat interval, in ms (0 = off).' },
  'history-size': { type: 'string', env: 'DANMAKU_HISTORY_SIZE', default: String(ENGINE_DEFAULTS.historySize), help: 'Comments kept per room for recovery.' },
  'history-age': { type: 'string', env: 'DANMAKU_HISTORY_AGE', default: String(ENGINE_DEFAULTS.historyAge), help: 'Longest time a comment is kept, in ms.' },
  'redis-url': { type: 'string', env: 'DANMAKU_REDIS_URL', help: 'Share rooms with other instances through Redis (redis:// or rediss:// URL); default: in memory.' },
  help: { type: 'boolean', env: '', help: 'Show this help and exit.' },
} satisfies Record<string, Flag>;

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
  /** Redis URL of the shared engine; absent for the in-memory engine. */
  redisUrl?: string;
}

/** Parses arguments and environment into a {@link CliConfig}. Throws {@link UsageError} on bad input. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    const options = Object.fromEntries(Object.entries(FLAGS).map(([name, flag]) => [name, { type: flag.type }]));
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const get = (name: keyof typeof FLAGS): string | boolean | undefined => {
    const flag: Flag = FLAGS[name];
    if (values[name] !== undefined) return values[name];
    const fromEnv = flag.env ? env[flag.env] : undefined;
    if (fromEnv !== undefined && fromEnv !== '') return flag.type === 'boolean' ? /^(1|true|yes|on)$/i.test(fromEnv) : fromEnv;
    return flag.default;
  };
  const int = (name: keyof typeof FLAGS, min: number): number => {
    const raw = get(name);
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min) {
      throw new UsageError(`--${name} (or $${FLAGS[name].env}) must be an integer ≥ ${min}; got "${String(raw)}".`);
    }
    return value;
  };
  const port = int('port', 0);
  if (port > 65535) throw new UsageError(`--port must be at most 65535; got ${port}.`);
  const redisUrl = get('redis-url');
  if (typeof redisUrl === 'string' && !/^rediss?:\/\//.test(redisUrl)) {
    throw new UsageError(`--redis-url (or $DANMAKU_REDIS_URL) must start with redis:// or rediss://; got "${redisUrl}".`);
  }
  return {
    help: get('help') === true,
    ...(typeof redisUrl === 'string' ? { redisUrl } : {}),
    host: String(get('host')),
    port,
    historySize: int('history-size', 1),
    historyAge: int('history-age', 1),
    server: {
      path: String(get('path')),
      demo: get('demo') === true,
      maxTextLength: int('max-text-length', 1),
      maxPayload: int('max-payload', 256),
      flushInterval: int('flush-interval', 0),
      heartbeatInterval: int('heartbeat-interval', 0),
    },
  };
}

/** The `--help` text. */
export function helpText(): string {
  const lines = Object.entries(FLAGS).map(([name, flag]: [string, Flag]) => {
    const left = `  --${name}${flag.type === 'string' ? ' <value>' : ''}`;
    const extra = [flag.default !== undefined ? `default ${flag.default}` : '', flag.env ? `env ${flag.env}` : '']
      .filter(Boolean)
      .join(', ');
    return `${left.padEnd(34)}${flag.help}${extra ? ` (${extra})` : ''}`;
  });
  return ['Usage: danmaku-layer-server [options]', '', 'Options:', ...lines, ''].join('\n');
}

/** Runs the CLI: parses, starts the server, stops on SIGINT/SIGTERM. Returns the exit code on usage errors. */
export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  let config: CliConfig;
  try {
    config = parseCli(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`danmaku-layer-server: ${error.message}\nRun with --help for the options.\n`);
    process.exitCode = 2;
    return;
  }
  if (config.help) {
    process.stdout.write(helpText());
    return;
  }
  const history = { historySize: config.historySize, historyAge: config.historyAge };
  const engine = config.redisUrl ? redisEngine(config.redisUrl, history) : new MemoryEngine(history);
  const danmaku = await createDanmakuServer({ ...config.server, engine });
  const address = await danmaku.listen(config.port, config.host);
  const shown = address.address === '0.0.0.0' || address.address === '::' ? 'localhost' : address.address;
  process.stdout.write(
    `danmaku-layer-server listening on http://${shown}:${address.port}` +
      `${config.server.demo ? ' (demo at /)' : ''}, WebSocket ${config.server.path}\n`,
  );
  const stop = (): void => {
    void danmaku.close().then(() => engine.close()).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * The Redis engine, reporting on stderr when Redis becomes unreachable or ready, and each distinct
 * error once per outage rather than once per reconnect attempt.
 */
function redisEngine(url: string, history: { historySize: number; historyAge: number }): RedisEngine {
  const log = (line: string): void => void process.stderr.write(`danmaku-layer-server: redis: ${line}\n`);
  let lastError = '';
  const engine = new RedisEngine({
    ...history,
    url,
    onError: (error) => {
      const message = error instanceof Error ? error.message : String(error);
      if (message !== lastError) log((lastError = message));
    },
  });
  engine.onReadiness((ready) => {
    lastError = '';
    log(ready ? 'ready' : 'unreachable; /readyz reports 503 until it returns');
  });
  return engine;
}
