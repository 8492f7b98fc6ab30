// The npm package imported where there is no DOM (server-side rendering): every entry loads
// without throwing, in a fresh Node.js process with no `window`, `document` or `customElements`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

test('every JavaScript entry of the package imports in Node.js without a DOM', async () => {
  const pkg = JSON.parse(await readFile(`${root}packages/widget/package.json`, 'utf8')) as {
    exports: Record<string, string | { default: string }>;
  };
  const entries = Object.entries(pkg.exports)
    // The script-tag builds under dist/ are for browsers only, like a <script> tag.
    .filter(([, target]) => typeof target === 'object' && !target.default.startsWith('./dist/'))
    .map(([subpath]) => `danmaku-layer${subpath.slice(1)}`);
  assert.ok(entries.includes('danmaku-layer') && entries.includes('danmaku-layer/danmaku-composer.js'));
  const script = `
    const before = { window: typeof window, document: typeof document, customElements: typeof customElements };
    const loaded = [];
    for (const entry of ${JSON.stringify(entries)}) loaded.push([entry, Object.keys(await import(entry)).length]);
    const { DanmakuLayer, DanmakuComposer, DanmakuError } = await import('danmaku-layer');
    console.log(JSON.stringify({ before, loaded, classes: [typeof DanmakuLayer, typeof DanmakuComposer, new DanmakuError('closed', 'x').code] }));
  `;
  const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root });
  assert.equal(stderr, '');
  const result = JSON.parse(stdout) as {
    before: Record<string, string>;
    loaded: [string, number][];
    classes: string[];
  };
  assert.deepEqual(result.before, { window: 'undefined', document: 'undefined', customElements: 'undefined' });
  assert.deepEqual(
    result.loaded.map(([entry]) => entry),
    entries,
  );
  assert.deepEqual(result.classes, ['function', 'function', 'closed']);
});

test('package.json: every subpath ends in .js with types first, and the manifest is named', async () => {
  const pkg = JSON.parse(await readFile(`${root}packages/widget/package.json`, 'utf8')) as {
    exports: Record<string, unknown>;
    customElements: string;
    sideEffects: string[];
  };
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (subpath === '.' || subpath === './package.json' || subpath === './custom-elements.json') continue;
    assert.match(subpath, /\.js$/, subpath);
    assert.deepEqual(Object.keys(target as object), ['types', 'default'], subpath);
  }
  assert.equal(pkg.customElements, 'custom-elements.json');
  // Component classes are free of side effects; only registration modules and bundles have them.
  assert.ok(!pkg.sideEffects.some((file) => file.includes('.component')));
  const manifest = JSON.parse(await readFile(`${root}packages/widget/${pkg.customElements}`, 'utf8')) as {
    modules: { declarations?: { tagName?: string }[] }[];
  };
  const tags = manifest.modules
    .flatMap((m) => m.declarations ?? [])
    .map((d) => d.tagName)
    .filter(Boolean);
  assert.deepEqual(tags.sort(), ['danmaku-composer', 'danmaku-layer', 'danmaku-settings']);
});
