#!/usr/bin/env node
/**
 * `npm run bench:widget`: renders the same comment stream with `<danmaku-layer>`, danmaku (DOM and
 * canvas engines) and danmu.js in one headless Chromium, prints a table and writes a JSON result.
 *
 * Flags (environment fallback in brackets):
 *   --libs harness,one-animation,ours,ours-canvas,danmaku-dom,danmaku-canvas,danmu.js,danmu.js-realtime
 *                                                      libraries to run [BENCH_LIBS]; harness: the page alone;
 *                                                      one-animation: the page and one element moved by the
 *                                                      compositor, nothing drawn (what any CSS animation costs)
 *   --rates 15,60,200                                  comments/s                   [BENCH_RATES]
 *   --seconds 10                                       measured window per run, s   [BENCH_SECONDS]
 *   --warmup 8                                         feeding before the window, s [BENCH_WARMUP]
 *   --sample-ms 250                                    box sampling period (separate pass), ms
 *   --seed 20241125                                    workload seed
 *   --out FILE                                         JSON result; default bench/results/widget-<time>.json
 *   --chromium /usr/bin/chromium                       browser binary               [CHROMIUM]
 *   --screenshots                                      save a PNG of each stage at the end of its sampling pass
 *   --cpu-throttle 4                                   slow the page's CPU this many times, as DevTools'
 *                                                      throttling does (a slow phone) [BENCH_CPU_THROTTLE]
 *   --frame-loop on                                    off: the page runs no requestAnimationFrame loop of its
 *                                                      own (a page that only plays a video); frames are then
 *                                                      not timed. Chromium restyles running animations on
 *                                                      every frame a page asks for, so compositor-driven
 *                                                      animation costs the main thread only with the loop
 *                                                      [BENCH_FRAME_LOOP]
 *   --baseline DIR                                     the dist directory of another build of the widget (e.g.
 *                                                      another checkout's packages/widget/dist, built): adds
 *                                                      the libraries ours@baseline and ours-canvas@baseline
 *   --repeat 1                                         rounds over the libraries, in turn (harness, ours,
 *                                                      ours@baseline, harness, ours, …): the report then adds
 *                                                      each one's main CPU per round, net of that round's harness,
 *                                                      and its ratio and target tables compare the rounds' means
 *   --cold-runs 5                                      cold starts of <danmaku-layer> per renderer (fresh
 *                                                      context each: script tag → first comment drawn, and
 *                                                      the entry's parse + compile from V8's trace); 0 skips
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import { startPageServer } from './server.mjs';
import { STAGE } from './workload.mjs';
import { laneCapacity, summarizeFrames, summarizeSamples } from './stats.mjs';
import { printReport } from './report.mjs';
import { coldStart } from './cold-start.mjs';
import { missingFonts, missingFontsWarning } from '../../scripts/fonts.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LIBS = [
  'harness',
  'one-animation',
  'ours',
  'ours-canvas',
  'danmaku-dom',
  'danmaku-canvas',
  'danmu.js',
  'danmu.js-realtime',
];
/** Another build of ours, served from `--baseline`. */
const BASELINE_LIBS = ['ours@baseline', 'ours-canvas@baseline'];
/** Share of scroll comments in the workload (the rest is top/bottom). */
const SCROLL_SHARE = 0.8;

/** A bad flag is one line on stderr and exit code 2, like the server's CLI; no stack trace. */
function fail(message) {
  console.error(`bench:widget: ${message} (--help lists the flags)`);
  process.exit(2);
}

