#!/usr/bin/env node
/**
 * `npm run soak`: the server (the CLI bin) and a Chromium page with a <danmaku-layer>, for a long
 * run at a steady comment rate, with rooms churning and the server restarted on a schedule. Prints
 * the server's heap, the page's heap and its DOM node count over time, and checks that every
 * acknowledged comment reached the page.
 *
 *   npm run soak                          (10 minutes, 60 comments/s, restart every 2 minutes)
 *   npm run soak -- --minutes 2           (a shorter run)
 *
 * Loopback only; bounded in time; every child (server, redis-server, Chromium) is stopped at the end.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { guardChildren, killAll } from '../server/proc.mjs';
import { openViewer } from './page.mjs';
import { startChurn, startSenders } from './load.mjs';
import { SoakServer, freePort, startRedis } from './server.mjs';
import { report } from './report.mjs';

const HELP = `Usage: npm run soak -- [options]

  --minutes <n>        length of the run (default 10)
  --rate <n>           comments per second into the watched room (default 60)
  --senders <n>        sending connections sharing that rate (default 4)
  --churn <n>          new rooms opened per second, one comment each (default 2)
  --restart-every <s>  seconds between graceful server restarts (default 120; 0 = never)
  --sample-every <s>   seconds between measurements (default 15)
  --engine <name>      redis (default: history survives restarts) or memory
  --history-age <ms>   the server's --history-age and --dedupe-window (default 60000)
  --json <file>        also write every sample and count to this file
`;

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '60' },
    senders: { type: 'string', default: '4' },
    churn: { type: 'string', default: '2' },
    'restart-every': { type: 'string', default: '120' },
    'sample-every': { type: 'string', default: '15' },
    engine: { type: 'string', default: 'redis' },
    'history-age': { type: 'string', default: '60000' },
    json: { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const minutes = Number(values.minutes);
const rate = Number(values.rate);
const senderCount = Number(values.senders);
const churnRate = Number(values.churn);
const restartEvery = Number(values['restart-every']) * 1000;
const sampleEvery = Number(values['sample-every']) * 1000;
const historyAge = Number(values['history-age']);
if (
  ![minutes, rate, senderCount, churnRate, restartEvery, sampleEvery, historyAge].every(
    (n) => Number.isFinite(n) && n >= 0,
  ) ||
  !['redis', 'memory'].includes(values.engine)
) {
  process.stderr.write(HELP);
  process.exit(2);
}

guardChildren();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const ROOM = 'soak';

const redis = values.engine === 'redis' ? await startRedis() : undefined;
const port = await freePort();
const server = new SoakServer(port, [
  // Room for the soak's own rate from one address; every other limit stays at its default.
  '--rate-limit',
  String(Math.ceil((rate / senderCount) * 2)),
  '--rate-burst',
  String(Math.ceil(rate * 5)),
  '--ip-rate-limit',
  String(rate * 2),
  '--ip-rate-burst',
  String(rate * 10),
  '--history-age',
  String(historyAge),
  '--dedupe-window',
  String(historyAge),
  ...(redis ? ['--redis-url', redis.url] : []),
]);
await server.start();

const delivered = new Set();
const viewer = await openViewer(port, ROOM, (ids) => {
  for (const id of ids) delivered.add(id);
});
const senders = await startSenders(port, ROOM, senderCount, rate);
const churn = startChurn(port, churnRate);
const started = Date.now();
const elapsed = () => (Date.now() - started) / 1000;

const samples = [];
async function sample(label = '') {
  const [memory, page, engineRooms] = await Promise.all([
    server.memory(),
    viewer.measure(),
    server.metric('danmaku_engine_rooms'),
  ]);
  const row = {
    t: Math.round(elapsed()),
    serverHeap: memory?.heap,
    serverRss: memory?.rss,
    pageHeap: page.heap,
    domNodes: page.nodes,
    engineRooms,
    sent: senders.sent,
    acked: senders.acked().length,
    delivered: delivered.size,
    churned: churn.stats.acked,
    restarts: server.restarts,
    label,
  };
  samples.push(row);
  process.stderr.write(`${JSON.stringify(row)}\n`);
}

const end = started + minutes * 60_000;
let nextSample = started + sampleEvery;
let nextRestart = restartEvery > 0 ? started + restartEvery : Infinity;
await sample('start');
while (Date.now() < end) {
  await sleep(Math.max(0, Math.min(nextSample, nextRestart, end) - Date.now()));
  if (Date.now() >= nextRestart && Date.now() < end) {
    // Measured just before the restart: the heap a long-running process reached.
    await sample('before restart');
    await server.restart();
    nextRestart += restartEvery;
  }
  if (Date.now() >= nextSample && Date.now() < end) {
    await sample();
    nextSample += sampleEvery;
  }
}

senders.stopSending();
churn.stop();
// Everything sent must be answered and every acknowledged comment must reach the page.
const settle = Date.now() + 60_000;
const missing = () => senders.acked().filter((id) => !delivered.has(id));
while ((senders.unacked() > 0 || missing().length > 0) && Date.now() < settle) await sleep(500);
await sleep(churnRate > 0 ? 1000 : 0);
await sample('end');

const result = {
  date: new Date().toISOString(),
  command: `npm run soak -- ${process.argv.slice(2).join(' ')}`.trim(),
  settings: {
    minutes,
    rate,
    senders: senderCount,
    churn: churnRate,
    restartEvery: restartEvery / 1000,
    engine: values.engine,
    historyAge,
  },
  samples,
  sent: senders.sent,
  acked: senders.acked().length,
  unacked: senders.unacked(),
  missing: missing(),
  errors: senders.errors().map((e) => e.code),
  churn: churn.stats,
  pageStatus: await viewer.status(),
  pageResets: await viewer.resets(),
};
const seen = senders.seenBySenders();
result.missingForSenders = senders.acked().filter((id) => !seen(id)).length;
result.missingSeqs = result.missing.slice(0, 50).map((id) => [id, senders.ackSeq(id)]);
if (values.json) writeFileSync(values.json, JSON.stringify(result, null, 2));
process.stdout.write(report(result));

senders.stop();
await viewer.close();
await server.stop();
killAll();
process.exit(result.missing.length === 0 && result.unacked === 0 ? 0 : 1);
