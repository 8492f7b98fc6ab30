/**
 * Checks the benchmark harness itself (not part of `npm test`; run with `npm run test:bench`):
 * the pure parts by value, and one short real run in Chromium end to end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { countOverlaps, overlappingPairs } from './geometry.mjs';
import { laneCapacity, percentile, summarizeFrames } from './stats.mjs';
import { generateComments } from './workload.mjs';
import { startPageServer } from './server.mjs';
import { selfTimes } from './trace.mjs';
import { missingFrom, missingFontsWarning } from '../../scripts/fonts.mjs';
import { meanOfRounds, printAnimationCost, printReport, printRounds } from './report.mjs';

test('the workload is the same for the same seed and mixes modes, lengths and scripts', () => {
  const a = generateComments(2000, 7);
  assert.deepEqual(generateComments(2000, 7), a);
  assert.notDeepEqual(generateComments(2000, 8), a);
  assert.equal(new Set(a.map((c) => c.text)).size, a.length, 'no text twice');
  const lengths = a.map((c) => [...c.text].length);
  assert.ok(Math.min(...lengths) >= 2 && Math.max(...lengths) <= 40);
  const share = (mode) => a.filter((c) => c.mode === mode).length / a.length;
  assert.ok(Math.abs(share('top') - 0.1) < 0.03 && Math.abs(share('bottom') - 0.1) < 0.03);
  const text = a.map((c) => c.text).join('');
  for (const script of [/[a-z]/, /\p{Script=Han}/u, /\p{Script=Arabic}/u, /\p{Extended_Pictographic}/u]) {
    assert.match(text, script);
  }
});

test('overlapping pairs: touching or 1 px is not an overlap, anything more is', () => {
  assert.deepEqual(
    overlappingPairs([
      { x: 200, y: 0, w: 100, h: 30 },
      { x: 0, y: 0, w: 100, h: 30 },
      { x: 250, y: 5, w: 10, h: 10 },
    ]),
    [[0, 2]],
  );
  const box = (x, y, w = 100, h = 30) => ({ x, y, w, h });
  assert.equal(countOverlaps([box(0, 0), box(100, 0), box(0, 30)]), 0);
  assert.equal(countOverlaps([box(0, 0), box(99, 0)]), 0);
  assert.equal(countOverlaps([box(0, 0), box(90, 20)]), 1);
  assert.equal(countOverlaps([box(0, 0), box(10, 0), box(20, 0)]), 3);
  // A wide box overlaps one that starts far to its right; the two narrow ones do not meet.
  assert.equal(countOverlaps([box(900, 10), box(0, 0, 1000), box(50, 0)]), 2);
});

test('frame summary: percentiles and janky frames', () => {
  assert.equal(percentile([3, 1, 2, 4], 50), 2);
  assert.equal(percentile([3, 1, 2, 4], 100), 4);
  const s = summarizeFrames([16.7, 16.7, 16.6, 33.4, 16.7], 100);
  assert.equal(s.janky, 1);
  assert.equal(s.p50, 16.7);
  assert.equal(s.p99, 33.4);
  assert.equal(s.fps, 50);
});

test('lane capacity: lanes × speed ÷ (mean width + gap)', () => {
  const c = laneCapacity(
    [
      { w: 100, h: 30 },
      { w: 300, h: 30 },
    ],
    { speed: 160, gap: 24 },
    60,
    0.8,
  );
  assert.equal(c.lanes, 24);
  assert.equal(c.perSecond, (24 * 160) / 224);
  assert.equal(c.onScreen, c.perSecond * ((1280 + 200) / 160));
  assert.equal(c.offeredOnScreen, 60 * 0.8 * ((1280 + 200) / 160));
});

test('trace self times: CPU time (tdur) less that of nested events; wall time only without it', () => {
  const { byName, topMs } = selfTimes([
    // A task that ran 1 ms of wall time but 0.6 ms on the CPU, with 0.2 ms of style inside it.
    { ph: 'X', name: 'RunTask', ts: 0, dur: 1000, tdur: 600 },
    { ph: 'X', name: 'Style', ts: 100, dur: 300, tdur: 200 },
    // An event without thread time (older traces) counts its wall time.
    { ph: 'X', name: 'Other', ts: 2000, dur: 50 },
    // Instant and metadata events take no time.
    { ph: 'I', name: 'Mark', ts: 150 },
  ]);
  assert.equal(byName.get('RunTask'), 0.4);
  assert.equal(byName.get('Style'), 0.2);
  assert.equal(byName.get('Other'), 0.05);
  assert.equal(byName.has('Mark'), false);
  assert.equal(topMs, 0.65);
});

test('a run whose page timed no frames reports them as n/a, never as 0 fps', () => {
  const lines = [];
  const result = {
    machine: { nproc: 2, cpu: 'cpu', chromium: '156', node: 'v20', loadavg: '0' },
    config: { stage: { width: 1280, height: 720 }, warmup: 1, seconds: 1, seed: 1, sampleMs: 250, frameLoop: false },
    results: [
      {
        lib: 'ours',
        rate: 200,
        frames: null,
        main: { cpuPct: 7, taskMsPerS: 70, scriptMsPerS: 20, layoutMsPerS: 15, styleMsPerS: 7, msPerDisplayed: 6 },
        displayedPerS: 12,
        screen: {
          samples: 40,
          onScreenAvg: 100,
          onScreenPeak: 110,
          overlapAvg: 0,
          overlapPeak: 0,
          scrollOverlapAvg: 0,
        },
        memory: { nodes: 200, jsHeapMB: 2 },
        capacity: null,
      },
    ],
  };
  printReport(result, (line) => lines.push(line));
  const text = lines.join('\n');
  assert.match(text, /no frame loop on the page \(frames not timed\)/);
  assert.match(text, /\| ours \| 200 \| n\/a\/n\/a\/n\/a \| n\/a \| 7\.0% \|/);
  assert.doesNotMatch(text, /NOT met \(p99/, 'the frame target is n/a, not failed');
});

test('fonts: the missing ones are named with their package, and a run without them says so', () => {
  const fcList = 'DejaVu Sans,DejaVu Sans Condensed\nLiberation Serif\nNoto Color Emoji\n';
  assert.deepEqual(
    missingFrom(fcList).map((f) => f.family),
    ['Droid Sans Fallback'],
  );
  assert.deepEqual(missingFrom(`${fcList}Droid Sans Fallback\n`), []);
  assert.equal(missingFontsWarning([]), '');
  assert.match(
    missingFontsWarning(missingFrom('')),
    /apt-get install fonts-dejavu-core fonts-droid-fallback fonts-noto-color-emoji/,
  );
  const lines = [];
  const machine = {
    nproc: 2,
    cpu: 'cpu',
    chromium: '156',
    node: 'v20',
    loadavg: '0',
    missingFonts: ['Droid Sans Fallback'],
  };
  const config = { stage: { width: 1280, height: 720 }, warmup: 1, seconds: 1, seed: 1, sampleMs: 250 };
  printReport({ machine, config, results: [] }, (line) => lines.push(line));
  assert.match(lines.join('\n'), /fonts missing: Droid Sans Fallback \(CJK\).*fonts-droid-fallback/);
  lines.length = 0;
  printReport({ machine: { ...machine, missingFonts: [] }, config, results: [] }, (line) => lines.push(line));
  assert.doesNotMatch(lines.join('\n'), /fonts missing/);
});

test("rounds: each library net of the same round's harness, and the mean", () => {
  const lines = [];
  const r = (lib, round, cpuPct) => ({ lib, rate: 200, round, main: { cpuPct } });
  printRounds(
    [
      r('harness', 1, 3),
      r('ours', 1, 10),
      r('ours@baseline', 1, 11),
      r('harness', 2, 2),
      r('ours', 2, 8),
      r('ours@baseline', 2, 9.5),
    ],
    (line) => lines.push(line),
  );
  const text = lines.join('\n');
  assert.match(text, /net of the same round's harness/);
  assert.match(text, /\| ours \| 7\.0% \| 6\.0% \| 6\.5% \|/);
  assert.match(text, /\| ours@baseline \| 8\.0% \| 7\.5% \| 7\.8% \|/);
  assert.match(text, /\| harness \| 3\.0% \| 2\.0% \| 2\.5% \|/, 'the harness row is its own time');
});

test('rounds: the ratio and target tables compare the means of the rounds', () => {
  const run = (lib, round, cpuPct, overlapPeak) => ({
    lib,
    rate: 200,
    round,
    version: '1',
    frames: { p50: 16.7, p95: 16.7, p99: 16.8, fps: 60, janky: 0, jankyPct: 0 },
    main: { cpuPct, taskMsPerS: 10 * cpuPct, scriptMsPerS: 1, layoutMsPerS: 1, styleMsPerS: 1, msPerDisplayed: cpuPct },
    displayedPerS: 10,
    screen: { samples: 40, onScreenAvg: 100, onScreenPeak: 110, overlapAvg: 0, overlapPeak, scrollOverlapAvg: 0 },
    memory: { nodes: 100, jsHeapMB: 2 },
    capacity: null,
  });
  const results = [run('ours', 1, 4, 0), run('danmu.js', 1, 8, 2), run('ours', 2, 8, 0), run('danmu.js', 2, 8, 4)];
  const means = meanOfRounds(results);
  assert.deepEqual(
    means.map((r) => [r.lib, r.rounds, r.main.cpuPct, r.screen.overlapPeak, r.version]),
    [
      ['ours', 2, 6, 0, '1'],
      ['danmu.js', 2, 8, 3, '1'],
    ],
  );
  assert.equal(meanOfRounds([results[0]])[0], results[0], 'a single run is left as it is');
  const lines = [];
  const config = { stage: { width: 1280, height: 720 }, warmup: 1, seconds: 1, seed: 1, sampleMs: 250 };
  printReport(
    { machine: { nproc: 2, cpu: 'cpu', chromium: '150', node: 'v20', loadavg: '0' }, config, results },
    (line) => lines.push(line),
  );
  const text = lines.join('\n');
  // 6 ÷ 8, where the last round alone would read 8 ÷ 8.
  assert.match(text, /means over 2 rounds[^]*\| danmu\.js \| 200 \| ×0\.75 \|/);
  assert.match(text, /Targets for ours \(means over 2 rounds\)/);
});

test('one running animation: its cost net of the harness, and the DOM renderer net of it', () => {
  const lines = [];
  const r = (lib, round, cpuPct) => ({ lib, rate: 200, round, main: { cpuPct } });
  const results = [
    r('harness', 1, 3),
    r('one-animation', 1, 4.5),
    r('ours', 1, 9),
    r('harness', 2, 2),
    r('one-animation', 2, 3.5),
    r('ours', 2, 7),
  ];
  printAnimationCost(results, (line) => lines.push(line));
  assert.match(lines.join('\n'), /\| 200 \| 1\.5% \| 5\.5% \| 4\.0% \|/);
  lines.length = 0;
  printAnimationCost([r('harness', 1, 3), r('ours', 1, 9)], (line) => lines.push(line));
  assert.deepEqual(lines, [], 'nothing without the one-animation row');
});

test('the page server serves its mounts and nothing outside them', async () => {
  const server = await startPageServer();
  try {
    assert.equal((await fetch(`${server.url}page/index.html`)).status, 200);
    assert.equal((await fetch(`${server.url}vendor/danmaku/danmaku.min.js`)).status, 200);
    assert.equal((await fetch(`${server.url}page/..%2F..%2F..%2Fpackage.json`)).status, 404);
    assert.equal((await fetch(`${server.url}package.json`)).status, 404);
  } finally {
    await server.close();
  }
});

/** run.mjs with a short window at 30/s and `args`, its JSON written to a scratch folder: stdout and the result. */
async function shortRun(args, timeout) {
  const dir = await mkdtemp(join(tmpdir(), 'bench-widget-'));
  try {
    const out = join(dir, 'result.json');
    const run = fileURLToPath(new URL('./run.mjs', import.meta.url));
    const short = ['--rates', '30', '--seconds', '1', '--warmup', '1', '--out', out];
    const { stdout } = await promisify(execFile)(process.execPath, [run, ...args, ...short], { timeout });
    return { stdout, result: JSON.parse(await readFile(out, 'utf8')) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('a short real run of every library writes a complete result', { timeout: 240_000 }, async () => {
  const { stdout, result } = await shortRun(['--cold-runs', '1'], 220_000);
  assert.match(stdout, /\| ours \| 30 \|/);
  assert.match(stdout, /Cold start of <danmaku-layer>/);
  const { results, coldStart } = result;
  assert.deepEqual(
    coldStart.map((c) => c.renderer),
    ['dom', 'canvas'],
  );
  for (const { renderer, median } of coldStart) {
    assert.ok(median.firstCommentMs > 0, `${renderer}: first comment drawn`);
    assert.ok(median.loadMs >= 0 && median.fetchMs >= 0, `${renderer}: load figures`);
    assert.ok(median.entryParseMs > 0, `${renderer}: the entry's parse is in the trace`);
  }
  assert.deepEqual(
    results.map((r) => r.lib),
    [
      'harness',
      'one-animation',
      'ours',
      'ours-canvas',
      'danmaku-dom',
      'danmaku-canvas',
      'danmu.js',
      'danmu.js-realtime',
    ],
  );
  assert.match(stdout, /One running animation/);
  assert.doesNotMatch(stdout, /\| one-animation \| \d+ \| ×/, 'not a peer in the ratios');
  for (const r of results) {
    assert.ok(r.fed > 0, `${r.lib} was fed`);
    assert.ok(r.frames.frames > 0, `${r.lib} recorded frames`);
    assert.ok(r.main.cpuPct > 0, `${r.lib} has task time`);
    assert.ok(r.memory.nodes > 0 && r.memory.jsHeapMB > 0, `${r.lib} has memory figures`);
    if (r.lib === 'harness' || r.lib === 'one-animation') {
      assert.equal(r.screen.onScreenPeak, 0, `${r.lib} draws nothing`);
      assert.equal(r.animations, r.lib === 'harness' ? 0 : 1, `${r.lib}: running animations`);
      continue;
    }
    // The DOM renderer's belt, in the layer's shadow tree.
    if (r.lib === 'ours') assert.ok(r.animations >= 1, 'ours: its belt runs');
    assert.ok(r.screen.samples > 0 && r.screen.onScreenPeak > 0, `${r.lib} showed comments`);
    // ours-canvas has no boxes to read: its overlap is unknown (NaN, null in JSON), never a made-up 0.
    if (r.lib === 'ours-canvas') assert.ok(!Number.isFinite(r.screen.overlapAvg), 'canvas overlap not sampled');
    else assert.ok(r.screen.scrollOverlapAvg <= r.screen.overlapAvg, `${r.lib} scroll pairs are a subset`);
  }
  assert.ok(results.find((r) => r.lib === 'ours').capacity.lanes > 0, 'ours has a lane capacity');
});

test(
  '--frame-loop off: the page asks for no frames of its own; CPU is measured, frames are not',
  { timeout: 120_000 },
  async () => {
    const { result } = await shortRun(['--libs', 'ours', '--cold-runs', '0', '--frame-loop', 'off'], 100_000);
    const { config, results } = result;
    assert.equal(config.frameLoop, false);
    const [ours] = results;
    assert.equal(ours.frames, null, 'no frames timed');
    assert.ok(ours.main.cpuPct > 0 && ours.displayed > 0, 'comments shown and their cost measured');
  },
);

test(
  '--baseline and --repeat: another build runs beside ours, in turn, round after round',
  { timeout: 180_000 },
  async () => {
    // This checkout's own build stands in for another one: what matters is that it is served and run.
    const dist = fileURLToPath(new URL('../../packages/widget/dist', import.meta.url));
    const args = ['--libs', 'harness,ours@baseline', '--baseline', dist, '--repeat', '2', '--cold-runs', '0'];
    const { stdout, result } = await shortRun(args, 160_000);
    assert.match(stdout, /Main CPU by round at 30\/s, net of the same round's harness/);
    const { results } = result;
    assert.deepEqual(
      results.map((r) => `${r.lib} ${r.round}`),
      ['harness 1', 'ours@baseline 1', 'harness 2', 'ours@baseline 2'],
    );
    for (const r of results.filter((x) => x.lib === 'ours@baseline')) {
      assert.ok(r.displayed > 0 && r.screen.onScreenPeak > 0, 'the baseline build showed comments');
    }
  },
);

test('run.mjs: --help prints the flags; a bad flag is one line and exit code 2, no stack trace', () => {
  const run = (...args) =>
    spawnSync(process.execPath, [fileURLToPath(new URL('./run.mjs', import.meta.url)), ...args], { encoding: 'utf8' });
  const help = run('--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--cpu-throttle/);
  for (const args of [
    ['--bogus'],
    ['--libs', 'nope'],
    ['--seconds', '0'],
    ['--frame-loop', 'sometimes'],
    ['--libs', 'ours@baseline'],
    ['--baseline', '/nonexistent'],
    ['--repeat', '0'],
  ]) {
    const bad = run(...args);
    assert.equal(bad.status, 2, args.join(' '));
    assert.match(bad.stderr, /^bench:widget: .+\n$/);
  }
});
