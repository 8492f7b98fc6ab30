#!/usr/bin/env node
/**
 * Where the main thread's milliseconds go: one library on the benchmark page at one rate, with a
 * Chromium trace (what the renderer's threads did: script, style recalculation, layout, paint, GC)
 * and a V8 CPU profile (which functions ran), both over the same window after a warm-up. Prints
 * ranked tables in ms per second of the window; the profile's positions in the minified bundles are
 * mapped back to the TypeScript sources through the bundles' source maps.
 *
 *   node bench/widget/profile.mjs [--lib ours] [--rate 200] [--seconds 5] [--warmup 5] [--top 25] [--trace-only]
 *                                 [--threads Compositor,…] [--categories cc,…] [--save-trace trace.json]
 *                                 [--frame-loop off] [--save-profile profile.cpuprofile]
 *
 * The CPU profiler's sampling shows in the trace as time of its own (and inflates the rest a
 * little): `--trace-only` records the trace alone, for the rendering figures.
 *
 * `--threads` adds tables for other threads of the page's renderer by name (`Compositor`: what the
 * main thread waits for in `Commit`, with `--categories cc`); `--categories` adds trace categories; `--save-trace` writes the trace for DevTools' Performance panel, `--save-profile` the CPU profile
 * (a `.cpuprofile` DevTools opens).
 *
 * `--frame-loop off`: the page runs no requestAnimationFrame loop of its own (see run.mjs).
 *
 * `--lib` is any library of run.mjs (ours, ours-canvas, harness, …). Figures from a busy machine
 * are still useful as shares; `npm run build` first.
 */
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import { startPageServer } from './server.mjs';
import { STAGE } from './workload.mjs';
import { selfTimes } from './trace.mjs';
import { missingFonts, missingFontsWarning } from '../../scripts/fonts.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'packages', 'widget', 'dist');

const USAGE = `Usage: node bench/widget/profile.mjs [--lib ours] [--rate 200] [--seconds 5] [--warmup 5] [--top 25]
         [--seed N] [--trace-only] [--threads Compositor,…] [--categories cc,…] [--frame-loop off]
         [--save-trace trace.json] [--save-profile profile.cpuprofile]
`;

