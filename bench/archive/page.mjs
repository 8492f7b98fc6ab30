// The archive in a real page: Debian's Chromium (playwright-core, as the widget benchmark) opens a
// `<danmaku-layer archive>` bound to a real <audio> (a silent WAV the page makes) against a real
// server (in this process) whose SQLite archive holds one room of time-coded comments, 100 per
// second of media by default. Measures:
//
// - play() to the first comment drawn (the one at 0 s; the window at 0 was read when the media was
//   bound, as for a viewer who opens the page and presses play), then a seek across the media while
//   playing, to the first comment of the new place drawn (that one includes the window's read);
// - page memory while the media plays through every comment at `rate` times speed (Chromium plays
//   audio up to 16×): JSHeapUsedSize and DOM nodes from the DevTools protocol, sampled every
//   second of the run, and once more after a forced GC at the end.
//
// "Drawn" is the frame after the comment's element entered the stage (a requestAnimationFrame
// callback after the MutationObserver saw it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';
import { createDanmakuServer } from '../../packages/server/lib/server.js';
import { openSqliteArchive } from '../../packages/server/lib/archive/sqlite-archive.js';

const ROOM = 'film';
const PER_SECOND = 100;
const SEEKS = [700, 150, 900, 400, 50];

/** The page: layer, <audio> of `seconds` of silence, and a record of when each comment was drawn. */
const html = (seconds) => `<!doctype html>
<meta charset="utf-8">
<script type="module" src="/danmaku-layer.bundle.js"></script>
<danmaku-layer id="layer" src="/ws" room="${ROOM}" media="audio" archive style="display:block;width:960px;height:540px">
  <audio id="audio" muted preload="auto"></audio>
</danmaku-layer>
<script type="module">
  const seconds = ${seconds}, rate = 8000;
  const bytes = new Uint8Array(44 + seconds * rate);
  const view = new DataView(bytes.buffer);
  const text = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF'); view.setUint32(4, 36 + seconds * rate, true); text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, rate, true); view.setUint32(28, rate, true); view.setUint16(32, 1, true);
  view.setUint16(34, 8, true); text(36, 'data'); view.setUint32(40, seconds * rate, true);
  bytes.fill(128, 44);
  const audio = document.getElementById('audio');
  audio.src = URL.createObjectURL(new Blob([bytes], { type: 'audio/wav' }));
  // The bench waits for the first comment drawn whose index is at least window.waitFrom.
  window.drawnCount = 0;
  window.fetched = 0;
  const fetch = window.fetch;
  window.fetch = async (...args) => {
    const response = await fetch(...args);
    if (String(args[0]).includes('/comments?')) window.fetched += (await response.clone().json()).comments.length;
    return response;
  };
  await customElements.whenDefined('danmaku-layer');
  const layer = document.getElementById('layer');
  await layer.updateComplete;
  new MutationObserver((records) => {
    for (const record of records)
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1 || !/\\bcomment\\b/.test(node.getAttribute('part') ?? '')) continue;
        window.drawnCount++;
        const index = Number(/^c(\\d+)/.exec(node.textContent)?.[1]);
        // Only a comment of the new place: those of the old one may still be entering.
        const wanted = window.waitFrom !== undefined && index >= window.waitFrom && index < window.waitFrom + 1000;
        if (wanted && window.drawnAt === undefined) {
          window.waitFrom = undefined;
          requestAnimationFrame(() => (window.drawnAt = performance.now()));
        }
      }
  }).observe(layer.shadowRoot, { childList: true, subtree: true });
  await new Promise((resolve) => (audio.readyState >= 3 ? resolve() : audio.addEventListener('canplay', resolve, { once: true })));
  window.ready = true;
</script>
`;

/**
 * Runs the page measurements on a room of `count` comments and resolves with the figures.
 * @param {{ count: number, rate: number, log: (line: string) => void }} options
 */
