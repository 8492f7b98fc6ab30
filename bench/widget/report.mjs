/**
 * Prints a benchmark result as Markdown tables (readable in a terminal, pasteable into docs).
 * `node bench/widget/report.mjs FILE.json` reprints a saved result.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BENCH_FONTS, missingFontsWarning } from '../../scripts/fonts.mjs';

const fmt = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function table(head, rows) {
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

/** Ratio `ours / peer` as "×0.42"; n/a when either side is missing or the peer is 0. */
function ratio(ours, peer, digits = 2) {
  return Number.isFinite(ours) && Number.isFinite(peer) && peer !== 0 ? `×${(ours / peer).toFixed(digits)}` : 'n/a';
}

/** What a run that timed no frames (`--frame-loop off`) reads as: unknown, printed as n/a. */
const UNTIMED = Object.freeze({
  frames: 0,
  fps: NaN,
  p50: NaN,
  p95: NaN,
  p99: NaN,
  max: NaN,
  janky: NaN,
  jankyPct: NaN,
});

/** A result's library, with its round when the run had several (`--repeat`). */
function label(r, config) {
  return r.round > 1 || config.repeat > 1 ? `${r.lib}, round ${r.round}` : r.lib;
}

/** Whether the sampling pass got fewer than half the samples its period asks for. */
function starved(r, config) {
  return r.screen.samples < (config.seconds * 1000) / config.sampleMs / 2;
}

/**
 * Prints the main table, the lane capacity of `<danmaku-layer>` and the ratios ours ÷ each peer.
 * @param {{ machine: object, config: object, results: object[] }} result what run.mjs wrote as JSON
 * @param {(line: string) => void} [log]
 */
