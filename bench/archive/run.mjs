// Archive benchmark, two parts:
//
// - stores: a room of 1,000,000 time-coded comments (a two-hour video) in SQLite and in PostgreSQL
//   (a throwaway server, as in the tests; skipped when its binaries are missing). Measures import
//   rows/s, the live write path (reserve + confirm) rows/s, and p50/p99 of a 30-second window read,
//   in the store and through the HTTP read API.
// - page: in Chromium, a `<danmaku-layer archive>` bound to a real <audio> against a real server
//   with a SQLite room of 100,000 comments: play() and seeks to the first comment drawn, and page
//   memory while the media plays through every comment at 16× speed (see page.mjs).
//
//   npm run bench:archive                         # both parts (builds the widget first)
//   npm run bench:archive -- --count 100000       # a smaller store room (or BENCH_ARCHIVE_COUNT)
//   npm run bench:archive -- --parts page         # one part: stores or page (or BENCH_ARCHIVE_PARTS)
//   npm run bench:archive -- --page-count 100000 --rate 16   # the page's room, the play-through speed
//
// Prints Markdown tables (paste into docs/benchmarks.md with the machine's description).
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createDanmakuServer } from '../../packages/server/lib/server.js';
import { openSqliteArchive } from '../../packages/server/lib/archive/sqlite-archive.js';
import { openPostgresArchive } from '../../packages/server/lib/archive/postgres-archive.js';
import { TestPostgres, postgresMissing } from '../../packages/server/lib/testing/postgres-server.js';
import { measurePage, printPage } from './page.mjs';

const { values } = parseArgs({
  options: {
    count: { type: 'string' },
    windows: { type: 'string' },
    parts: { type: 'string' },
    'page-count': { type: 'string' },
    rate: { type: 'string' },
  },
  allowPositionals: false,
});
const PARTS = (values.parts ?? process.env.BENCH_ARCHIVE_PARTS ?? 'stores,page').split(',').map((s) => s.trim());
for (const part of PARTS) if (!['stores', 'page'].includes(part)) throw new Error(`--parts: unknown part "${part}"`);
const PAGE_COUNT = Number(values['page-count'] ?? 100_000);
const RATE = Number(values.rate ?? 16);
if (!Number.isSafeInteger(PAGE_COUNT) || PAGE_COUNT < 10_000)
  throw new Error('--page-count must be an integer ≥ 10000');
if (!(RATE > 0 && RATE <= 16)) throw new Error('--rate must be in (0, 16] (Chromium plays media up to 16×)');
const COUNT = Number(values.count ?? process.env.BENCH_ARCHIVE_COUNT ?? 1_000_000);
const WINDOWS = Number(values.windows ?? process.env.BENCH_ARCHIVE_WINDOWS ?? 500);
const LIVE_WRITES = Math.min(20_000, COUNT);
const VIDEO = 7200; // seconds of media time the comments spread over
const WINDOW = 30; // seconds per read, as the widget asks
const LIMIT = 1000; // comments per read, as the widget asks
const BATCH = 10_000;
if (!Number.isSafeInteger(COUNT) || COUNT < 1000) throw new Error('--count must be an integer ≥ 1000');

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const ms = (x) => `${x.toFixed(2)} ms`;
const colors = ['#ffffff', '#ff5555', '#55ff55', '#5555ff', '#ffff00'];
const modes = ['scroll', 'scroll', 'scroll', 'top', 'bottom'];

/** The i-th comment: a pseudo-random media time, text of 8–40 characters. */
function comment(i) {
  const time = Math.round((((i * 2654435761) % 1_000_003) / 1_000_003) * VIDEO * 1000) / 1000;
  return {
    id: `bench:${i}`,
    text: `comment ${i} ${'好'.repeat(i % 30)}`,
    color: colors[i % colors.length],
    mode: modes[i % modes.length],
    size: 'medium',
    time,
  };
}

