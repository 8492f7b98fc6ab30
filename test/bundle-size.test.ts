// The script-tag bundle's size budget (scripts/check-size.mjs, run by `npm run build`): the built
// files are within it, and a file over its budget is reported as such.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

interface SizeReport {
  over: boolean;
  lines: string[];
  rows: { name: string; min: number; gzip: number; budget: number }[];
}
const root = fileURLToPath(new URL('../../', import.meta.url));
const { checkSizes, BUDGETS } = (await import(`${root}scripts/check-size.mjs`)) as {
  checkSizes(budgets?: Record<string, number>): SizeReport;
  BUDGETS: Record<string, number>;
};

test('the built files are within their budgets: entry 12 KB (12,000 bytes), composer part 6.5 KiB', () => {
  assert.equal(BUDGETS['danmaku-layer.bundle.js'], 12_000);
  assert.equal(BUDGETS['danmaku-composer.bundle.js'], 6.5 * 1024);
  const report = checkSizes();
  assert.equal(report.over, false, report.lines.join('\n'));
  for (const row of report.rows) assert.ok(row.gzip > 1000 && row.gzip < row.min, `${row.name} is minified and gzipped`);
});

test('a file over its budget fails the check', () => {
  const report = checkSizes({ 'danmaku-layer.bundle.js': 1024 });
  assert.equal(report.over, true);
  assert.match(report.lines[0]!, /^OVER danmaku-layer\.bundle\.js/);
});
