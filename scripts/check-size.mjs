#!/usr/bin/env node
// Size budget of the script-tag bundle, checked by `npm run build` after rollup: prints each file's
// minified and gzipped size and exits 1 when one is over its budget. Sizes are gzip level 9, the
// way servers and CDNs usually precompress; 1 KiB = 1024 bytes.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../packages/widget/dist/', import.meta.url));

/** Budgets in bytes, min+gzip. The entry is what every page loads; the composer only pages that use it. */
export const BUDGETS = {
  'danmaku-layer.bundle.js': 12 * 1024,
  'danmaku-composer.bundle.js': 3 * 1024,
};

/** Minified and gzipped size of one built file. */
export function measure(name) {
  const code = readFileSync(dist + name);
  return { name, min: code.length, gzip: gzipSync(code, { level: 9 }).length, budget: BUDGETS[name] };
}

const kib = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = Object.keys(BUDGETS).map(measure);
  let over = false;
  for (const { name, min, gzip, budget } of rows) {
    const ok = gzip <= budget;
    over ||= !ok;
    console.log(`${ok ? 'ok  ' : 'OVER'} ${name.padEnd(28)} ${kib(min).padStart(10)} min  ${kib(gzip).padStart(9)} min+gzip  (budget ${kib(budget)})`);
  }
  const total = rows.reduce((sum, r) => sum + r.gzip, 0);
  console.log(`     a page with both elements loads ${kib(total)} min+gzip`);
  if (over) {
    console.error('check-size: the script-tag bundle is over its size budget (scripts/check-size.mjs).');
    process.exit(1);
  }
}
