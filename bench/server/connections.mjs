/**
 * `--connections <n>` (`npm run bench:connections`): how many connections one server process
 * holds. For each server of `--servers` (ours and the `ws` loop by default), on a fresh process:
 *
 *   1. <n> − --clients idle connections, spread over several 127.0.0.x source addresses (each has
 *      its own ~28,000 ephemeral ports) and several load-generator processes;
 *   2. held for --idle-seconds with heartbeats on (both servers at --heartbeat ms): server CPU
 *      meanwhile is the heartbeats' cost; memory before and after, per idle connection;
 *   3. then --clients more connections join a room and receive --rate comments/s for --duration s,
 *      the idle ones still open: delivered, p50/p99, CPU per 1,000 deliveries.
 *
 * Memory comes from the server process only: RSS from /proc, the live heap from a probe preloaded
 * into it (memory-probe.cjs: full GC, then `process.memoryUsage()`, on SIGUSR2).
 */
import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { broadcast, loadWorker, split, steadyRss } from './load-driver.mjs';
import { LABELS } from './peers.mjs';
import { childFileLimit, cpuMs, hardFileLimit, rssBytes, stop } from './proc.mjs';
import { fmt, machine, ratio, save, table, warnAbout } from './report.mjs';

const PROBE = fileURLToPath(new URL('./memory-probe.cjs', import.meta.url));
/** Descriptors a process needs besides its connections (its own files, pipes, listening socket). */
const SPARE_FILES = 200;
/** Connections per source address: below the ~28,000 ports of the default ip_local_port_range. */
const PER_SOURCE_ADDRESS = 25_000;

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * Asks the probe in server `pid` for its memory figures (after a full GC). Waits up to `timeout`
 * ms: with --heap-snapshots the answer waits for the snapshot to be written.
 */
async function probe(pid, file, timeout = 120_000) {
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  const end = Date.now() + timeout;
  while (!existsSync(file)) {
    if (Date.now() > end) throw new Error(`the memory probe of ${pid} did not answer within ${timeout} ms`);
    await sleep(50);
  }
  return { ...JSON.parse(readFileSync(file, 'utf8')), rss: rssBytes(pid) };
}

/**
 * The plan of a run: how many connections the open-files limits allow, over how many source
 * addresses and load processes, with which environment (BENCH_FILE_LIMIT raises the limit where
 * that is allowed; see proc.mjs).
 */
export function plan(config) {
  const wanted = config.connections + SPARE_FILES;
  const env = wanted > hardFileLimit() ? { BENCH_FILE_LIMIT: String(wanted) } : {};
  const serverFiles = childFileLimit(env) ?? hardFileLimit();
  const notes = [];
  let connections = config.connections;
  if (serverFiles < wanted) {
    connections = Math.max(config.clients + 1, serverFiles - SPARE_FILES);
    notes.push(
      `open-files limit ${serverFiles} (hard limit; raising it needs root with CAP_SYS_RESOURCE, see docs/deploy.md): ` +
        `connections capped at ${connections} (asked ${config.connections}).`,
    );
  }
  const idle = connections - config.clients;
  const perProc = Math.max(1, serverFiles - SPARE_FILES);
  const procs = Math.max(config.connectProcs, Math.ceil(idle / perProc));
  const addressCount = config.sourceAddresses || Math.max(2, Math.ceil(connections / PER_SOURCE_ADDRESS));
  const sourceAddresses = Array.from({ length: addressCount }, (_, i) => `127.0.0.${i + 2}`);
  return { env, serverFiles, connections, idle, procs, sourceAddresses, notes };
}