export function printReport({ machine, config, results: saved, coldStart = [] }, log = console.log) {
  const results = saved.map((r) => (r.frames ? r : { ...r, frames: UNTIMED }));
  log(
    `Machine: ${machine.nproc} × ${machine.cpu}, Chromium ${machine.chromium}, Node ${machine.node}, load ${machine.loadavg}`,
  );
  // Older results have no such field; an empty list means every font was there.
  if (machine.missingFonts?.length) {
    log(missingFontsWarning(BENCH_FONTS.filter((f) => machine.missingFonts.includes(f.family))));
  }
  log(
    `Workload: ${config.stage.width}×${config.stage.height} stage, ${config.warmup} s warm-up + ${config.seconds} s measured per run, ` +
      `seed ${config.seed}, boxes sampled every ${config.sampleMs} ms in a separate pass` +
      // A throttled run's CPU figures are wall time (see run.mjs), not comparable with unthrottled ones.
      (config.cpuThrottle > 1 ? `, CPU throttled ×${config.cpuThrottle} (task times in wall time)` : '') +
      // Older results have no such field: their pages always ran the loop.
      (config.frameLoop === false ? ', no frame loop on the page (frames not timed)' : '') +
      '\n',
  );
  log(
    table(
      [
        'library',
        'rate/s',
        'frame p50/p95/p99 ms',
        'janky >20ms',
        'main CPU',
        'script/layout/style ms/s',
        'CPU ms per shown',
        'shown/s',
        'on screen avg/peak',
        'overlap pairs avg/peak',
        'of which scroll×scroll avg',
        'DOM nodes',
        'JS heap MB',
      ],
      results.map((r) => [
        label(r, config),
        r.rate,
        `${fmt(r.frames.p50)}/${fmt(r.frames.p95)}/${fmt(r.frames.p99)}`,
        Number.isFinite(r.frames.janky) ? `${r.frames.janky} (${fmt(r.frames.jankyPct)}%)` : 'n/a',
        `${fmt(r.main.cpuPct)}%`,
        `${fmt(r.main.scriptMsPerS, 0)}/${fmt(r.main.layoutMsPerS, 0)}/${fmt(r.main.styleMsPerS, 0)}`,
        fmt(r.main.msPerDisplayed, 2),
        fmt(r.displayedPerS),
        `${fmt(r.screen.onScreenAvg)}/${r.screen.onScreenPeak}${starved(r, config) ? ' †' : ''}`,
        `${fmt(r.screen.overlapAvg)}/${r.screen.overlapPeak}`,
        fmt(r.screen.scrollOverlapAvg),
        r.memory.nodes,
        fmt(r.memory.jsHeapMB),
      ]),
    ),
  );

  if (results.some((r) => starved(r, config))) {
    log(
      `\n† the page was so busy that fewer than half of the expected box samples were taken: the figure rests on few samples.`,
    );
  }

  const capacity = results.filter((r) => r.capacity);
  if (capacity.length) {
    // Several rows at one rate (rounds, another build): each says whose it is.
    const named = capacity.length > new Set(capacity.map((r) => r.rate)).size;
    log('\nLane capacity of <danmaku-layer> (scroll comments; lanes = stage height ÷ mean comment height):\n');
    log(
      table(
        [
          ...(named ? ['library'] : []),
          'rate/s',
          'mean w×h px',
          'lanes',
          'capacity /s',
          'capacity on screen',
          'offered on screen',
          'scroll on screen avg',
          'fill of capacity',
          'fill of min(capacity, offered)',
        ],
        capacity.map((r) => {
          const c = r.capacity;
          return [
            ...(named ? [label(r, config)] : []),
            r.rate,
            `${fmt(c.meanWidth, 0)}×${fmt(c.meanHeight, 0)}`,
            c.lanes,
            fmt(c.perSecond),
            fmt(c.onScreen),
            fmt(c.offeredOnScreen),
            fmt(r.screen.scrollAvg),
            `${fmt((100 * r.screen.scrollAvg) / c.onScreen, 0)}%`,
            `${fmt((100 * r.screen.scrollAvg) / Math.min(c.onScreen, c.offeredOnScreen), 0)}%`,
          ];
        }),
      ),
    );
  }

  const peers = [...new Set(results.map((r) => r.lib))].filter(
    (l) => !OURS.includes(l) && !l.endsWith(BASELINE) && !REFERENCES.includes(l),
  );
  // With several rounds, the ratios and targets compare the means of the rounds.
  const means = meanOfRounds(results);
  const rounds = Math.max(...means.map((r) => r.rounds ?? 1));
  const overRounds = rounds > 1 ? `, means over ${rounds} rounds` : '';
  const harness = new Map(means.filter((r) => r.lib === 'harness').map((r) => [r.rate, r]));
  for (const lib of OURS) {
    const oursByRate = new Map(means.filter((r) => r.lib === lib).map((r) => [r.rate, r]));
    if (!oursByRate.size) continue;
    if (peers.length) {
      log(
        `\n${lib} ÷ peer (below ×1 is less: better for time, frames, overlap and memory; worse for comments on screen${overRounds}):\n`,
      );
      const rows = [];
      for (const r of means) {
        const o = oursByRate.get(r.rate);
        if (!peers.includes(r.lib) || !o) continue;
        rows.push([
          r.lib,
          r.rate,
          ratio(o.main.cpuPct, r.main.cpuPct),
          ratio(o.main.msPerDisplayed, r.main.msPerDisplayed),
          ratio(o.frames.p99, r.frames.p99),
          ratio(o.screen.onScreenAvg, r.screen.onScreenAvg),
          `${fmt(o.screen.overlapAvg)} vs ${fmt(r.screen.overlapAvg)}`,
          ratio(o.memory.nodes, r.memory.nodes),
          ratio(o.memory.jsHeapMB, r.memory.jsHeapMB),
        ]);
      }
      log(
        table(
          [
            'peer',
            'rate/s',
            'main CPU',
            'CPU ms per shown',
            'frame p99',
            'on screen avg',
            `overlap avg (${lib} vs peer)`,
            'DOM nodes',
            'JS heap',
          ],
          rows,
        ),
      );
    }

    log(`\nTargets for ${lib}${overRounds ? ` (${overRounds.slice(2)})` : ''}:\n`);
    const rows = [];
    const mark = (ok) => (ok === undefined ? 'n/a' : ok ? 'met' : 'NOT met');
    for (const [rate, o] of oursByRate) {
      const peersAtRate = means.filter(
        (r) => r.rate === rate && peers.includes(r.lib) && Number.isFinite(r.main.msPerDisplayed),
      );
      const best = bestPeer(peersAtRate);
      const bestDrawing = bestPeer(peersAtRate.filter(drawsAtFrameRate));
      const floor =
        harness.has(rate) && o.displayedPerS > 0 ? harness.get(rate).main.taskMsPerS / o.displayedPerS : NaN;
      const fill = o.capacity ? o.screen.scrollAvg / o.capacity.onScreen : NaN;
      const perShown = (peer) =>
        peer
          ? `${mark(o.main.msPerDisplayed <= peer.main.msPerDisplayed / 3)} (${fmt(o.main.msPerDisplayed, 2)} vs ${peer.lib} ${fmt(peer.main.msPerDisplayed, 2)})`
          : 'n/a';
      rows.push([
        rate,
        Number.isFinite(o.screen.overlapPeak)
          ? `${mark(o.screen.overlapPeak === 0)} (peak ${o.screen.overlapPeak})`
          : 'not sampled',
        rate >= 60 && Number.isFinite(fill) ? `${mark(fill >= 0.9)} (${fmt(100 * fill, 0)}%)` : 'n/a',
        perShown(best),
        perShown(bestDrawing),
        Number.isFinite(floor)
          ? `${fmt(floor, 2)}${best && floor > best.main.msPerDisplayed / 3 ? ' (above ⅓ of best peer)' : ''}`
          : 'n/a',
        rate >= 200 && o.frames !== UNTIMED
          ? `${mark(o.frames.p99 < 20 && o.frames.fps >= 58)} (p99 ${fmt(o.frames.p99)} ms, ${fmt(o.frames.fps, 0)} fps)`
          : 'n/a',
      ]);
    }
    log(
      table(
        [
          'rate/s',
          'zero overlap',
          '≥ 90% of lane capacity on screen',
          'CPU ms per shown ≤ ⅓ of best peer',
          '… of best peer drawing at frame rate',
          'floor: harness alone ÷ shown',
          '60 fps, p99 < 20 ms',
        ],
        rows,
      ),
    );
  }
  printAnimationCost(means, log);
  if (results.some((r) => r.round > 1 || r.lib.endsWith(BASELINE))) printRounds(results, log);
  if (coldStart.length) printColdStart(coldStart, log);
  if (harness.size) {
    log(
      '\nfloor: the main-thread time of the page with nothing drawn (harness row) divided by the comments the renderer showed;' +
        ' no renderer showing that many comments per second can cost less per comment on this page.' +
        ' "Drawing at frame rate": frame p95 under 20 ms, i.e. at least 95% of frames on time.',
    );
  }
}

