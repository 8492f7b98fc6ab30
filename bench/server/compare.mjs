/**
 * The default mode: each server of `--servers` through both loads (load 1 at every `--points`
 * load point), each on a fresh process, then a table of the figures, the ratios of ours to the
 * others at each point, and the JSON of everything.
 */
import { broadcast, idle } from './load-driver.mjs';
import { LABELS } from './peers.mjs';
import { hardFileLimit, stop } from './proc.mjs';
import { fmt, machine, ratio, save, table, warnAbout } from './report.mjs';

/** `1000x100`: how a load point is named in the tables and the JSON. */
export const pointName = (point) => `${point.clients}x${point.rate}`;

/** One broadcast at `point` on a fresh process of the server `name`. */
async function broadcastAt(config, servers, name, point) {
  process.stdout.write(`\n[${name}] ${LABELS[name]}: broadcast, ${point.clients} clients × ${point.rate}/s…\n`);
  const server = await servers.start(name, 'bench');
  let load1;
  try {
    load1 = await broadcast(
      { ...config, clients: point.clients, rate: point.rate },
      { kind: server.kind, urls: [server.url], pids: [server.pid], room: 'bench' },
    );
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
      ` CPU ${fmt(load1.serverCpuMs, 0)} ms = ${fmt(load1.cpuMsPer1000Deliveries, 2)} ms/1k deliveries` +
      ` (kernel ${fmt(load1.kernelCpuMsPer1000Deliveries, 2)}, ${fmt(load1.writesPer1000Deliveries, 0)} writes)\n`,
  );
  warnAbout(name, load1);
  return { args: server.args, load1 };
}

/** Runs both loads against the server `name` (started by `servers`), each on a fresh process. */
async function measure(config, servers, name, idleMax) {
  const points = {};
  let args;
  for (const point of config.points) {
    const run = await broadcastAt(config, servers, name, point);
    points[pointName(point)] = run.load1;
    args ??= run.args;
  }
  let load2;
  if (idleMax > 0) {
    process.stdout.write(`[${name}] ${idleMax} idle connections…\n`);
    const fresh = await servers.start(name, 'idle');
    try {
      load2 = await idle(config, { kind: fresh.kind, url: fresh.url, pid: fresh.pid, count: idleMax });
    } finally {
      await stop(fresh.child, 5000);
    }
    process.stdout.write(
      `  ${load2.connections} open (${load2.failed} failed), RSS ${fmt(load2.rssBeforeBytes / 2 ** 20)} → ${fmt(load2.rssAfterBytes / 2 ** 20)} MiB,` +
        ` ${fmt(load2.bytesPerConnection / 1024, 2)} KiB per connection\n`,
    );
  }
  // `broadcast` is the first load point, as in the JSON of runs with one point.
  return {
    label: LABELS[name],
    ...(args ? { args } : {}),
    broadcast: points[pointName(config.points[0])],
    points,
    idle: load2,
  };
}

/**
 * Measures every server of `config.servers` (started by `servers`, see peers.mjs), prints the
 * tables and writes the JSON into the folder `results`. A server that fails is reported and the
 * others are still measured; the exit code is then 1.
 */