async function measure(name, archive) {
  const room = 'bench-room';
  // Import, in batches as the import command gives them (one transaction / statement per batch).
  const started = performance.now();
  for (let start = 0; start < COUNT; start += BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(COUNT, start + BATCH); i++) batch.push(comment(i));
    await archive.importComments(room, batch, Date.now());
    if (start % 200_000 === 0) process.stderr.write(`${name}: ${start.toLocaleString('en-US')} imported\n`);
  }
  const importSeconds = (performance.now() - started) / 1000;

  // The live path: each comment reserved before its publish and confirmed after, one at a time.
  const liveStarted = performance.now();
  for (let i = 0; i < LIVE_WRITES; i++) {
    const c = { ...comment(COUNT + i), id: `live:${i}` };
    await archive.reserve(room, c, Date.now());
    await archive.confirm(room, c.id, i + 1, Date.now());
  }
  const liveSeconds = (performance.now() - liveStarted) / 1000;

  // Window reads at random places of the video, in the store.
  const store = [];
  let rows = 0;
  for (let i = 0; i < WINDOWS; i++) {
    const from = Math.random() * (VIDEO - WINDOW);
    const t0 = performance.now();
    const page = await archive.window(room, { from, to: from + WINDOW, limit: LIMIT });
    store.push(performance.now() - t0);
    rows += page.comments.length;
  }
  store.sort((a, b) => a - b);

  // The same through the HTTP read API (JSON, gzip), as the widget reads it.
  const danmaku = await createDanmakuServer({ archive, logLevel: 'silent', readRateLimit: 0 });
  const { port } = await danmaku.listen(0, '127.0.0.1');
  const http = [];
  for (let i = 0; i < WINDOWS; i++) {
    const from = Math.random() * (VIDEO - WINDOW);
    const t0 = performance.now();
    const res = await fetch(
      `http://127.0.0.1:${port}/rooms/${room}/comments?from=${from}&to=${from + WINDOW}&limit=${LIMIT}`,
      {
        headers: { 'accept-encoding': 'gzip' },
      },
    );
    await res.arrayBuffer();
    http.push(performance.now() - t0);
  }
  http.sort((a, b) => a - b);
  await danmaku.close();
  return {
    name,
    importRate: COUNT / importSeconds,
    liveRate: LIVE_WRITES / liveSeconds,
    rowsPerWindow: rows / WINDOWS,
    store: [percentile(store, 50), percentile(store, 99)],
    http: [percentile(http, 50), percentile(http, 99)],
  };
}

/** Both stores, one after the other; resolves with their figures. */
async function measureStores() {
  const results = [];
  const dir = mkdtempSync(join(tmpdir(), 'danmaku-bench-archive-'));
  try {
    const sqlite = await openSqliteArchive({ dataDir: dir });
    try {
      results.push(await measure('SQLite (WAL)', sqlite));
    } finally {
      await sqlite.close();
    }
    const missing = postgresMissing();
    if (missing) {
      process.stderr.write(`PostgreSQL skipped: ${missing}\n`);
    } else {
      const pg = await TestPostgres.start();
      try {
        const archive = await openPostgresArchive({ url: pg.url });
        try {
          results.push(await measure('PostgreSQL', archive));
        } finally {
          await archive.close();
        }
      } finally {
        await pg.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

function printStores(results) {
  const rate = (x) => `${Math.round(x).toLocaleString('en-US')}/s`;
  console.log(
    `\n${COUNT.toLocaleString('en-US')} comments in one room over ${VIDEO / 3600} h of media; ${WINDOWS} reads of ${WINDOW} s windows (limit ${LIMIT})\n`,
  );
  console.log(
    '| store | import | live write (reserve + confirm) | rows per window | window read p50 / p99 | HTTP read p50 / p99 |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.name} | ${rate(r.importRate)} | ${rate(r.liveRate)} | ${Math.round(r.rowsPerWindow)} | ${ms(r.store[0])} / ${ms(r.store[1])} | ${ms(r.http[0])} / ${ms(r.http[1])} |`,
    );
  }
}

console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`);
if (PARTS.includes('stores')) printStores(await measureStores());
if (PARTS.includes('page'))
  printPage(await measurePage({ count: PAGE_COUNT, rate: RATE, log: (line) => process.stderr.write(`${line}\n`) }));
