// The size check that `npm run build` runs (scripts/check-size.mjs), as the build runs it: it
// passes on the files just built, fails (exit 1, an OVER line) when one of them grows past its
// budget, and the budgets docs/widget.md states are the ones it enforces.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = join(root, 'scripts/check-size.mjs');
const { BUDGETS } = (await import(script)) as { BUDGETS: Record<string, number> };
const run = promisify(execFile);
let dist: string;

before(async () => {
  dist = await mkdtemp(join(tmpdir(), 'danmaku-dist-'));
  await cp(join(root, 'packages/widget/dist'), dist, { recursive: true });
});
after(() => rm(dist, { recursive: true, force: true }));

/** Runs the check over `dir` and returns its exit code and output. */
async function check(dir?: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...(dir ? [dir] : [])]);
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, out: stdout + stderr };
  }
}

test('the files just built pass the check, each measured and named', async () => {
  const { code, out } = await check();
  assert.equal(code, 0, out);
  for (const name of Object.keys(BUDGETS)) assert.match(out, new RegExp(`^ok +${name.replace(/\./g, '\\.')} `, 'm'));
});

for (const name of ['danmaku-layer.bundle.js', 'danmaku-layer.standalone.js']) {
  test(`${name} grown past its budget fails the check`, async () => {
    // Incompressible bytes: gzip cannot hide them.
    await appendFile(join(dist, name), `/*${randomBytes(BUDGETS[name]).toString('base64')}*/`);
    const { code, out } = await check(dist);
    assert.equal(code, 1, out);
    assert.match(out, new RegExp(`^OVER ${name.replace(/\./g, '\\.')} `, 'm'));
    assert.match(out, /over its size budget/);
  });
}

test('docs/widget.md states the budgets the check enforces', async () => {
  const doc = await readFile(join(root, 'docs/widget.md'), 'utf8');
  const bytes = (n: number) =>
    n % 1024 === 0 || n % 1024 === 512 ? `${n / 1024} KiB` : `${n.toLocaleString('en-US')} bytes`;
  for (const [name, budget] of Object.entries(BUDGETS)) {
    const row = doc.split('\n').find((line) => line.startsWith(`| \`${name}\``));
    assert.ok(row, `docs/widget.md has a row for ${name}`);
    assert.ok(row.endsWith(`| ${bytes(budget)} |`), `${row} states ${bytes(budget)}`);
  }
});
