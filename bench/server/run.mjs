#!/usr/bin/env node
/**
 * `npm run bench:server`: danmaku-layer-server against a minimal `ws` broadcast loop and a
 * socket.io room, on the same machine with the same load generator. Each server runs as its own
 * process, so its CPU time and memory are read from /proc without the load generator's.
 *
 *   node bench/server/run.mjs [--clients 1000] [--rate 100] [--duration 10] [--idle 10000] ...
 *   node bench/server/run.mjs --redis     (1 vs 2 vs 3 instances of ours on one redis-server)
 *
 * Loopback only, bounded in count and time; every child is killed when the run ends or fails.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Histogram, nowUs } from './histogram.mjs';
import {
  cpuMs,
  forkWorker,
  guardChildren,
  hardFileLimit,
  killAll,
  rssBytes,
  startProgram,
  startServer,
  stop,
} from './proc.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const DEFAULT_BIN = here('../../packages/server/bin/danmaku-layer-server.js');
const LOAD = here('./load.mjs');
const DEFAULT_RESULTS = here('../results/');
const REDIS_SERVER = '/usr/bin/redis-server';

const HELP = `Usage: npm run bench:server -- [options]

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

let flags;
try {
  ({ values: flags } = parseArgs({
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
  process.stderr.write(`bench:server: ${error.message}\nRun with --help for the options.\n`);
  process.exit(2);
}
if (flags.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

function int(name, min) {
  const value = Number(flags[name]);
  if (!Number.isSafeInteger(value) || value < min) {
    process.stderr.write(`bench:server: --${name} must be an integer ≥ ${min}; got "${flags[name]}".\n`);
    process.exit(2);
  }
  return value;
}
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
const PEERS = ['ws', 'socketio', 'ours', 'ours-flush0'];
for (const name of config.servers) {
  if (!PEERS.includes(name)) {
    process.stderr.write(`bench:server: unknown server "${name}"; choose from ${PEERS.join(', ')}.\n`);
    process.exit(2);
  }
}

const BIN = flags['server-bin'];
if (!existsSync(BIN)) {
  process.stderr.write(
    `bench:server: --server-bin ${BIN} does not exist${BIN === DEFAULT_BIN ? ' (run npm run build)' : ''}.\n`,
  );
  process.exit(2);
}
const RESULTS = flags.out.endsWith('/') ? flags.out : `${flags.out}/`;

guardChildren();
setTimeout(() => {
  process.stderr.write(`bench:server: aborted after --timeout ${config.timeout} s.\n`);
  killAll();
  process.exit(1);
}, config.timeout * 1000).unref();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// Load-generator processes
// ---------------------------------------------------------------------------------------------

/** A forked load generator with a request/answer helper. */
function loadWorker() {
  const child = forkWorker(LOAD);
  const waiting = new Map();
  child.on('message', (message) => {
    const resolve = waiting.get(message.event);
    waiting.delete(message.event);
    resolve?.(message);
  });
  child.once('exit', (code) => {
    for (const [, resolve] of waiting) resolve({ event: 'exit', failed: true, code });
    waiting.clear();
  });
  return {
    child,
    ask(cmd, answer, extra = {}) {
      return new Promise((resolve) => {
        waiting.set(answer, resolve);
        child.send({ cmd, ...extra });
      });
    },
    async close() {
      if (child.connected) child.send({ cmd: 'close' });
      await stop(child, 2000);
    },
  };
}

/** Splits `n` into `parts` near-equal counts. */
function split(n, parts) {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0)).filter((c) => c > 0);
}

/**
 * Load 1: `clients` in one room (spread over `urls`), `rate` comments/s from `senders` of them.
 * `pids` are the processes whose CPU time counts as the server's.
 */
