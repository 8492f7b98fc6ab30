// Redis engine benchmark: (1) publishes/s through the publish Lua script, (2) 1 vs 2 vs 3 server
// instances on one Redis: deliveries/s and send→receive latency. Loopback only, bounded in time.
//
//   npm run build && npm run bench:redis
//   BENCH_CLIENTS=300 BENCH_RATE=200 BENCH_SECONDS=5 npm run bench:redis
//
// Prints a Markdown table (paste into docs/deploy.md with the machine's description).
import { cpus } from 'node:os';
import { RedisEngine } from '../packages/server/lib/redis-engine.js';
import { TestRedis } from '../packages/server/lib/testing/redis-server.js';
import { ServerProcess } from '../packages/server/lib/testing/server-process.js';
import { TestClient } from '../packages/server/lib/testing/client.js';

const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 300);
const RATE = Number(process.env.BENCH_RATE ?? 200); // comments per second, whole room
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
const comment = (id, text) => ({ id, text, color: '#ffffff', mode: 'scroll', size: 'medium' });

async function publishThroughput(redis) {
  const engine = new RedisEngine({ url: redis.url });
  await engine.whenReady();
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PUBLISHES) {
        const i = next++;
        const t0 = performance.now();
        await engine.publish(`bench-${i % 16}`, comment(`p${i}`, `comment number ${i}`));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await engine.close();
  latencies.sort((a, b) => a - b);
  return { perSecond: PUBLISHES / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** `count` instances on Redis, or with `redis` undefined one instance on the memory engine (the baseline). */
async function clusterRun(redis, count) {
  const instances = [];
  for (let i = 0; i < count; i++) {
    instances.push(await ServerProcess.start([...(redis ? ['--redis-url', redis.url] : []), '--history-size', '100']));
  }
  const room = `run-${count}-${Date.now()}`;
  const clients = [];
  for (let i = 0; i < CLIENTS; i++) clients.push(await TestClient.connect(instances[i % count].ws, `room=${room}`));
  const latencies = [];
  let delivered = 0;
  for (const client of clients) {
    client.ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type !== 'comments') return;
      const now = Date.now();
      for (const c of message.comments) {
        delivered++;
        latencies.push(now - Number(c.text.split(' ')[1]));
      }
    });
  }
  // One sender per instance, sharing the room's rate.
  const senders = instances.map((_, i) => clients[i]);
  const total = RATE * SECONDS;
  const started = Date.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    senders[i % senders.length].sendComment(`t ${Date.now()}`);
  }
  const expected = total * CLIENTS;
  const deadline = Date.now() + 10_000;
  while (delivered < expected && Date.now() < deadline) await sleep(50);
  const seconds = (Date.now() - started) / 1000;
  for (const client of clients) client.close();
  await Promise.all(instances.map((s) => s.kill()));
  latencies.sort((a, b) => a - b);
  return {
    count: redis ? `${count} on Redis` : '1 in memory',
    delivered,
    expected,
    perSecond: delivered / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const redis = await TestRedis.start();
try {
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
  console.log(`Machine: ${machine}\n`);
  const pub = await publishThroughput(redis);
  console.log(
    `| Publish script (${PUBLISHES} publishes, ${CONCURRENCY} in flight, 16 rooms) | publishes/s | p50 ms | p99 ms |`,
  );
  console.log('|---|---:|---:|---:|');
  console.log(
    `| one RedisEngine → redis-server | ${pub.perSecond.toFixed(0)} | ${pub.p50.toFixed(2)} | ${pub.p99.toFixed(2)} |\n`,
  );
  console.log(
    `| Instances (${CLIENTS} clients in one room, ${RATE} comments/s for ${SECONDS} s) | delivered / expected | deliveries/s | p50 ms | p99 ms |`,
  );
  console.log('|---:|---:|---:|---:|---:|');
  for (const [engine, count] of [
    [undefined, 1],
    [redis, 1],
    [redis, 2],
    [redis, 3],
  ]) {
    const r = await clusterRun(engine, count);
    console.log(`| ${r.count} | ${r.delivered} / ${r.expected} | ${r.perSecond.toFixed(0)} | ${r.p50} | ${r.p99} |`);
  }
} finally {
  await redis.close();
}