/**
 * One result per library and rate: a single run as it is; several rounds of one (`--repeat`) as
 * one result whose every number is the mean of the rounds' (a peak, the mean of the peaks), with
 * `rounds` their count. Whole-run figures move between rounds; the mean moves less.
 */
export function meanOfRounds(results) {
  const groups = new Map();
  for (const r of results) {
    const key = `${r.lib} ${r.rate}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((runs) => (runs.length === 1 ? runs[0] : { ...meanOf(runs), rounds: runs.length }));
}

/** The mean of numbers (the finite ones), field by field of objects; anything else, the last value. */
function meanOf(values) {
  const [first] = values;
  if (values.every((v) => v === first)) return first;
  if (typeof first === 'number') {
    const known = values.filter(Number.isFinite);
    return known.length ? known.reduce((sum, v) => sum + v, 0) / known.length : NaN;
  }
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    return Object.fromEntries(Object.keys(first).map((key) => [key, meanOf(values.map((v) => v?.[key]))]));
  }
  return values.at(-1);
}

/**
 * What one running compositor animation costs the page (the one-animation row net of the harness),
 * and the DOM renderer net of that: its cost per comment, apart from the per-frame cost that any
 * renderer moving elements with CSS or the Web Animations API pays. Means over rounds.
 */
export function printAnimationCost(results, log = console.log) {
  const means = meanOfRounds(results);
  const meanCpu = (lib, rate) => means.find((r) => r.lib === lib && r.rate === rate)?.main.cpuPct ?? NaN;
  const rows = [];
  for (const rate of [...new Set(results.map((r) => r.rate))]) {
    const harness = meanCpu('harness', rate);
    const animation = meanCpu('one-animation', rate) - harness;
    if (!Number.isFinite(animation)) continue;
    const dom = meanCpu('ours', rate) - harness;
    rows.push([rate, `${fmt(animation)}%`, `${fmt(dom)}%`, `${fmt(dom - animation)}%`]);
  }
  if (!rows.length) return;
  log('\nOne running animation (main CPU, net of the harness; means over rounds):\n');
  log(table(['rate/s', 'one-animation', 'ours (DOM renderer)', 'ours less one animation'], rows));
  log(
    '\none-animation: one element moved by the compositor as the DOM renderer moves its belt, nothing drawn.' +
      " Chromium brings a running animation's style up to date in every frame the page draws: no renderer that moves" +
      ' elements with CSS or the Web Animations API costs less on a page with a frame loop.',
  );
}

/**
 * Main CPU of each library in each round (`--repeat`), net of the same round's harness when it
 * ran, and the mean: whole-run figures move between runs on a shared machine, so builds are
 * compared round by round (`--baseline`), in turn.
 */
export function printRounds(results, log = console.log) {
  for (const rate of [...new Set(results.map((r) => r.rate))]) {
    const atRate = results.filter((r) => r.rate === rate);
    const rounds = [...new Set(atRate.map((r) => r.round ?? 1))];
    const harness = new Map(atRate.filter((r) => r.lib === 'harness').map((r) => [r.round ?? 1, r.main.cpuPct]));
    const net = harness.size === rounds.length;
    log(`
Main CPU by round at ${rate}/s${net ? ", net of the same round's harness" : ''}:\n`);
    const rows = [];
    for (const lib of [...new Set(atRate.map((r) => r.lib))]) {
      const values = rounds.map((round) => {
        const r = atRate.find((x) => x.lib === lib && (x.round ?? 1) === round);
        if (!r) return NaN;
        return net && lib !== 'harness' ? r.main.cpuPct - harness.get(round) : r.main.cpuPct;
      });
      const known = values.filter(Number.isFinite);
      const mean = known.length ? known.reduce((a, b) => a + b, 0) / known.length : NaN;
      rows.push([lib, ...values.map((v) => `${fmt(v)}%`), `${fmt(mean)}%`]);
    }
    log(table(['library', ...rounds.map((round) => `round ${round}`), 'mean'], rows));
  }
}

/** The cold-start table: medians of `runs` fresh loads per renderer (see cold-start.mjs). */
function printColdStart(coldStart, log) {
  log(`\nCold start of <danmaku-layer> (median of ${coldStart[0].runs} fresh loads; ms from adding the script tag):\n`);
  log(
    table(
      [
        'renderer',
        'fetched',
        'fetched → load event',
        'load event → first comment drawn',
        'script tag → first comment drawn',
        'entry parse (V8, streamed)',
        'entry compile (V8, main)',
        'entry run (V8, main)',
        'of which lazy compiles',
        'all modules run (V8, main)',
        'entry KiB',
      ],
      coldStart.map(({ renderer, median: m }) => [
        renderer,
        fmt(m.fetchMs),
        fmt(m.loadMs),
        fmt(m.loadToFirstCommentMs),
        fmt(m.firstCommentMs),
        fmt(m.entryParseMs, 2),
        fmt(m.entryCompileMs, 2),
        fmt(m.entryRunMs, 2),
        fmt(m.entryRunCompileMs, 2),
        fmt(m.mainEvaluateMs, 2),
        fmt(m.entryBytes / 1024),
      ]),
    ),
  );
}

/** Our renderers, each compared with the peers. */
const OURS = ['ours', 'ours-canvas'];
/** Rows that draw nothing: the page alone, and the page with one compositor animation. Not peers. */
const REFERENCES = ['harness', 'one-animation'];
/** Suffix of the libraries that run another build of ours (run.mjs `--baseline`): not peers. */
const BASELINE = '@baseline';

/** The result with the least main-thread time per comment shown, or undefined. */
function bestPeer(results) {
  return results.reduce((best, r) => (!best || r.main.msPerDisplayed < best.main.msPerDisplayed ? r : best), undefined);
}

/** Whether a library kept drawing at the display's rate: at least 95% of its frames on time. */
function drawsAtFrameRate(r) {
  return r.frames.p95 < 20;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new TypeError('usage: node bench/widget/report.mjs RESULT.json');
  printReport(JSON.parse(readFileSync(file, 'utf8')));
}
