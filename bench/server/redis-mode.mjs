/**
 * `--redis`: 1, 2, 3… instances of ours on one redis-server started for the run, the room's clients
 * spread over them; CPU time counts every instance and redis-server.
 */
import { createServer } from 'node:net';
import { broadcast } from './load-driver.mjs';
import { startProgram, stop } from './proc.mjs';
import { fmt, machine, save, table, warnAbout } from './report.mjs';

const REDIS_SERVER = '/usr/bin/redis-server';

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

/**
 * Runs the broadcast once for each count of `config.instances` of ours (started by `servers`, see
 * peers.mjs), prints the table and writes the JSON into the folder `results`. Measures nothing
 * when the build has no Redis engine.
 */
export async function redisMode(config, servers, results) {
  if (!/--redis-url\b/.test(servers.help())) {
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
  const measured = {};
  try {
    for (const instances of config.instances) {
      const room = `bench-${instances}-${Date.now()}`;
      process.stdout.write(`\n[${instances} instance${instances > 1 ? 's' : ''}]…\n`);
      const started = [];
      try {
        for (let i = 0; i < instances; i++)
          started.push(await servers.start('ours', room, ['--redis-url', `redis://127.0.0.1:${port}`]));
        const result = await broadcast(config, {
          kind: 'ws',
          urls: started.map((s) => s.url),
          pids: [...started.map((s) => s.pid), redis.pid],
          room,
        });
        result.redisCpuMs = result.cpuMsPerProcess.at(-1);
        measured[instances] = result;
        process.stdout.write(
          `  delivered ${result.delivered}/${result.expected}, p50 ${fmt(result.latencyMs.p50, 2)} ms, p99 ${fmt(result.latencyMs.p99, 2)} ms,` +
            ` ${fmt(result.deliveriesPerSecond, 0)} deliveries/s\n`,
        );
        warnAbout(`${instances} instances`, result);
      } finally {
        await Promise.all(started.map((s) => stop(s.child)));
      }
    }
  } finally {
    await stop(redis.child);
  }
  const rows = Object.entries(measured).map(([n, r]) => [
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
  const file = save(results, 'redis', {
    date: new Date().toISOString(),
    argv: process.argv.slice(2),
    machine: info,
    config,
    results: measured,
  });
  process.stdout.write(`\nJSON: ${file}\n`);
}