async function broadcast({ kind, urls, pids, room }) {
  const total = config.rate * config.duration;
  const senderWorker = loadWorker();
  const receiverWorkers = split(config.clients - config.senders, config.receiverProcs).map((count) => ({
    worker: loadWorker(),
    count,
  }));
  const all = [senderWorker, ...receiverWorkers.map((r) => r.worker)];
  try {
    let offset = 0;
    const plans = [{ worker: senderWorker, count: config.senders }, ...receiverWorkers];
    const connected = await Promise.all(
      plans.map(({ worker, count }) => {
        const request = { kind, urls, room, count, offset, total, concurrency: config.concurrency };
        offset += count;
        return worker.ask('connect', 'connected', request);
      }),
    );
    const receivers = connected.reduce((sum, c) => sum + (c.ok ?? 0), 0);
    const failed = connected.reduce((sum, c) => sum + (c.failed ?? 0), 0);
    const firstError = connected.find((c) => c.firstError)?.firstError;
    if (connected[0].ok !== config.senders) throw new Error(`senders could not connect: ${firstError}`);
    await sleep(1000);

    const cpuBefore = pids.map(cpuMs);
    const loadPids = all.map((w) => w.child.pid);
    const loadCpuBefore = loadPids.map(cpuMs);
    const startUs = nowUs();
    const sent = await senderWorker.ask('send', 'sent', { total, rate: config.rate });
    const expected = sent.sent * receivers;

    // Wait for the last deliveries: until everything arrived, nothing moved for 2 s, or --drain.
    const drainEnd = Date.now() + config.drain * 1000;
    let last = -1;
    let lastChange = Date.now();
    for (;;) {
      const stats = await Promise.all(all.map((w) => w.ask('stats', 'stats')));
      const got = stats.reduce((sum, s) => sum + (s.received ?? 0), 0);
      if (got >= expected || Date.now() > drainEnd) break;
      if (got !== last) {
        last = got;
        lastChange = Date.now();
      } else if (Date.now() - lastChange > 2000) break;
      await sleep(100);
    }
    const cpuAfter = pids.map(cpuMs);
    const loadCpuAfter = loadPids.map(cpuMs);
    const wallS = (nowUs() - startUs) / 1e6;
    const reports = await Promise.all(all.map((w) => w.ask('report', 'report')));
    const histogram = new Histogram();
    let delivered = 0;
    let duplicates = 0;
    let outOfOrder = 0;
    let lastRecvUs = 0;
    const errors = {};
    const closes = {};
    for (const r of reports) {
      if (r.failed) continue;
      histogram.merge(r.histogram);
      delivered += r.received;
      duplicates += r.duplicates;
      outOfOrder += r.outOfOrder;
      lastRecvUs = Math.max(lastRecvUs, r.lastRecvUs);
      for (const [k, v] of Object.entries(r.errors)) errors[k] = (errors[k] ?? 0) + v;
      for (const [k, v] of Object.entries(r.closes)) closes[k] = (closes[k] ?? 0) + v;
    }
    const cpu = cpuAfter.map((after, i) => after - cpuBefore[i]);
    const serverCpu = cpu.reduce((a, b) => a + b, 0);
    const activeS = (Math.max(lastRecvUs, startUs) - startUs) / 1e6;
    return {
      clients: receivers,
      connectFailures: failed,
      ...(firstError ? { firstConnectError: firstError } : {}),
      commentsSent: sent.sent,
      sendSeconds: sent.durationMs / 1000,
      senderLateMaxMs: sent.lateMaxMs,
      acks: reports[0].acks ?? 0,
      expected,
      delivered,
      lost: expected - delivered,
      duplicates,
      // Comments that arrived with a `seq` at or below one the same client had already received.
      outOfOrder,
      latencyMs: { p50: histogram.quantileMs(0.5), p99: histogram.quantileMs(0.99), max: histogram.max / 1000 },
      cpuMsPerProcess: cpu,
      serverCpuMs: serverCpu,
      cpuMsPer1000Deliveries: delivered > 0 ? (serverCpu / delivered) * 1000 : NaN,
      deliveriesPerSecond: activeS > 0 ? delivered / activeS : NaN,
      // Share of one core each load-generator process used while sending and draining: near 100 %
      // means the receiving side, not the server, set the pace, and latency includes its queue.
      loadGeneratorCoreUse: loadCpuAfter.map((after, i) => (after - loadCpuBefore[i]) / 1000 / wallS),
      // The same for the server process(es): near 100 % (of one core each), the server set the pace.
      serverCoreUse: cpu.map((ms) => ms / 1000 / wallS),
      wallSeconds: wallS,
      errors,
      closes,
    };
  } finally {
    await Promise.all(all.map((w) => w.close()));
  }
}