let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      libs: { type: 'string', default: process.env.BENCH_LIBS ?? LIBS.join(',') },
      rates: { type: 'string', default: process.env.BENCH_RATES ?? '15,60,200' },
      seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '10' },
      warmup: { type: 'string', default: process.env.BENCH_WARMUP ?? '8' },
      'sample-ms': { type: 'string', default: '250' },
      seed: { type: 'string', default: '20241125' },
      out: { type: 'string' },
      chromium: { type: 'string', default: process.env.CHROMIUM ?? CHROMIUM_PATH },
      screenshots: { type: 'boolean', default: false },
      'cpu-throttle': { type: 'string', default: process.env.BENCH_CPU_THROTTLE ?? '1' },
      'cold-runs': { type: 'string', default: '5' },
      'frame-loop': { type: 'string', default: process.env.BENCH_FRAME_LOOP ?? 'on' },
      baseline: { type: 'string' },
      repeat: { type: 'string', default: '1' },
    },
  }));
} catch (error) {
  fail(error.message);
}
if (flags.help) {
  // The flags are documented once, in this file's header comment.
  const header = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0];
  console.log(header.replace(/^#!.*\n\/\*\*\n?/, '').replace(/^ \* ?/gm, ''));
  process.exit(0);
}

const libs = flags.libs
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const baseline = flags.baseline;
if (baseline !== undefined && !existsSync(join(baseline, 'danmaku-layer.bundle.js'))) {
  fail(`--baseline: no danmaku-layer.bundle.js in ${baseline} (a built packages/widget/dist)`);
}
const known = baseline === undefined ? LIBS : [...LIBS, ...BASELINE_LIBS];
for (const lib of libs) {
  if (BASELINE_LIBS.includes(lib) && baseline === undefined) fail(`--libs: ${lib} needs --baseline DIR`);
  if (!known.includes(lib)) fail(`--libs: unknown library "${lib}" (known: ${known.join(', ')})`);
}
const repeat = Number(flags.repeat);
if (!(Number.isInteger(repeat) && repeat >= 1)) fail('--repeat: an integer >= 1');
const rates = flags.rates.split(',').map(Number);
if (rates.some((r) => !(r > 0))) fail('--rates: positive numbers, comma separated');
const seconds = Number(flags.seconds);
const warmup = Number(flags.warmup);
const sampleMs = Number(flags['sample-ms']);
const seed = Number(flags.seed);
const cpuThrottle = Number(flags['cpu-throttle']);
const coldRuns = Number(flags['cold-runs']);
if (!['on', 'off'].includes(flags['frame-loop'])) fail('--frame-loop: on or off');
const frameLoop = flags['frame-loop'] === 'on';
if (
  !(seconds > 0) ||
  !(warmup >= 0) ||
  !(sampleMs > 0) ||
  !Number.isInteger(seed) ||
  !(cpuThrottle >= 1) ||
  !(Number.isInteger(coldRuns) && coldRuns >= 0)
) {
  fail(
    '--seconds > 0, --warmup >= 0, --sample-ms > 0, --seed an integer, --cpu-throttle >= 1, --cold-runs an integer >= 0',
  );
}

const resultsDir = join(ROOT, 'bench', 'results');
const server = await startPageServer({ baseline });
const browser = await chromium.launch({
  executablePath: flags.chromium,
  args: CHROMIUM_ARGS,
});
const results = [];
const cold = [];
try {
  const context = await browser.newContext({ viewport: { width: STAGE.width, height: STAGE.height } });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  const cdp = await context.newCDPSession(page);
  // Thread ticks: task durations are the main thread's CPU time, not wall time, so other processes
  // competing for the cores do not inflate them (they still slow the frames down). Throttled, wall
  // time instead: Chromium throttles by pausing the main thread, which thread time never sees, so
  // the stretched tasks a slow device would run show only in wall time.
  const timeDomain = cpuThrottle > 1 ? 'timeTicks' : 'threadTicks';
  await cdp.send('Performance.enable', { timeDomain });
  // Kept for every page the session opens (each pass navigates anew).
  if (cpuThrottle > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuThrottle });
  const metrics = async () =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

  const fontsMissing = missingFonts();
  const fontWarning = missingFontsWarning(fontsMissing);
  if (fontWarning) console.warn(fontWarning);
  const machine = {
    nproc: cpus().length,
    cpu: cpuModel(),
    chromium: browser.version(),
    node: process.version,
    loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
    missingFonts: fontsMissing?.map((f) => f.family),
  };
  const config = {
    libs,
    rates,
    seconds,
    warmup,
    sampleMs,
    seed,
    stage: STAGE,
    timeDomain,
    cpuThrottle,
    coldRuns,
    frameLoop,
    repeat,
    ...(baseline === undefined ? {} : { baseline }),
  };
  const out = flags.out ?? join(resultsDir, `widget-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const date = new Date().toISOString();
  // Written after every run, so an interrupted benchmark still leaves what it measured.
  const save = async () => {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, JSON.stringify({ date, machine, config, results, coldStart: cold }, null, 2) + '\n');
  };

  /** One pass: a fresh page, `lib` fed at `rate`, then one measured window. */
  const pass = async (lib, rate, sampling) => {
    await page.goto(`${server.url}page/index.html`);
    await page.waitForFunction(() => window.bench !== undefined);
    const count = Math.ceil(rate * (warmup + seconds + 2));
    const info = await page.evaluate(
      ([lib, seed, count]) => window.bench.init(lib, { seed, count }),
      [lib, seed, count],
    );
    await page.evaluate(([rate, frameLoop]) => window.bench.start(rate, { frameLoop }), [rate, frameLoop]);
    await sleep(warmup * 1000);
    await cdp.send('HeapProfiler.collectGarbage');
    const before = await metrics();
    await page.evaluate((ms) => window.bench.begin(ms), sampling ? sampleMs : 0);
    await sleep(seconds * 1000);
    const recorded = await page.evaluate(() => window.bench.end());
    const after = await metrics();
    await page.evaluate(() => window.bench.stop());
    if (sampling && flags.screenshots) await screenshot(page, join(resultsDir, `widget-${lib}-${rate}.png`));
    await cdp.send('HeapProfiler.collectGarbage');
    const settled = await metrics();
    if (pageErrors.length) throw new Error(`${lib} @ ${rate}/s: page error: ${pageErrors.join('; ')}`);
    return { info, recorded, before, after, settled };
  };

  const rounds = Array.from({ length: repeat }, (_, i) => i + 1);
  for (const rate of rates) {
    for (const round of rounds) {
      for (const lib of libs) {
        process.stderr.write(`${lib} @ ${rate}/s${repeat > 1 ? `, round ${round}` : ''}: timing…`);
        const timing = await pass(lib, rate, false);
        process.stderr.write(' sampling…');
        const sampling = await pass(lib, rate, true);
        process.stderr.write(' done\n');
        const { recorded: t, before, after, settled } = timing;
        const windowS = t.ms / 1000;
        const delta = (name) => after[name] - before[name];
        // Task times are divided by the wall time between the two metric snapshots, not by the page's
        // window: a long task can delay the page's begin/end but not the snapshots.
        const metricS = delta('Timestamp');
        const main = {
          cpuPct: (100 * delta('TaskDuration')) / metricS,
          taskMsPerS: (1000 * delta('TaskDuration')) / metricS,
          scriptMsPerS: (1000 * delta('ScriptDuration')) / metricS,
          layoutMsPerS: (1000 * delta('LayoutDuration')) / metricS,
          styleMsPerS: (1000 * delta('RecalcStyleDuration')) / metricS,
          msPerDisplayed: t.displayed > 0 ? (1000 * delta('TaskDuration')) / t.displayed : NaN,
        };
        const s = sampling.recorded;
        results.push({
          lib,
          rate,
          round,
          version: libVersion(lib),
          fed: t.fed,
          displayed: t.displayed,
          displayedPerS: t.displayed / windowS,
          // null when the page ran no frame loop: the frames were not timed.
          frames: t.frames ? summarizeFrames(t.frames, t.ms) : null,
          main,
          memory: { nodes: settled.Nodes, jsHeapMB: settled.JSHeapUsedSize / 2 ** 20 },
          screen: summarizeSamples(s.samples),
          capacity:
            timing.info.lane && s.scroll.length ? laneCapacity(s.scroll, timing.info.lane, rate, SCROLL_SHARE) : null,
          sampledComments: s.scroll.length,
          // In effect at the end of the timed window (page/driver.mjs): a running one costs the main thread in every frame drawn.
          animations: t.animations,
        });
        await save();
      }
    }
  }

  // Cold starts run unthrottled, on pages of their own, after the rendering runs.
  for (const [lib, renderer] of [
    ['ours', 'dom'],
    ['ours-canvas', 'canvas'],
  ]) {
    if (coldRuns === 0 || !libs.includes(lib)) continue;
    process.stderr.write(`cold start, renderer ${renderer}…`);
    cold.push(await coldStart(browser, server.url, { renderer, runs: coldRuns }));
    process.stderr.write(' done\n');
    await save();
  }

  printReport({ machine, config, results, coldStart: cold });
  console.log(`\nJSON: ${out}`);
} finally {
  await browser.close();
  await server.close();
}

/** A picture of the stage; a page too busy to paint in time gets a warning, not a failed run. */
async function screenshot(page, path) {
  try {
    await mkdir(dirname(path), { recursive: true });
    await page.screenshot({ path, clip: { x: 0, y: 0, ...STAGE }, timeout: 20_000 });
  } catch (error) {
    process.stderr.write(` (no screenshot: ${error.message.split('\n')[0]})`);
  }
}

function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

function cpuModel() {
  const line = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('model name'));
  return line ? line.split(':')[1].trim() : (cpus()[0]?.model ?? 'unknown');
}

function libVersion(lib) {
  if (lib === 'harness' || lib === 'one-animation') return '-';
  if (BASELINE_LIBS.includes(lib)) return 'baseline';
  const pkg = {
    ours: 'packages/widget',
    'ours-canvas': 'packages/widget',
    'danmaku-dom': 'node_modules/danmaku',
    'danmaku-canvas': 'node_modules/danmaku',
    'danmu.js': 'node_modules/danmu.js',
    'danmu.js-realtime': 'node_modules/danmu.js',
  }[lib];
  return JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')).version;
}
