#!/usr/bin/env node
/**
 * `npm run bench:server`: danmaku-layer-server against a minimal `ws` broadcast loop and a
 * socket.io room, on the same machine with the same load generator. Each server runs as its own
 * process, so its CPU time and memory are read from /proc without the load generator's.
 *
 *   node bench/server/run.mjs [--clients 1000] [--rate 100] [--duration 10] [--idle 10000] ...
 *   node bench/server/run.mjs --redis     (1 vs 2 vs 3 instances of ours on one redis-server)
 *   node bench/server/run.mjs --connections 50000 [--idle-seconds 60]   (what one process holds)
 *
 * Loopback only, bounded in count and time; every child is killed when the run ends or fails.
 * The parts: options.mjs (flags), peers.mjs (the servers), load-driver.mjs (the loads and what is
 * measured), compare.mjs, connections.mjs and redis-mode.mjs (the three modes), report.mjs (tables, JSON, warnings),
 * load.mjs (the load-generator process), proc.mjs (child processes, /proc).
 */
import { compare } from './compare.mjs';
import { connectionsMode } from './connections.mjs';
import { parseOptions } from './options.mjs';
import { peers } from './peers.mjs';
import { guardChildren, killAll } from './proc.mjs';
import { redisMode } from './redis-mode.mjs';

const { config, bin, results, redis, connections } = parseOptions(process.argv.slice(2));

guardChildren();
setTimeout(() => {
  process.stderr.write(`bench:server: aborted after --timeout ${config.timeout} s.\n`);
  killAll();
  process.exit(1);
}, config.timeout * 1000).unref();

const servers = peers(bin, config.oursFlags, { cpuProfileDir: config.cpuProfileDir });
try {
  if (redis) await redisMode(config, servers, results);
  else if (connections) await connectionsMode(config, servers, results);
  else await compare(config, servers, results);
} finally {
  killAll();
}