/** Median of a few RSS samples, `gap` ms apart (one sample can catch a GC halfway). */
async function steadyRss(pid, samples = 5, gap = 300) {
  const values = [];
  for (let i = 0; i < samples; i++) {
    values.push(rssBytes(pid));
    if (i < samples - 1) await sleep(gap);
  }
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

/** Load 2: `count` idle connections to a fresh server; server RSS growth per connection. */
async function idle({ kind, url, pid, count }) {
  await sleep(1000);
  const before = await steadyRss(pid);
  const workers = split(count, config.idleProcs).map((n) => ({ worker: loadWorker(), n }));
  try {
    let offset = 0;
    const connected = await Promise.all(
      workers.map(({ worker, n }) => {
        const request = {
          kind,
          urls: [url],
          room: 'idle',
          count: n,
          offset,
          total: 0,
          concurrency: config.concurrency,
        };
        offset += n;
        return worker.ask('connect', 'connected', request);
      }),
    );
    const ok = connected.reduce((sum, c) => sum + (c.ok ?? 0), 0);
    const failed = connected.reduce((sum, c) => sum + (c.failed ?? 0), 0);
    await sleep(2000);
    const after = await steadyRss(pid);
    return {
      attempted: count,
      connections: ok,
      failed,
      ...(failed ? { firstError: connected.find((c) => c.firstError)?.firstError } : {}),
      rssBeforeBytes: before,
      rssAfterBytes: after,
      bytesPerConnection: ok > 0 ? (after - before) / ok : NaN,
    };
  } finally {
    await Promise.all(workers.map(({ worker }) => worker.close()));
  }
}

// ---------------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------------

let oursHelp;
/** `danmaku-layer-server --help`, read once, to see which flags this build has. */
function oursHelpText() {
  oursHelp ??= execFileSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
  return oursHelp;
}

/**
 * Flags that lift our abuse limits for the benchmark: one client sends far more than a person
 * would, and every connection comes from 127.0.0.1. Any flag of the build that names a rate, burst
 * or connection/room maximum is set to 1,000,000 (so the limit exists but is never reached);
 * --ours-flags adds or overrides.
 */
function oursLimitFlags() {
  const lifted = [];
  for (const match of oursHelpText().matchAll(/^\s+(--[a-z0-9-]+)( <value>)?/gm)) {
    const [, flag, takesValue] = match;
    if (!/rate|burst|per-ip|max-conn|connections|max-rooms|flood/.test(flag)) continue;
    if (/window|interval|-ms\b|age|timeout|deadline/.test(flag)) continue;
    if (config.oursFlags.includes(flag)) continue;
    if (takesValue) lifted.push(flag, '1000000');
    else if (/^--no-|disable/.test(flag)) lifted.push(flag);
  }
  return lifted;
}

/** Starts one server of the comparison; resolves with its pid and the URL clients use. */
async function startPeer(name, room, extra = []) {
  switch (name) {
    case 'ws': {
      const { child, pid, port } = await startServer([here('./peers/ws-broadcast.mjs'), '0']);
      return { child, pid, kind: 'ws', url: `ws://127.0.0.1:${port}/?room=${room}` };
    }
    case 'socketio': {
      const { child, pid, port } = await startServer([here('./peers/socketio-room.mjs'), '0']);
      return { child, pid, kind: 'socketio', url: `http://127.0.0.1:${port}` };
    }
    case 'ours':
    case 'ours-flush0': {
      const args = [BIN, '--host', '127.0.0.1', '--port', '0', ...oursLimitFlags(), ...config.oursFlags, ...extra];
      if (name === 'ours-flush0') args.push('--flush-interval', '0');
      const { child, pid, port } = await startServer(args);
      return { child, pid, kind: 'ws', url: `ws://127.0.0.1:${port}/ws?room=${room}`, args: args.slice(1) };
    }
  }
  throw new Error(`unknown server ${name}`);
}

const LABELS = {
  ws: 'ws broadcast loop',
  socketio: 'socket.io room',
  ours: 'danmaku-layer (25 ms batches)',
  'ours-flush0': 'danmaku-layer (--flush-interval 0)',
};

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

function table(rows, columns) {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((cell, i) => String(cell).padEnd(widths[i])).join(' | ')} |`;
  return [line(columns), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

function machine() {
  return {
    nproc: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    fileLimit: hardFileLimit(),
  };
}

function save(kind, data) {
  mkdirSync(RESULTS, { recursive: true });
  const file = `${RESULTS}server-${kind}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}

