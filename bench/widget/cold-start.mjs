/**
 * Cold start of `<danmaku-layer>`: a fresh browser context (empty caches, no code cache) loads
 * page/cold.html, which adds the entry's script tag, adds one comment on its load event and waits
 * for the frame after the comment is placed. Measured from the page (performance.now) and from a
 * Chromium trace of the same load (V8's own parse and compile events for the widget's files).
 */
import { STAGE } from './workload.mjs';

/** Trace categories: V8's compile and execute events, with the script URL in their arguments. */
const CATEGORIES = ['v8', 'v8.execute', 'devtools.timeline', 'disabled-by-default-v8.compile'];

/** The entry's file name; the other widget files are the chunks it fetches. */
const ENTRY = 'danmaku-layer.bundle.js';

/** The script URL a trace event is about, if it names one. */
function urlOf(event) {
  const a = event.args ?? {};
  return a.data?.url ?? a.fileName ?? '';
}

/**
 * Sums the durations (ms) of the complete events `events` that match `name` and `keep`; an event
 * inside another one counted on the same thread is not counted again.
 */
function sum(events, name, keep = () => true) {
  const spans = events
    .filter((e) => e.ph === 'X' && typeof e.dur === 'number' && name.test(e.name) && keep(e))
    .sort((a, b) => a.ts - b.ts);
  const covered = new Map();
  let us = 0;
  for (const e of spans) {
    const thread = `${e.pid}:${e.tid}`;
    if (e.ts < (covered.get(thread) ?? -Infinity)) continue;
    covered.set(thread, e.ts + e.dur);
    us += e.dur;
  }
  return us / 1000;
}

/**
 * V8's time for the widget in a cold load's trace (ms): the entry's parse (streamed, on a
 * background thread while it downloads), its compile on the main thread, its top-level run and the
 * lazy compiles inside that run, and every module's top-level run on the main thread (chunks
 * included) until the first comment is drawn.
 */
export function v8Times(events) {
  const isEntry = (e) => urlOf(e).endsWith(`/dist/${ENTRY}`);
  const compile = events.find((e) => e.name === 'v8.compileModule' && isEntry(e));
  // The page's main thread from the entry's compile on: earlier work there is the page's and the
  // test driver's own.
  const onMain = (e) => compile && e.pid === compile.pid && e.tid === compile.tid && e.ts >= compile.ts;
  const run = events
    .filter((e) => e.name === 'v8.evaluateModule' && e.ph === 'X' && onMain(e))
    .sort((a, b) => a.ts - b.ts)[0];
  const inRun = (e) => run && onMain(e) && e.ts >= run.ts && e.ts + e.dur <= run.ts + run.dur;
  return {
    entryParseMs: sum(events, /^v8\.parseOnBackground$/, isEntry),
    entryCompileMs: sum(events, /^v8\.compileModule$/, isEntry),
    entryRunMs: run ? run.dur / 1000 : NaN,
    entryRunCompileMs: sum(events, /^(v8\.compile|V8\.CompileCode|V8\.CompileLazy|V8\.ParseFunction)$/, inRun),
    mainEvaluateMs: sum(events, /^v8\.evaluateModule$/, onMain),
  };
}

/** Median of `values` (NaN when empty). */
function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!v.length) return NaN;
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

/**
 * Loads the cold-start page `runs` times with `renderer`, each in a fresh context, and returns the
 * median of each figure (ms) with every run's figures.
 */
export async function coldStart(browser, baseUrl, { renderer, runs }) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ viewport: { width: STAGE.width, height: STAGE.height } });
    try {
      const page = await context.newPage();
      await browser.startTracing(page, { categories: CATEGORIES });
      await page.goto(`${baseUrl}page/cold.html?renderer=${renderer}`);
      await page.waitForFunction(() => window.cold?.done || window.cold?.error, null, { timeout: 60_000 });
      const cold = await page.evaluate(() => window.cold);
      const { traceEvents } = JSON.parse(String(await browser.stopTracing()));
      if (cold.error) throw new Error(`cold start (${renderer}): ${cold.error}`);
      const v8 = v8Times(traceEvents);
      samples.push({
        // Script tag added → response received (fetch, on loopback).
        fetchMs: cold.responseEnd - cold.inserted,
        // Response received → load event: parse, compile and run of the entry (and its static imports).
        loadMs: cold.loaded - cold.responseEnd,
        // Script tag added → the frame after the first comment was placed.
        firstCommentMs: cold.drawn - cold.inserted,
        // The load event → that frame: the element's first render, sizing, placing, (canvas: its chunk and worker).
        loadToFirstCommentMs: cold.drawn - cold.loaded,
        ...v8,
        entryBytes: cold.transferSize,
      });
    } finally {
      await context.close();
    }
  }
  const keys = Object.keys(samples[0] ?? {});
  return {
    renderer,
    runs,
    median: Object.fromEntries(keys.map((k) => [k, median(samples.map((s) => s[k]))])),
    samples,
  };
}