export async function measurePage({ count, rate, log }) {
  const seconds = Math.ceil(count / PER_SECOND);
  const dir = mkdtempSync(join(tmpdir(), 'danmaku-bench-page-'));
  let archive, danmaku, browser;
  try {
    writeFileSync(join(dir, 'index.html'), html(seconds));
    archive = await openSqliteArchive({ dataDir: join(dir, 'data') });
    for (let start = 0; start < count; start += 10_000) {
      const batch = [];
      for (let i = start; i < Math.min(count, start + 10_000); i++)
        batch.push({
          id: `p${i}`,
          text: `c${i} ${'好'.repeat(i % 20)}`,
          color: '#ffffff',
          mode: i % 10 === 0 ? 'top' : 'scroll',
          size: 'medium',
          time: i / PER_SECOND,
        });
      await archive.importComments(ROOM, batch, Date.now());
    }
    log(`page: ${count.toLocaleString('en-US')} comments over ${seconds} s archived`);
    danmaku = await createDanmakuServer({
      archive,
      demo: dir,
      logLevel: 'silent',
      readRateLimit: 0,
      rateLimit: 0,
      ipRateLimit: 0,
    });
    const { port } = await danmaku.listen(0, '127.0.0.1');
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: [...CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
    });
    const page = await browser.newPage();
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => {
      const { metrics: list } = await cdp.send('Performance.getMetrics');
      const m = Object.fromEntries(list.map((x) => [x.name, x.value]));
      return { heapMB: m.JSHeapUsedSize / 2 ** 20, nodes: m.Nodes };
    };
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => window.ready === true, undefined, { timeout: 60_000 });

    // (b) play() to the first comment drawn, then seeks across the media while it plays.
    const drawnAfter = (action, at, from) =>
      page.evaluate(
        async ([action, at, from]) => {
          const audio = document.getElementById('audio');
          window.drawnAt = undefined;
          window.waitFrom = from;
          const started = performance.now();
          if (action === 'play') await audio.play();
          else audio.currentTime = at;
          while (window.drawnAt === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
          return window.drawnAt - started;
        },
        [action, at, from],
      );
    const firstPlay = await drawnAfter('play', 0, 0);
    const seeks = [];
    for (const at of SEEKS.filter((s) => s < seconds - 5)) seeks.push(await drawnAfter('seek', at, at * PER_SECOND));
    log(
      `page: play() → first comment ${firstPlay.toFixed(0)} ms; seeks ${seeks.map((s) => s.toFixed(0)).join(', ')} ms`,
    );

    // (a) memory while playing through every comment at `rate`× speed.
    await page.evaluate(async () => {
      const audio = document.getElementById('audio');
      audio.pause();
      audio.currentTime = 0;
      await new Promise((resolve) => audio.addEventListener('seeked', resolve, { once: true }));
    });
    await cdp.send('HeapProfiler.collectGarbage');
    const before = await metrics();
    const drawnBefore = await page.evaluate(() => window.drawnCount);
    const fetchedBefore = await page.evaluate(() => window.fetched);
    const started = performance.now();
    await page.evaluate(async (rate) => {
      const audio = document.getElementById('audio');
      audio.playbackRate = rate;
      await audio.play();
    }, rate);
    const samples = [];
    // What the page holds on to: after a forced GC at each tenth of the media (the samples in
    // between include garbage V8 has not collected yet).
    const retained = [];
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const { ended, time } = await page.evaluate(() => {
        const audio = document.getElementById('audio');
        return { ended: audio.ended, time: audio.currentTime };
      });
      samples.push({ time, ...(await metrics()) });
      if (ended || time >= seconds - 0.01) break;
      if (time >= ((retained.length + 1) * seconds) / 10) {
        await cdp.send('HeapProfiler.collectGarbage');
        retained.push({ time, ...(await metrics()) });
      }
    }
    const wall = (performance.now() - started) / 1000;
    const drawn = (await page.evaluate(() => window.drawnCount)) - drawnBefore;
    const fetched = (await page.evaluate(() => window.fetched)) - fetchedBefore;
    await cdp.send('HeapProfiler.collectGarbage');
    const afterGc = await metrics();
    const heaps = samples.map((s) => s.heapMB).sort((a, b) => a - b);
    const quarter = Math.max(1, Math.floor(samples.length / 4));
    const mean = (list) => list.reduce((sum, s) => sum + s.heapMB, 0) / list.length;
    return {
      count,
      seconds,
      rate,
      firstPlay,
      seeks: SEEKS.filter((s) => s < seconds - 5).map((at, i) => ({ at, ms: seeks[i] })),
      wall,
      fetched,
      drawn,
      before,
      afterGc,
      heap: { min: heaps[0], median: heaps[Math.floor(heaps.length / 2)], max: heaps[heaps.length - 1] },
      firstQuarterMB: mean(samples.slice(0, quarter)),
      lastQuarterMB: mean(samples.slice(-quarter)),
      nodesMax: Math.max(...samples.map((s) => s.nodes)),
      retained,
      samples: samples.length,
    };
  } finally {
    await browser?.close();
    await danmaku?.close();
    await archive?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Prints the page figures as Markdown. */
export function printPage(r) {
  const mb = (x) => `${x.toFixed(1)} MB`;
  console.log(
    `\nIn Chromium: <danmaku-layer archive> bound to an <audio> of ${r.seconds} s, a room of ${r.count.toLocaleString('en-US')} comments (${PER_SECOND} per second of media) in SQLite, read through the server's HTTP API\n`,
  );
  console.log('| measure | figure |');
  console.log('| --- | --- |');
  console.log(
    `| play() → first comment drawn (window at 0 s read when the media was bound) | ${r.firstPlay.toFixed(0)} ms |`,
  );
  for (const { at, ms } of r.seeks)
    console.log(
      `| seek to ${at} s while playing → first comment of ${at} s drawn (includes the window's read) | ${ms.toFixed(0)} ms |`,
    );
  console.log(
    `| play-through at ${r.rate}× (${r.seconds} s of media in ${r.wall.toFixed(0)} s): comments read from the archive / drawn | ${r.fetched.toLocaleString('en-US')} / ${r.drawn.toLocaleString('en-US')} |`,
  );
  console.log(
    `| JS heap before (after GC) / during: min, median, max of ${r.samples} samples / after (GC) | ${mb(r.before.heapMB)} / ${mb(r.heap.min)}, ${mb(r.heap.median)}, ${mb(r.heap.max)} / ${mb(r.afterGc.heapMB)} |`,
  );
  console.log(
    `| JS heap, mean of the first and of the last quarter of the run | ${mb(r.firstQuarterMB)} → ${mb(r.lastQuarterMB)} |`,
  );
  console.log(
    `| JS heap after a forced GC at each tenth of the media (retained) | ${r.retained.map((s) => `${s.time.toFixed(0)} s: ${s.heapMB.toFixed(1)}`).join(', ')} MB |`,
  );
  console.log(`| DOM nodes before / most during / after | ${r.before.nodes} / ${r.nodesMax} / ${r.afterGc.nodes} |`);
}