export async function compare(config, servers, results) {
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
  const pointsText = config.points.map((p) => `${p.clients} clients × ${p.rate} comments/s`).join(', then ');
  process.stdout.write(
    `bench:server on ${info.nproc} × ${info.cpu}, node ${info.node}\n` +
      `load 1: ${pointsText}, in one room, from ${config.senders} senders for ${config.duration} s` +
      ` (${config.receiverProcs} receiving process${config.receiverProcs > 1 ? 'es' : ''} + 1 sending)\n` +
      `load 2: ${idleMax} idle connections (${idleProcs} processes)\n`,
  );
  if (config.servers.some((s) => s.startsWith('ours'))) {
    const lifted = [...servers.limitFlags(), ...config.oursFlags];
    process.stdout.write(
      `ours runs with: ${lifted.length ? lifted.join(' ') : '(no limit flags in this build; defaults)'}\n`,
    );
    notes.push(`ours limit flags: ${lifted.length ? lifted.join(' ') : 'none available in this build'}`);
  }
  for (const note of notes) process.stdout.write(`note: ${note}\n`);

  const measured = {};
  for (const name of config.servers) {
    try {
      measured[name] = await measure(config, servers, name, idleMax);
    } catch (error) {
      // One server failing (or crashing) is a finding about it; the other rows are still measured.
      process.stdout.write(`  ! ${name} failed: ${error?.message ?? error}\n`);
      measured[name] = { label: LABELS[name], error: String(error?.message ?? error) };
      process.exitCode = 1;
    }
  }

  const multi = config.points.length > 1;
  const rows = [];
  for (const point of config.points) {
    for (const [name, r] of Object.entries(measured)) {
      const b = r.points?.[pointName(point)];
      if (!b) continue;
      rows.push([
        ...(multi ? [pointName(point)] : []),
        name,
        `${b.delivered}/${b.expected}`,
        b.lost,
        fmt(b.latencyMs.p50, 2),
        fmt(b.latencyMs.p99, 2),
        fmt(b.cpuMsPer1000Deliveries, 2),
        fmt(b.kernelCpuMsPer1000Deliveries, 2),
        fmt(b.writesPer1000Deliveries, 0),
        `${fmt(b.serverCoreUse[0] * 100, 0)} %`,
        `${fmt(Math.max(...b.loadGeneratorCoreUse) * 100, 0)} %`,
        r.idle ? r.idle.connections : 'n/a',
        r.idle ? fmt(r.idle.bytesPerConnection / 1024, 2) : 'n/a',
      ]);
    }
  }
  process.stdout.write(
    `\n${table(rows, [...(multi ? ['clients x rate'] : []), 'server', 'delivered', 'lost', 'p50 ms', 'p99 ms', 'CPU ms / 1k deliveries', 'of it kernel', 'writes / 1k', 'server core', 'busiest load gen', 'idle conns', 'KiB / idle conn'])}\n`,
  );

  // `ratios` keeps the first point's figures under the pair's name (as runs with one point did);
  // `pointRatios` has every point.
  const ratios = {};
  const pointRatios = {};
  for (const point of config.points) {
    const key = pointName(point);
    for (const ours of ['ours', 'ours-flush0'].filter((n) => measured[n]?.points?.[key])) {
      for (const peer of ['ws', 'socketio'].filter((n) => measured[n]?.points?.[key])) {
        const a = measured[ours];
        const b = measured[peer];
        const entry = {
          cpuPerDelivery: ratio(a.points[key].cpuMsPer1000Deliveries, b.points[key].cpuMsPer1000Deliveries),
          p50: ratio(a.points[key].latencyMs.p50, b.points[key].latencyMs.p50),
          p99: ratio(a.points[key].latencyMs.p99, b.points[key].latencyMs.p99),
          memoryPerIdleConnection: ratio(a.idle?.bytesPerConnection, b.idle?.bytesPerConnection),
        };
        (pointRatios[key] ??= {})[`${ours} / ${peer}`] = entry;
        if (point === config.points[0]) ratios[`${ours} / ${peer}`] = entry;
      }
    }
  }
  const ratioRows = [];
  for (const [key, pairs] of Object.entries(pointRatios)) {
    for (const [pair, r] of Object.entries(pairs)) {
      ratioRows.push([...(multi ? [key] : []), pair, r.cpuPerDelivery, r.p50, r.p99, r.memoryPerIdleConnection]);
    }
  }
  if (ratioRows.length > 0) {
    process.stdout.write(
      `\n${table(ratioRows, [...(multi ? ['clients x rate'] : []), 'ratio', 'CPU / delivery', 'p50', 'p99', 'memory / idle conn'])}\n`,
    );
  }
  const file = save(results, 'compare', {
    date: new Date().toISOString(),
    argv: process.argv.slice(2),
    machine: info,
    config,
    notes,
    results: measured,
    ratios,
    pointRatios,
  });
  process.stdout.write(`\nJSON: ${file}\n`);
}