let flags;
try {
  ({ values: flags } = parseArgs({
    options: {
      help: { type: 'boolean', default: false },
      lib: { type: 'string', default: 'ours' },
      rate: { type: 'string', default: '200' },
      seconds: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '5' },
      top: { type: 'string', default: '25' },
      seed: { type: 'string', default: '20241125' },
      'trace-only': { type: 'boolean', default: false },
      threads: { type: 'string', default: '' },
      categories: { type: 'string', default: '' },
      'frame-loop': { type: 'string', default: 'on' },
      'save-trace': { type: 'string' },
      'save-profile': { type: 'string' },
    },
  }));
} catch (error) {
  process.stderr.write(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (flags.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const fontWarning = missingFontsWarning(missingFonts());
if (fontWarning) console.warn(fontWarning);
const rate = Number(flags.rate);
const seconds = Number(flags.seconds);
const warmup = Number(flags.warmup);
const top = Number(flags.top);

/** What DevTools' Performance panel records, plus Blink's own style and text-shaping events. */
const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8', 'v8.execute'];

/** Maps `url:line:column` of the minified bundles back to `source:line (name)`, when a map exists. */
function sourceMapper() {
  let TraceMap;
  let originalPositionFor;
  try {
    // Present in every install through rollup's own dependencies; without it, bundle positions are printed.
    const require = createRequire(import.meta.url);
    ({ TraceMap, originalPositionFor } = require('@jridgewell/trace-mapping'));
  } catch {
    return (frame) => `${frame.functionName || '(anonymous)'} ${frame.url}:${frame.lineNumber + 1}`;
  }
  const maps = new Map();
  return (frame) => {
    const path = frame.url.includes('/dist/') ? join(DIST, frame.url.split('/dist/')[1]) : undefined;
    if (!path || !existsSync(`${path}.map`)) {
      return frame.url ? `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop()}` : frame.functionName;
    }
    if (!maps.has(path)) maps.set(path, new TraceMap(readFileSync(`${path}.map`, 'utf8')));
    const pos = originalPositionFor(maps.get(path), { line: frame.lineNumber + 1, column: frame.columnNumber });
    const source = pos.source ? pos.source.replace(/^.*?(packages\/|node_modules\/)/, '$1') : frame.url;
    return `${pos.name ?? frame.functionName ?? '(anonymous)'} ${source}:${pos.line}`;
  };
}

/**
 * Self time (ms) per function of a CPU profile, keyed by `map(callFrame)`. A built-in (no URL:
 * `measureText`, `dispatchEvent`) is keyed with the function that called it, which says why it ran.
 */
function profileSelf(profile, map) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const name = (node) => (node.callFrame.url ? map(node.callFrame) : node.callFrame.functionName || '(anonymous)');
  const ms = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    let key = name(node);
    if (!node.callFrame.url && !key.startsWith('(')) {
      const caller = parent.get(node.id);
      if (caller && caller.callFrame.functionName !== '(root)') key = `${key} ← ${name(caller)}`;
    }
    ms.set(key, (ms.get(key) ?? 0) + dt);
  }
  return ms;
}

function table(head, rows) {
  return [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

const ranked = (map, per) =>
  [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, ms]) => [String(name).replaceAll('|', '\\|'), (ms / per).toFixed(2)]);

const server = await startPageServer();
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const context = await browser.newContext({ viewport: { width: STAGE.width, height: STAGE.height } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await page.goto(`${server.url}page/index.html`);
  await page.waitForFunction(() => window.bench !== undefined);
  const count = Math.ceil(rate * (warmup + seconds + 4));
  await page.evaluate(
    ([lib, seed, count]) => window.bench.init(lib, { seed, count }),
    [flags.lib, Number(flags.seed), count],
  );
  const frameLoop = flags['frame-loop'] !== 'off';
  await page.evaluate(([r, frameLoop]) => window.bench.start(r, { frameLoop }), [rate, frameLoop]);
  await new Promise((done) => setTimeout(done, warmup * 1000));

  const profiling = !flags['trace-only'];
  if (profiling) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  }
  const extra = flags.categories.split(',').filter(Boolean);
  await browser.startTracing(page, { categories: [...CATEGORIES, ...extra] });
  if (profiling) await cdp.send('Profiler.start');
  const t0 = Date.now();
  await new Promise((done) => setTimeout(done, seconds * 1000));
  const profile = profiling ? (await cdp.send('Profiler.stop')).profile : undefined;
  if (profile && flags['save-profile']) writeFileSync(flags['save-profile'], JSON.stringify(profile));
  const traceText = String(await browser.stopTracing());
  if (flags['save-trace']) writeFileSync(flags['save-trace'], traceText);
  const trace = JSON.parse(traceText);
  const wallS = (Date.now() - t0) / 1000;
  await page.evaluate(() => window.bench.stop());

  // The page's renderer main thread, and its workers (the canvas renderer paints in one).
  const names = new Map();
  for (const e of trace.traceEvents)
    if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args.name);
  const main = [...names].find(([, n]) => n === 'CrRendererMain')?.[0];
  const pid = main?.split(':')[0];
  const asked = flags.threads.split(',').filter(Boolean);
  const workers = [...names]
    .filter(([k, n]) => /DedicatedWorker/.test(n) || (k.startsWith(`${pid}:`) && asked.some((a) => n.startsWith(a))))
    .map(([k]) => k);
  const onThread = (key) => trace.traceEvents.filter((e) => `${e.pid}:${e.tid}` === key);
  const mainTimes = selfTimes(onThread(main));
  console.log(
    `${flags.lib} at ${rate} comments/s, ${seconds} s after ${warmup} s of warm-up (wall ${wallS.toFixed(1)} s)\n`,
  );
  console.log(
    `Main thread, trace: busy ${(mainTimes.topMs / wallS).toFixed(1)} ms/s (self CPU time per event, ms per second)\n`,
  );
  console.log(table(['event', 'ms/s'], ranked(mainTimes.byName, wallS)));
  for (const key of workers) {
    const w = selfTimes(onThread(key));
    if (w.topMs === 0) continue;
    console.log(`\nThread ${names.get(key)}: busy ${(w.topMs / wallS).toFixed(1)} ms/s\n`);
    console.log(table(['event', 'ms/s'], ranked(w.byName, wallS)));
  }
  if (!profile) process.exit(0);
  const self = profileSelf(profile, sourceMapper());
  const profileS = (profile.endTime - profile.startTime) / 1e6;
  console.log(`\nMain thread, CPU profile: self time per function (ms per second)\n`);
  console.log(table(['function source:line', 'ms/s'], ranked(self, profileS)));
  const byFile = new Map();
  for (const [key, ms] of self) {
    const file = /\s(\S+?):\d+$/.exec(key.split(' ← ').at(-1))?.[1] ?? key;
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
  }
  console.log(`\nBy source file (ms per second)\n`);
  console.log(table(['source', 'ms/s'], ranked(byFile, profileS)));
} finally {
  await browser.close();
  await server.close();
}
