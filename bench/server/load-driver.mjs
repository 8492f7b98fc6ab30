/**
 * Drives the two loads through forked load-generator processes (load.mjs) and measures the server
 * meanwhile: load 1, a broadcast to many clients in one room (deliveries, latency, CPU time), and
 * load 2, idle connections held open (memory per connection).
 */
import { fileURLToPath } from 'node:url';
import { Histogram, nowUs } from './histogram.mjs';
import { cpuMs, cpuTimesMs, forkWorker, rssBytes, stop, writeSyscalls } from './proc.mjs';

const LOAD = fileURLToPath(new URL('./load.mjs', import.meta.url));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A forked load generator with a request/answer helper; `env` is added to its environment. */
export function loadWorker(env) {
  const child = forkWorker(LOAD, [], { env });
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
export function split(n, parts) {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0)).filter((c) => c > 0);
}

/**
 * Load 1: `config.clients` in one room (spread over `urls`), `config.rate` comments/s from
 * `config.senders` of them. `pids` are the processes whose CPU time counts as the server's.
 */
export async function broadcast(config, { kind, urls, pids, room }) {
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

    const cpuBefore = pids.map(cpuTimesMs);
    const writesBefore = pids.map(writeSyscalls);
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
    const cpuAfter = pids.map(cpuTimesMs);
    const writesAfter = pids.map(writeSyscalls);
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
    const cpuTotal = ({ user, system }) => user + system;
    const cpu = cpuAfter.map((after, i) => cpuTotal(after) - cpuTotal(cpuBefore[i]));
    const serverCpu = cpu.reduce((a, b) => a + b, 0);
    const kernelCpu = cpuAfter.reduce((sum, after, i) => sum + after.system - cpuBefore[i].system, 0);
    const writes = writesAfter.reduce((sum, after, i) => sum + after - writesBefore[i], 0);
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
      // The part of it spent in the kernel: on loopback, mostly the TCP path of each write (the
      // receiving side's included), which no change in user space lowers, only fewer writes.
      kernelCpuMsPer1000Deliveries: delivered > 0 ? (kernelCpu / delivered) * 1000 : NaN,
      // Write system calls the server(s) made per 1,000 deliveries (NaN without /proc/<pid>/io).
      writesPer1000Deliveries: delivered > 0 ? (writes / delivered) * 1000 : NaN,
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
export async function steadyRss(pid, samples = 5, gap = 300) {
  const values = [];
  for (let i = 0; i < samples; i++) {
    values.push(rssBytes(pid));
    if (i < samples - 1) await sleep(gap);
  }
  values.sort((a, b) => a - b);
  return values[Math.floor(values.length / 2)];
}

/** Load 2: `count` idle connections to a fresh server; server RSS growth per connection. */
export async function idle(config, { kind, url, pid, count }) {
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