function warnAboutLoad(name, result) {
  const busiest = Math.max(...result.loadGeneratorCoreUse);
  if (busiest > 0.85) {
    process.stdout.write(
      `  ! ${name}: a load-generator process used ${(busiest * 100).toFixed(0)} % of a core; ` +
        'its own queue is part of the latency (more --receiver-procs on a machine with spare cores).\n',
    );
  }
}

function warnAboutConnects(name, result) {
  if (result.connectFailures > 0) {
    process.stdout.write(
      `  ! ${name}: ${result.connectFailures} clients could not connect (${result.firstConnectError}); expected counts only the others.\n`,
    );
  }
}

function warnAboutOrder(name, result) {
  if (result.outOfOrder > 0 || result.duplicates > 0) {
    process.stdout.write(`  ! ${name}: ${result.outOfOrder} comments out of order, ${result.duplicates} duplicates.\n`);
  }
}

function warnAboutLimits(name, result) {
  const slow = result.closes?.['4002'] ?? 0;
  if (slow > 0) {
    process.stdout.write(
      `  ! ${name}: ${slow} clients were closed as slow consumers (4002): the load generator fell behind the server's ` +
        'per-client buffer cap; their missing comments count as lost.\n',
    );
  }
  const limited = result.errors?.rate_limited ?? 0;
  if (limited > 0) {
    process.stdout.write(
      `  ! ${name}: ${limited} sends or connections were refused by server limits; raise them with --ours-flags.\n`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Modes
// ---------------------------------------------------------------------------------------------

/** Runs both loads against one server, each on a fresh process. */
async function measure(name, idleMax) {
  process.stdout.write(`\n[${name}] ${LABELS[name]}: broadcast…\n`);
  const server = await startPeer(name, 'bench');
  let load1;
  try {
    load1 = await broadcast({ kind: server.kind, urls: [server.url], pids: [server.pid], room: 'bench' });
  } catch (error) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`the server exited (${server.child.exitCode ?? server.child.signalCode}) during the broadcast`, {
        cause: error,
      });
    }
    throw error;
  } finally {
    await stop(server.child);
  }
  process.stdout.write(
    `  delivered ${load1.delivered}/${load1.expected}, p50 ${fmt(load1.latencyMs.p50, 2)} ms, p99 ${fmt(load1.latencyMs.p99, 2)} ms,` +
      ` CPU ${fmt(load1.serverCpuMs, 0)} ms = ${fmt(load1.cpuMsPer1000Deliveries, 2)} ms/1k deliveries\n`,
  );
  warnAboutLimits(name, load1);
  warnAboutLoad(name, load1);
  warnAboutOrder(name, load1);
  warnAboutConnects(name, load1);
  let load2;
  if (idleMax > 0) {
    process.stdout.write(`[${name}] ${idleMax} idle connections…\n`);
    const fresh = await startPeer(name, 'idle');
    try {
      load2 = await idle({ kind: fresh.kind, url: fresh.url, pid: fresh.pid, count: idleMax });
    } finally {
      await stop(fresh.child, 5000);
    }
    process.stdout.write(
      `  ${load2.connections} open (${load2.failed} failed), RSS ${fmt(load2.rssBeforeBytes / 2 ** 20)} → ${fmt(load2.rssAfterBytes / 2 ** 20)} MiB,` +
        ` ${fmt(load2.bytesPerConnection / 1024, 2)} KiB per connection\n`,
    );
  }
  return { label: LABELS[name], ...(server.args ? { args: server.args } : {}), broadcast: load1, idle: load2 };
}