/** The connections run against server `name`: idle phase, then the broadcast among them. */
async function measure(config, servers, name, run) {
  process.stdout.write(`\n[${name}] ${LABELS[name]}: ${run.idle} idle connections…\n`);
  const probeFile = join(tmpdir(), `bench-memory-probe-${process.pid}-${name}.json`);
  const env = { ...run.env, BENCH_MEMORY_PROBE: probeFile };
  if (config.heapSnapshots) {
    const dir = resolve(config.heapSnapshots, name);
    mkdirSync(dir, { recursive: true });
    env.BENCH_HEAP_SNAPSHOT_DIR = dir;
  }
  const extra = name.startsWith('ours') ? ['--heartbeat-interval', String(config.heartbeat)] : [];
  const server = await servers.start(name, 'idle', extra, {
    nodeArgs: ['--require', PROBE],
    env,
    heartbeat: config.heartbeat,
  });
  const workers = split(run.idle, run.procs).map((count) => ({ worker: loadWorker(run.env), count }));
  try {
    await sleep(1000);
    const before = await probe(server.pid, probeFile);
    const rssBefore = await steadyRss(server.pid);
    const connectStart = Date.now();
    let offset = 0;
    const connected = await Promise.all(
      workers.map(({ worker, count }) => {
        const request = {
          kind: server.kind,
          urls: [server.url],
          room: 'idle',
          count,
          offset,
          total: 0,
          concurrency: config.concurrency,
          localAddresses: run.sourceAddresses,
        };
        offset += count;
        return worker.ask('connect', 'connected', request);
      }),
    );
    const connectSeconds = (Date.now() - connectStart) / 1000;
    const ok = connected.reduce((sum, c) => sum + (c.ok ?? 0), 0);
    const failed = connected.reduce((sum, c) => sum + (c.failed ?? 0), 0);
    const firstError = connected.find((c) => c.firstError)?.firstError;
    process.stdout.write(
      `  ${ok} open (${failed} failed${firstError ? `: ${firstError}` : ''}) in ${fmt(connectSeconds)} s; idle for ${config.idleSeconds} s…\n`,
    );
    await sleep(2000);
    const open = await probe(server.pid, probeFile);

    const cpuBefore = cpuMs(server.pid);
    const idleStart = Date.now();
    await sleep(config.idleSeconds * 1000);
    const idleCpuMs = cpuMs(server.pid) - cpuBefore;
    const idleSeconds = (Date.now() - idleStart) / 1000;
    const rssIdle = await steadyRss(server.pid);
    const held = await probe(server.pid, probeFile);
    const reports = await Promise.all(workers.map(({ worker }) => worker.ask('report', 'report')));
    const closed = reports.reduce((sum, r) => sum + Object.values(r.closes ?? {}).reduce((a, b) => a + b, 0), 0);
    const per = (bytes) => (ok > 0 ? bytes / ok : NaN);
    const rounds = config.heartbeat > 0 ? idleSeconds / (config.heartbeat / 1000) : 0;
    const idle = {
      attempted: run.idle,
      connections: ok,
      failed,
      ...(firstError ? { firstError } : {}),
      closedWhileIdle: closed,
      connectSeconds,
      sourceAddresses: run.sourceAddresses.length,
      loadProcesses: run.procs,
      memory: { before, open, held, rssBefore, rssIdle },
      rssBytesPerConnection: per(rssIdle - rssBefore),
      heapBytesPerConnection: per(held.heapUsed - before.heapUsed),
      externalBytesPerConnection: per(held.external - before.external),
      idleSeconds,
      heartbeatRounds: rounds,
      idleCpuMs,
      // Heartbeat CPU, as ms of CPU per second per 10,000 idle connections (1 ms/s = 0.1 % of a core).
      heartbeatCpuMsPerSecondPer10k: ok > 0 ? idleCpuMs / idleSeconds / (ok / 10_000) : NaN,
      heartbeatCpuMsPerRoundPer10k: ok > 0 && rounds > 0 ? idleCpuMs / rounds / (ok / 10_000) : NaN,
    };
    process.stdout.write(
      `  RSS ${fmt(rssBefore / 2 ** 20)} → ${fmt(rssIdle / 2 ** 20)} MiB = ${fmt(idle.rssBytesPerConnection / 1024, 2)} KiB per connection;` +
        ` live heap ${fmt(before.heapUsed / 2 ** 20)} → ${fmt(held.heapUsed / 2 ** 20)} MiB = ${fmt(idle.heapBytesPerConnection / 1024, 2)} KiB per connection;` +
        ` idle CPU ${fmt(idleCpuMs, 0)} ms in ${fmt(idleSeconds, 0)} s (${fmt(rounds, 1)} heartbeat rounds)` +
        ` = ${fmt(idle.heartbeatCpuMsPerSecondPer10k, 2)} ms/s per 10k connections; ${closed} closed while idle\n`,
    );

    process.stdout.write(`[${name}] broadcast to ${config.clients} of them, ${config.rate}/s, the others idle…\n`);
    const benchUrl = server.url.replace('room=idle', 'room=bench');
    let load1;
    try {
      load1 = await broadcast(config, { kind: server.kind, urls: [benchUrl], pids: [server.pid], room: 'bench' });
    } catch (error) {
      if (server.child.exitCode !== null || server.child.signalCode !== null) {
        throw new Error(
          `the server exited (${server.child.exitCode ?? server.child.signalCode}) during the broadcast`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    process.stdout.write(
      `  delivered ${load1.delivered}/${load1.expected}, p50 ${fmt(load1.latencyMs.p50, 2)} ms, p99 ${fmt(load1.latencyMs.p99, 2)} ms,` +
        ` CPU ${fmt(load1.cpuMsPer1000Deliveries, 2)} ms/1k deliveries\n`,
    );
    warnAbout(name, load1);
    return { label: LABELS[name], ...(server.args ? { args: server.args } : {}), idle, broadcast: load1 };
  } finally {
    await Promise.all(workers.map(({ worker }) => worker.close()));
    await stop(server.child, 5000);
    rmSync(probeFile, { force: true });
  }
}

/**
 * Runs the connections mode for every server of `config.servers` (started by `servers`, see
 * peers.mjs), prints the tables and writes the JSON into the folder `results`.
 */
export async function connectionsMode(config, servers, results) {
  const run = plan(config);
  const info = machine();
  process.stdout.write(
    `bench:server --connections on ${info.nproc} × ${info.cpu}, node ${info.node}\n` +
      `${run.connections} connections per server: ${run.idle} idle from ${run.sourceAddresses.join(', ')} over ${run.procs} load processes,` +
      ` heartbeats every ${config.heartbeat} ms, held ${config.idleSeconds} s;` +
      ` then ${config.clients} more receive ${config.rate} comments/s for ${config.duration} s\n` +
      `open-files limit of each process: ${run.serverFiles}\n`,
  );
  if (config.servers.some((s) => s.startsWith('ours'))) {
    const lifted = [...servers.limitFlags(), ...config.oursFlags];
    process.stdout.write(
      `ours runs with: ${lifted.join(' ') || '(defaults)'} --heartbeat-interval ${config.heartbeat}\n`,
    );
  }
  for (const note of run.notes) process.stdout.write(`note: ${note}\n`);

  const measured = {};
  for (const name of config.servers) {
    try {
      measured[name] = await measure(config, servers, name, run);
    } catch (error) {
      process.stdout.write(`  ! ${name} failed: ${error?.message ?? error}\n`);
      measured[name] = { label: LABELS[name], error: String(error?.message ?? error) };
      process.exitCode = 1;
    }
  }

  const rows = Object.entries(measured)
    .filter(([, r]) => r.idle)
    .map(([name, { idle, broadcast: b }]) => [
      name,
      idle.connections + b.clients,
      idle.failed + b.connectFailures,
      idle.closedWhileIdle,
      fmt(idle.rssBytesPerConnection / 1024, 2),
      fmt(idle.heapBytesPerConnection / 1024, 2),
      fmt(idle.heartbeatCpuMsPerSecondPer10k, 2),
      fmt(idle.heartbeatCpuMsPerRoundPer10k, 1),
      `${b.delivered}/${b.expected}`,
      fmt(b.latencyMs.p50, 2),
      fmt(b.latencyMs.p99, 2),
      fmt(b.cpuMsPer1000Deliveries, 2),
    ]);
  process.stdout.write(
    `\n${table(rows, [
      'server',
      'connections',
      'failed',
      'closed idle',
      'RSS KiB / idle conn',
      'heap KiB / idle conn',
      'heartbeat CPU ms/s per 10k',
      'ms per round per 10k',
      'delivered',
      'p50 ms',
      'p99 ms',
      'CPU ms / 1k deliveries',
    ])}\n`,
  );

  const ratios = {};
  for (const ours of ['ours', 'ours-flush0'].filter((n) => measured[n]?.idle)) {
    for (const peer of ['ws', 'socketio'].filter((n) => measured[n]?.idle)) {
      const a = measured[ours];
      const b = measured[peer];
      ratios[`${ours} / ${peer}`] = {
        rssPerIdleConnection: ratio(a.idle.rssBytesPerConnection, b.idle.rssBytesPerConnection),
        heapPerIdleConnection: ratio(a.idle.heapBytesPerConnection, b.idle.heapBytesPerConnection),
        heartbeatCpu: ratio(a.idle.heartbeatCpuMsPerSecondPer10k, b.idle.heartbeatCpuMsPerSecondPer10k),
        p99: ratio(a.broadcast.latencyMs.p99, b.broadcast.latencyMs.p99),
        cpuPerDelivery: ratio(a.broadcast.cpuMsPer1000Deliveries, b.broadcast.cpuMsPer1000Deliveries),
      };
    }
  }
  const ratioRows = Object.entries(ratios).map(([pair, r]) => [
    pair,
    r.rssPerIdleConnection,
    r.heapPerIdleConnection,
    r.heartbeatCpu,
    r.p99,
    r.cpuPerDelivery,
  ]);
  if (ratioRows.length > 0) {
    process.stdout.write(
      `\n${table(ratioRows, ['ratio', 'RSS / idle conn', 'heap / idle conn', 'heartbeat CPU', 'p99', 'CPU / delivery'])}\n`,
    );
  }
  const file = save(results, 'connections', {
    date: new Date().toISOString(),
    argv: process.argv.slice(2),
    machine: info,
    config,
    plan: { ...run, env: undefined },
    notes: run.notes,
    results: measured,
    ratios,
  });
  process.stdout.write(`\nJSON: ${file}\n`);
}
