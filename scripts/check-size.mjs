#!/usr/bin/env node
// Size budget of the script-tag bundle, checked by `npm run build` after rollup: prints each file's
// minified and gzipped size and exits 1 when one is over its budget. Sizes are gzip level 9, the
// way servers and CDNs usually precompress; 1 KiB = 1024 bytes.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../packages/widget/dist/', import.meta.url));

/**
 * Budgets in bytes, min+gzip. The entry is what every page loads; the composer only pages that use
 * it. The composer's part carries lit-html, which the layer (a plain ReactiveElement) does not need.
 */
export const BUDGETS = {
  // The target is 12 KiB. The full rendering engine (lanes, waiting line, recycling, filters,
  // interaction) took the entry past it; this ceiling keeps it from growing while it is brought back.
  'danmaku-layer.bundle.js': 13.5 * 1024,
  'danmaku-composer.bundle.js': 6.5 * 1024,
};

const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;

/**
 * Measures the built files against `budgets` ({ file name: bytes }).
 * @returns {{ over: boolean, lines: string[], rows: { name: string, min: number, gzip: number, budget: number }[] }}
 */
export function checkSizes(budgets = BUDGETS) {
  const rows = Object.entries(budgets).map(([name, budget]) => {
    const code = readFileSync(dist + name);
    return { name, min: code.length, gzip: gzipSync(code, { level: 9 }).length, budget };
  });
  const lines = rows.map(
    ({ name, min, gzip, budget }) =>
      `${gzip <= budget ? 'ok  ' : 'OVER'} ${name.padEnd(28)} ${kib(min).padStart(10)} min  ${kib(gzip).padStart(9)} min+gzip  (budget ${kib(budget)})`,
  );
  lines.push(`     a page with both elements loads ${kib(rows.reduce((sum, r) => sum + r.gzip, 0))} min+gzip`);
  return { over: rows.some((r) => r.gzip > r.budget), lines, rows };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { over, lines } = checkSizes();
  for (const line of lines) console.log(line);
  if (over) {
    console.error('check-size: the script-tag bundle is over its size budget (scripts/check-size.mjs).');
    process.exit(1);
  }
}