async function compare() {
  const fileLimit = hardFileLimit();
  // Each process holds one descriptor per connection plus a few dozen of its own.
  const idleMax = Math.max(0, Math.min(config.idle, Number.isFinite(fileLimit) ? fileLimit - 200 : config.idle));
  const idlePerProcMax = Number.isFinite(fileLimit) ? fileLimit - 200 : Infinity;
  const idleProcs = Math.max(config.idleProcs, Math.ceil(idleMax / idlePerProcMax));
  config.idleProcs = idleProcs;
  const notes = [];
  if (idleMax < config.idle)
    notes.push(`open-files hard limit ${fileLimit}: idle connections capped at ${idleMax} (asked ${config.idle}).`);

  const info = machine();
  process.stdout.write(
    `bench:server on ${info.nproc} × ${info.cpu}, node ${info.node}\n` +
      `load 1: ${config.clients} clients in one room, ${config.rate} comments/s from ${config.senders} senders for ${config.duration} s` +
      ` (${config.receiverProcs} receiving process${config.receiverProcs > 1 ? 'es' : ''} + 1 sending)\n` +
      `load 2: ${idleMax} idle connections (${idleProcs} processes)\n`,
  );
  if (config.servers.some((s) => s.startsWith('ours'))) {
    const lifted = [...oursLimitFlags(), ...config.oursFlags];
    process.stdout.write(
      `ours runs with: ${lifted.length ? lifted.join(' ') : '(no limit flags in this build; defaults)'}\n`,
    );
    notes.push(`ours limit flags: ${lifted.length ? lifted.join(' ') : 'none available in this build'}`);
  }
  for (const note of notes) process.stdout.write(`note: ${note}\n`);

  const results = {};
  for (const name of config.servers) {
    try {
      results[name] = await measure(name, idleMax);
    } catch (error) {
      // One server failing (or crashing) is a finding about it; the other rows are still measured.
      process.stdout.write(`  ! ${name} failed: ${error?.message ?? error}\n`);
      results[name] = { label: LABELS[name], error: String(error?.message ?? error) };
      process.exitCode = 1;
    }
  }

  const measured = Object.entries(results).filter(([, r]) => r.broadcast);
  const rows = measured.map(([name, r]) => [
    name,
    `${r.broadcast.delivered}/${r.broadcast.expected}`,
    r.broadcast.lost,
    fmt(r.broadcast.latencyMs.p50, 2),
    fmt(r.broadcast.latencyMs.p99, 2),
    fmt(r.broadcast.cpuMsPer1000Deliveries, 2),
    `${fmt(r.broadcast.serverCoreUse[0] * 100, 0)} %`,
    `${fmt(Math.max(...r.broadcast.loadGeneratorCoreUse) * 100, 0)} %`,
    r.idle ? r.idle.connections : 'n/a',
    r.idle ? fmt(r.idle.bytesPerConnection / 1024, 2) : 'n/a',
  ]);
  process.stdout.write(
    `\n${table(rows, ['server', 'delivered', 'lost', 'p50 ms', 'p99 ms', 'CPU ms / 1k deliveries', 'server core', 'busiest load gen', 'idle conns', 'KiB / idle conn'])}\n`,
  );

  const ratios = {};
  for (const ours of ['ours', 'ours-flush0'].filter((n) => results[n]?.broadcast)) {
    for (const peer of ['ws', 'socketio'].filter((n) => results[n]?.broadcast)) {
      const a = results[ours];
      const b = results[peer];
      ratios[`${ours} / ${peer}`] = {
        cpuPerDelivery: ratio(a.broadcast.cpuMsPer1000Deliveries, b.broadcast.cpuMsPer1000Deliveries),
        p50: ratio(a.broadcast.latencyMs.p50, b.broadcast.latencyMs.p50),
        p99: ratio(a.broadcast.latencyMs.p99, b.broadcast.latencyMs.p99),
        memoryPerIdleConnection: ratio(a.idle?.bytesPerConnection, b.idle?.bytesPerConnection),
      };
    }
  }
  if (Object.keys(ratios).length > 0) {
    const ratioRows = Object.entries(ratios).map(([pair, r]) => [
      pair,
      r.cpuPerDelivery,
      r.p50,
      r.p99,
      r.memoryPerIdleConnection,
    ]);
    process.stdout.write(`\n${table(ratioRows, ['ratio', 'CPU / delivery', 'p50', 'p99', 'memory / idle conn'])}\n`);
  }
  const file = save('compare', {
    date: new Date().toISOString(),
    argv: process.argv.slice(2),
    machine: info,
    config,
    notes,
    results,
    ratios,
  });
  process.stdout.write(`\nJSON: ${file}\n`);
}

