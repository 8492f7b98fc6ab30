#!/usr/bin/env node
// Size budget of the script-tag bundle, checked by `npm run build` after rollup: prints each file's
// minified and gzipped size and exits 1 when one is over its budget. Sizes are gzip level 9, the
// way servers and CDNs usually precompress; 1 KiB = 1024 bytes, 1 KB = 1000 bytes.
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../packages/widget/dist/', import.meta.url));

/**
 * Budgets in bytes, min+gzip. The entry is what every page loads; the composer only pages that use
 * it. The composer's part carries lit-html, which the layer (a plain ReactiveElement) does not need.
 */
export const BUDGETS = {
  // Read strictly: the entry is what every page with a layer loads. It measured 10,792 bytes once
  // the connection (connection.ts and reconnecting-websocket, bundled as published) became a chunk
  // of its own, fetched when a layer first has a `src`; the budget leaves about 700 bytes for the
  // attributes and small features still to come. It may never pass 13,000 bytes (docs/widget.md).
  // Moderation raised it by 200 (the entry grew from 11,272 to 11,625 bytes): the protocol's parser
  // of the new server messages (it shares a module with what the entry needs), the six request
  // methods, four read-only properties and taking retracted comments off the stage; the requests
  // themselves, their timeouts and the room's state ride in the outbox and connection chunks.
  // The DOM renderer's rows per lane and in-place reuse of departed comments raised it by 100 (the
  // entry grew from 11,661 to about 11,750 bytes): about a point of a core less at 200 comments/s.
  'danmaku-layer.bundle.js': 11_800,
  // The composer without lit-html, which it shares with the settings panel in a chunk of its own
  // (about 3.3 KiB; the composer carried it, 6.2 KiB in all, until the panel came).
  // 3.5 KiB until it showed the room's viewer count, slow mode's countdown and a mute's time left
  // (3,682 bytes then, with their texts and the Intl formatting of numbers and times); 3.75 KiB
  // until its texts shipped in Simplified Chinese and Japanese too, as the settings panel's do
  // (5,042 bytes then: 1,360 for the two sets of texts).
  'danmaku-composer.bundle.js': 5.25 * 1024,
  // <danmaku-settings>: the viewer's panel, its texts in three languages, fetched only by pages
  // that hold one (lit-html comes in a chunk it shares with the composer).
  'danmaku-settings.bundle.js': 7.5 * 1024,
  // For sites that copy one file: the three elements and every optional part (the connection,
  // sending, canvas renderer and its worker, hover and click, announcements, media sync, following
  // a target, tap and long press, fullscreen and picture-in-picture, the archive feed, the bilibili
  // and DPlayer reader). 22 KiB until reconnecting-websocket was bundled as published (22,915 bytes
  // then) and it took in <danmaku-settings> (about 6.5 KiB), the archive's parts (about 2.3 KiB) and
  // touch, fullscreen and picture-in-picture (about 1 KiB); 34.5 KiB until moderation (the layer's
  // requests and retractions, the composer's viewer count, slow mode and mute; 35,468 bytes then);
  // 35.5 KiB until the composer's texts in Chinese and Japanese (37,863 bytes then).
  'danmaku-layer.standalone.js': 37.25 * 1024,
};

/**
 * What pages download, besides the budgeted files: a layer with a `src` fetches the connection's
 * chunk; a composer fetches lit-html (a chunk it shares with the settings panel) and the sending
 * code at once. Chunks are named without their hash.
 */
const PAGES = {
  'a layer with a src': ['danmaku-layer.bundle.js', 'connection'],
  'a layer and a composer': [
    'danmaku-layer.bundle.js',
    'connection',
    'danmaku-composer.bundle.js',
    'lit-element',
    'outbox',
  ],
};

/** The file name, under `dist`, of the chunk built from `name` (`chunks/<name>-<hash>.js`). */
function chunk(dist, name) {
  const file = readdirSync(`${dist}chunks`).find((f) => f.startsWith(`${name}-`) && f.endsWith('.js'));
  if (!file) throw new Error(`check-size: no chunks/${name}-*.js in ${dist}`);
  return `chunks/${file}`;
}

const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;
const count = (bytes) => `${bytes.toLocaleString('en-US')} bytes`;

/**
 * Measures the files built in `dist` against `budgets` ({ file name: bytes }).
 * @returns {{ over: boolean, lines: string[], rows: { name: string, min: number, gzip: number, budget: number }[] }}
 */
export function checkSizes(budgets = BUDGETS, dist = DIST) {
  const rows = Object.entries(budgets).map(([name, budget]) => {
    const code = readFileSync(dist + name);
    return { name, min: code.length, gzip: gzipSync(code, { level: 9 }).length, budget };
  });
  const lines = rows.map(
    ({ name, min, gzip, budget }) =>
      `${gzip <= budget ? 'ok  ' : 'OVER'} ${name.padEnd(29)} ${kib(min).padStart(10)} min  ${kib(gzip).padStart(9)} min+gzip = ${count(gzip).padStart(12)}  (budget ${count(budget)})`,
  );
  for (const [page, names] of Object.entries(PAGES)) {
    const files = names.map((name) => (name.endsWith('.js') ? name : chunk(dist, name)));
    const total = files.reduce((sum, name) => sum + gzipSync(readFileSync(dist + name), { level: 9 }).length, 0);
    lines.push(`     ${page} loads ${kib(total)} = ${count(total)} min+gzip (${files.join(', ')})`);
  }
  return { over: rows.some((r) => r.gzip > r.budget), lines, rows };
}

// `node scripts/check-size.mjs [dist folder]`: the folder is packages/widget/dist/ unless given.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  const { over, lines } = checkSizes(BUDGETS, dir ? `${dir.replace(/\/?$/, '/')}` : DIST);
  for (const line of lines) console.log(line);
  if (over) {
    console.error('check-size: the script-tag bundle is over its size budget (scripts/check-size.mjs).');
    process.exit(1);
  }
}
