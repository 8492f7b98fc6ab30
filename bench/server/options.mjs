/**
 * The command line of `npm run bench:server`: its help text, and the flags checked and turned into
 * the run's configuration. A bad flag ends the process with exit code 2 and a message naming it.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PEERS } from './peers.mjs';

const DEFAULT_BIN = fileURLToPath(new URL('../../packages/server/bin/danmaku-layer-server.js', import.meta.url));
const DEFAULT_RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

export const HELP = `Usage: npm run bench:server -- [options]

Load 1 (broadcast): --clients in one room, --rate comments/s from --senders of them, for --duration s.
Load 2 (idle):      --idle connections held open, server memory measured.

  --clients <n>          clients in the room, senders included (default 1000)
  --rate <n>             comments per second, all senders together (default 100)
  --duration <s>         seconds of sending (default 10)
  --senders <n>          clients that send, in turn (default 5)
  --idle <n>             idle connections (default 10000; 0 skips load 2)
  --servers <list>       comma-separated, from ws,socketio,ours,ours-flush0 (default all four)
  --receiver-procs <n>   load-generator processes for the receiving clients (default 1)
  --idle-procs <n>       load-generator processes for the idle connections (default 2)
  --concurrency <n>      connections opened at once per process (default 100)
  --drain <s>            longest wait for deliveries after the last send (default 30)
  --ours-flags="<flags>" extra flags for danmaku-layer-server, e.g. --ours-flags="--max-buffered 1048576"
  --server-bin <path>    the danmaku-layer-server executable to measure (default: this checkout's)
  --out <dir>            where the JSON goes (default bench/results/)
  --redis                instead: 1, 2 and 3 instances of ours on a redis-server started for the run
  --instances <list>     instance counts for --redis (default 1,2,3)
  --timeout <s>          the whole run is aborted after this long (default 900)
  --help
`;

/** Writes `message` to stderr and ends the process with exit code 2 (a usage error). */
function usage(message) {
  process.stderr.write(message);
  process.exit(2);
}

/**
 * Reads the flags of `argv` (without node and the script). Prints the help and exits 0 on
 * `--help`; exits 2 on a bad flag.
 * @returns {{ config: object, bin: string, results: string, redis: boolean }} `config` is the
 *   measured setup (it is saved with the results), `bin` the server executable, `results` the
 *   folder of the JSON (ending in `/`), `redis` whether to run the Redis mode.
 */
export function parseOptions(argv) {
  let flags;
  try {
    ({ values: flags } = parseArgs({
      args: argv,
      options: {
        clients: { type: 'string', default: '1000' },
        rate: { type: 'string', default: '100' },
        duration: { type: 'string', default: '10' },
        senders: { type: 'string', default: '5' },
        idle: { type: 'string', default: '10000' },
        servers: { type: 'string', default: 'ws,socketio,ours,ours-flush0' },
        'receiver-procs': { type: 'string', default: '1' },
        'idle-procs': { type: 'string', default: '2' },
        concurrency: { type: 'string', default: '100' },
        drain: { type: 'string', default: '30' },
        'ours-flags': { type: 'string', default: '' },
        'server-bin': { type: 'string', default: DEFAULT_BIN },
        out: { type: 'string', default: DEFAULT_RESULTS },
        redis: { type: 'boolean', default: false },
        instances: { type: 'string', default: '1,2,3' },
        timeout: { type: 'string', default: '900' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    usage(`bench:server: ${error.message}\nRun with --help for the options.\n`);
  }
  if (flags.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }

  const int = (name, min) => {
    const value = Number(flags[name]);
    if (!Number.isSafeInteger(value) || value < min) {
      usage(`bench:server: --${name} must be an integer ≥ ${min}; got "${flags[name]}".\n`);
    }
    return value;
  };
  const config = {
    clients: int('clients', 1),
    rate: int('rate', 1),
    duration: int('duration', 1),
    senders: int('senders', 1),
    idle: int('idle', 0),
    receiverProcs: int('receiver-procs', 1),
    idleProcs: int('idle-procs', 1),
    concurrency: int('concurrency', 1),
    drain: int('drain', 1),
    timeout: int('timeout', 10),
    servers: flags.servers
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    instances: flags.instances.split(',').map(Number),
    oursFlags: flags['ours-flags'].split(/\s+/).filter(Boolean),
  };
  if (config.senders > config.clients) config.senders = config.clients;
  for (const name of config.servers) {
    if (!PEERS.includes(name)) usage(`bench:server: unknown server "${name}"; choose from ${PEERS.join(', ')}.\n`);
  }

  const bin = flags['server-bin'];
  if (!existsSync(bin)) {
    usage(`bench:server: --server-bin ${bin} does not exist${bin === DEFAULT_BIN ? ' (run npm run build)' : ''}.\n`);
  }
  const results = flags.out.endsWith('/') ? flags.out : `${flags.out}/`;
  return { config, bin, results, redis: flags.redis };
}