/** A free loopback port (for redis-server, which cannot be told to pick one and report it). */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function redisMode() {
  if (!/--redis-url\b/.test(oursHelpText())) {
    process.stdout.write(
      'bench:server --redis skipped: this build of danmaku-layer-server has no --redis-url flag yet ' +
        '(the Redis engine is not in this checkout). Nothing was measured.\n',
    );
    return;
  }
  const port = await freePort();
  const redis = await startProgram(
    REDIS_SERVER,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { ready: /Ready to accept connections/ },
  );
  const info = machine();
  process.stdout.write(
    `bench:server --redis on ${info.nproc} × ${info.cpu}, node ${info.node}, redis-server on 127.0.0.1:${port}\n` +
      `${config.clients} clients in one room spread over the instances, ${config.rate} comments/s from ${config.senders} senders for ${config.duration} s\n`,
  );
  const results = {};
  try {
    for (const instances of config.instances) {
      const room = `bench-${instances}-${Date.now()}`;
      process.stdout.write(`\n[${instances} instance${instances > 1 ? 's' : ''}]…\n`);
      const servers = [];
      try {
        for (let i = 0; i < instances; i++)
          servers.push(await startPeer('ours', room, ['--redis-url', `redis://127.0.0.1:${port}`]));
        const result = await broadcast({
          kind: 'ws',
          urls: servers.map((s) => s.url),
          pids: [...servers.map((s) => s.pid), redis.pid],
          room,
        });
        result.redisCpuMs = result.cpuMsPerProcess.at(-1);
        results[instances] = result;
        process.stdout.write(
          `  delivered ${result.delivered}/${result.expected}, p50 ${fmt(result.latencyMs.p50, 2)} ms, p99 ${fmt(result.latencyMs.p99, 2)} ms,` +
            ` ${fmt(result.deliveriesPerSecond, 0)} deliveries/s\n`,
        );
        warnAboutLimits(`${instances} instances`, result);
        warnAboutLoad(`${instances} instances`, result);
        warnAboutOrder(`${instances} instances`, result);
        warnAboutConnects(`${instances} instances`, result);
      } finally {
        await Promise.all(servers.map((s) => stop(s.child)));
      }
    }
  } finally {
    await stop(redis.child);
  }
  const rows = Object.entries(results).map(([n, r]) => [
    n,
    `${r.delivered}/${r.expected}`,
    r.lost,
    r.outOfOrder,
    fmt(r.deliveriesPerSecond, 0),
    fmt(r.latencyMs.p50, 2),
    fmt(r.latencyMs.p99, 2),
    fmt(r.serverCpuMs - r.redisCpuMs, 0),
    fmt(r.redisCpuMs, 0),
    fmt(r.cpuMsPer1000Deliveries, 2),
    `${fmt(Math.max(...r.loadGeneratorCoreUse) * 100, 0)} %`,
  ]);
  process.stdout.write(
    `\n${table(rows, ['instances', 'delivered', 'lost', 'out of order', 'deliveries/s', 'p50 ms', 'p99 ms', 'servers CPU ms', 'redis CPU ms', 'CPU ms / 1k deliveries (all)', 'busiest load gen'])}\n`,
  );
  const file = save('redis', {
    date: new Date().toISOString(),
    argv: process.argv.slice(2),
    machine: info,
    config,
    results,
  });
  process.stdout.write(`\nJSON: ${file}\n`);
}

try {
  if (flags.redis) await redisMode();
  else await compare();
} finally {
  killAll();
}
