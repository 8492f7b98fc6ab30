/**
 * The command line of `npm run bench:server`: its help text, and the flags checked and turned into
 * the run's configuration. A bad flag ends the process with exit code 2 and a message naming it.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PEERS } from './peers.mjs';

const DEFAULT_BIN = fileURLToPath(new URL('../../packages/server/bin/danmaku-layer-server.js', import.meta.url));
const DEFAULT_RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

export const HELP = `Usage: npm run bench:server -- [options]

Load 1 (broadcast): at each load point, clients in one room, comments/s from --senders of them,
                    for --duration s.
Load 2 (idle):      --idle connections held open, server memory measured.
--connections <n>:  instead, the connections mode: <n> connections held idle with heartbeats on,
                    then --clients of them receive --rate comments/s (npm run bench:connections).

  --points <list>        load points as clients x rate, comma-separated (default 1000x100,5000x20;
                         --clients or --rate alone make it the one point clients x rate)
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
  --timeout <s>          the whole run is aborted after this long (default 900; 1800 with --connections)
  --cpu-prof <dir>       write a V8 CPU profile of each server process to <dir> (node --cpu-prof; open
                         it in DevTools). Profiling costs CPU: such a run's figures are not the benchmark's
  --help

Connections mode (default servers ws,ours):
  --connections <n>      connections in all, the --clients of the broadcast included (e.g. 50000)
  --idle-seconds <s>     how long they are held idle before the broadcast (default 60)
  --heartbeat <ms>       heartbeat interval of both servers (default 15000, ours' default)
  --source-addresses <n> 127.0.0.2… source addresses the connections are spread over
                         (default: one per 25,000 connections, at least 2)
  --connect-procs <n>    load-generator processes holding the idle connections (default: enough
                         for the open-files limit, at least 4)
  --heap-snapshots <dir> also write a heap snapshot of each server before and after connecting
`;

/** Writes `message` to stderr and ends the process with exit code 2 (a usage error). */
function usage(message) {
  process.stderr.write(message);
  process.exit(2);
}

/**
 * Reads the flags of `argv` (without node and the script). Prints the help and exits 0 on
 * `--help`; exits 2 on a bad flag.
 * @returns {{ config: object, bin: string, results: string, redis: boolean, connections: boolean }}
 *   `config` is the measured setup (it is saved with the results), `bin` the server executable,
 *   `results` the folder of the JSON (ending in `/`), `redis` and `connections` which mode to run.
 */
export function parseOptions(argv) {
  let flags;
  try {
    ({ values: flags } = parseArgs({
      args: argv,
      options: {
        points: { type: 'string' },
        clients: { type: 'string' },
        rate: { type: 'string' },
        duration: { type: 'string', default: '10' },
        senders: { type: 'string', default: '5' },
        idle: { type: 'string', default: '10000' },
        servers: { type: 'string' },
        'receiver-procs': { type: 'string', default: '1' },
        'idle-procs': { type: 'string', default: '2' },
        concurrency: { type: 'string', default: '100' },
        drain: { type: 'string', default: '30' },
        'ours-flags': { type: 'string', default: '' },
        'server-bin': { type: 'string', default: DEFAULT_BIN },
        out: { type: 'string', default: DEFAULT_RESULTS },
        redis: { type: 'boolean', default: false },
        instances: { type: 'string', default: '1,2,3' },
        timeout: { type: 'string' },
        connections: { type: 'string' },
        'idle-seconds': { type: 'string', default: '60' },
        heartbeat: { type: 'string', default: '15000' },
        'source-addresses': { type: 'string', default: '0' },
        'connect-procs': { type: 'string', default: '4' },
        'heap-snapshots': { type: 'string' },
        'cpu-prof': { type: 'string' },
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

  const connectionsMode = flags.connections !== undefined;
  flags.servers ??= connectionsMode ? 'ws,ours' : 'ws,socketio,ours,ours-flush0';
  flags.timeout ??= connectionsMode ? '1800' : '900';
  // One point when --clients or --rate is given alone, so `--clients 300 --rate 50` means just that.
  flags.points ??=
    flags.clients !== undefined || flags.rate !== undefined || connectionsMode
      ? `${flags.clients ?? '1000'}x${flags.rate ?? '100'}`
      : '1000x100,5000x20';
  flags.clients ??= '1000';
  flags.rate ??= '100';
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
    points: flags.points.split(',').map((point) => {
      const match = /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec(point);
      if (!match || Number(match[1]) < 1 || Number(match[2]) < 1)
        usage(`bench:server: --points takes clients x rate pairs like 1000x100,5000x20; got "${point}".\n`);
      return { clients: Number(match[1]), rate: Number(match[2]) };
    }),
  };
  if (connectionsMode) {
    config.connections = int('connections', 1);
    config.idleSeconds = int('idle-seconds', 1);
    config.heartbeat = int('heartbeat', 0);
    config.sourceAddresses = int('source-addresses', 0);
    config.connectProcs = int('connect-procs', 1);
    config.heapSnapshots = flags['heap-snapshots'];
    if (config.clients >= config.connections)
      usage(`bench:server: --connections (${config.connections}) must exceed --clients (${config.clients}).\n`);
  }
  if (config.senders > Math.min(config.clients, ...config.points.map((p) => p.clients)))
    config.senders = Math.min(config.clients, ...config.points.map((p) => p.clients));
  for (const name of config.servers) {
    if (!PEERS.includes(name)) usage(`bench:server: unknown server "${name}"; choose from ${PEERS.join(', ')}.\n`);
  }

  const bin = flags['server-bin'];
  if (!existsSync(bin)) {
    usage(`bench:server: --server-bin ${bin} does not exist${bin === DEFAULT_BIN ? ' (run npm run build)' : ''}.\n`);
  }
  if (flags['cpu-prof'] !== undefined) config.cpuProfileDir = resolve(flags['cpu-prof']);
  const results = flags.out.endsWith('/') ? flags.out : `${flags.out}/`;
  return { config, bin, results, redis: flags.redis, connections: connectionsMode };
}
