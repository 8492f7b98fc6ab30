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
  // 13 KB = 13,000 bytes, read strictly: the entry is what every page with a layer loads. It was
  // 12,000 until the entry learned to retry a failed fetch of its parts and to say which file is
  // missing (internal/load-chunk.ts), and to fetch them from content-named files (docs/widget.md).
  'danmaku-layer.bundle.js': 13_000,
  'danmaku-composer.bundle.js': 6.5 * 1024,
  // For sites that copy one file: both elements and every optional part (sending, canvas renderer
  // and its worker, hover, click, tap and long press, announcements, media sync, following a
  // target, fullscreen and picture-in-picture with the comments). It was 22 KiB (22,528) until the touch,
  // fullscreen and picture-in-picture parts came (about 1 KB, the entry's share of it 14 bytes).
  'danmaku-layer.standalone.js': 22_784,
};

/**
 * What a page with a layer and a composer downloads: the entry, the composer's part, and the
 * connection's sending code, which a composer fetches at once.
 */
const WITH_COMPOSER = ['danmaku-layer.bundle.js', 'danmaku-composer.bundle.js', 'outbox'];

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
  const files = WITH_COMPOSER.map((name) => (name.endsWith('.js') ? name : chunk(dist, name)));
  const both = files.reduce((sum, name) => sum + gzipSync(readFileSync(dist + name), { level: 9 }).length, 0);
  lines.push(`     a page with both elements loads ${kib(both)} min+gzip (${files.join(', ')})`);
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
