// The element typings as a framework user meets them: the React and Vue snippets of
// docs/frameworks.md type-check as written (tsc for TSX, vue-tsc for the Vue template), and
// mistakes in props and event handlers are reported (the `expect-error` files fail to compile
// otherwise). And they cannot drift from the elements: every attribute, settable property and
// event in the Custom Elements Manifest is a prop of the React and Vue types (a file naming each
// one fails to compile otherwise).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { codeBlocks } from './support/code-blocks.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Inside the repository, so `danmaku-layer`, react's types and vue resolve from node_modules.
const dir = join(root, 'test/build/typings');
const run = promisify(execFile);

const TSCONFIG = {
  compilerOptions: {
    strict: true,
    noEmit: true,
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    jsx: 'react-jsx',
    types: [],
    skipLibCheck: true,
  },
};

const REACT_MISTAKES = `
import 'danmaku-layer';
import type {} from 'danmaku-layer/react.js';
// @ts-expect-error speed is a number of px/s
export const a = <danmaku-layer speed="fast" />;
// @ts-expect-error no such mode
export const b = <danmaku-composer mode="diagonal" />;
// @ts-expect-error the comment event's detail has no such field
export const c = <danmaku-layer ondanmaku-comment={(e) => e.detail.nope} />;
// @ts-expect-error unknown attribute
export const d = <danmaku-composer colour="#fff" />;
`;

const VUE_MISTAKES = `<script setup lang="ts">
import 'danmaku-layer';
import type {} from 'danmaku-layer/vue.js';
</script>
<template>
  <!-- @vue-expect-error speed is a number of px/s -->
  <danmaku-layer :speed="'fast'" />
  <!-- @vue-expect-error no such mode -->
  <danmaku-composer mode="diagonal" />
</template>
`;

async function check(tool: 'typescript/bin/tsc' | 'vue-tsc/bin/vue-tsc.js', project: string): Promise<void> {
  try {
    await run(process.execPath, [join(root, 'node_modules', tool), '-p', project], { cwd: root });
  } catch (error) {
    const { stdout, stderr } = error as { stdout: string; stderr: string };
    assert.fail(`${tool} found errors in ${project}:\n${stdout}${stderr}`);
  }
}

interface Manifest {
  modules: {
    declarations?: {
      tagName?: string;
      customElement?: boolean;
      members?: { kind: string; name: string; static?: boolean; readonly?: boolean; privacy?: string }[];
      attributes?: { name: string }[];
      events?: { name: string }[];
    }[];
  }[];
}

/** What the manifest documents for each element: attribute and settable property names, event names. */
function documented(manifest: Manifest): Map<string, { props: Set<string>; events: string[] }> {
  const elements = new Map<string, { props: Set<string>; events: string[] }>();
  for (const d of manifest.modules.flatMap((m) => m.declarations ?? [])) {
    if (!d.customElement || !d.tagName) continue;
    const props = new Set((d.attributes ?? []).map((a) => a.name));
    for (const m of d.members ?? []) {
      if (
        m.kind === 'field' &&
        !m.static &&
        !m.readonly &&
        !m.name.startsWith('#') &&
        (m.privacy ?? 'public') === 'public'
      )
        props.add(m.name);
    }
    elements.set(d.tagName, { props, events: (d.events ?? []).map((e) => e.name) });
  }
  return elements;
}

/** A file that names, through the framework types, every documented prop and event: it compiles only if each one is typed. */
function coverage(manifest: Manifest, framework: 'react' | 'vue'): string {
  const lines =
    framework === 'react'
      ? ["import type { DanmakuLayerProps, DanmakuComposerProps, DanmakuSettingsProps } from 'danmaku-layer/react.js';"]
      : ["import type { DanmakuLayerVue, DanmakuComposerVue, DanmakuSettingsVue } from 'danmaku-layer/vue.js';"];
  const types: Record<string, string> =
    framework === 'react'
      ? {
          'danmaku-layer': 'Required<DanmakuLayerProps>',
          'danmaku-composer': 'Required<DanmakuComposerProps>',
          'danmaku-settings': 'Required<DanmakuSettingsProps>',
        }
      : {
          'danmaku-layer': "Required<InstanceType<DanmakuLayerVue>['$props']>",
          'danmaku-composer': "Required<InstanceType<DanmakuComposerVue>['$props']>",
          'danmaku-settings': "Required<InstanceType<DanmakuSettingsVue>['$props']>",
        };
  let n = 0;
  for (const [tag, { props, events }] of documented(manifest)) {
    const type = types[tag];
    assert.ok(type, `a ${framework} type for <${tag}>`);
    for (const prop of props) lines.push(`export type P${n++} = ${type}[${JSON.stringify(prop)}];`);
    if (framework === 'react')
      for (const event of events) lines.push(`export type P${n++} = ${type}[${JSON.stringify(`on${event}`)}];`);
  }
  return lines.join('\n') + '\n';
}

const readManifest = async (): Promise<Manifest> =>
  JSON.parse(await readFile(join(root, 'packages/widget/custom-elements.json'), 'utf8')) as Manifest;

before(async () => {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'react'), { recursive: true });
  await mkdir(join(dir, 'vue'), { recursive: true });
  const guide = await readFile(join(root, 'docs/frameworks.md'), 'utf8');
  for (const block of codeBlocks(guide)) {
    if (block.file.endsWith('.tsx')) await writeFile(join(dir, 'react', block.file), block.code);
    if (block.file.endsWith('.vue')) await writeFile(join(dir, 'vue', block.file), block.code);
  }
  await writeFile(join(dir, 'react', 'mistakes.tsx'), REACT_MISTAKES);
  const manifest = await readManifest();
  await writeFile(join(dir, 'react', 'coverage.tsx'), coverage(manifest, 'react'));
  await mkdir(join(dir, 'vue-coverage'), { recursive: true });
  await writeFile(join(dir, 'vue-coverage', 'coverage.ts'), coverage(manifest, 'vue'));
  await writeFile(join(dir, 'vue-coverage', 'tsconfig.json'), JSON.stringify({ ...TSCONFIG, include: ['*.ts'] }));
  await writeFile(join(dir, 'vue', 'Mistakes.vue'), VUE_MISTAKES);
  await writeFile(join(dir, 'react', 'tsconfig.json'), JSON.stringify({ ...TSCONFIG, include: ['*.tsx'] }));
  await writeFile(
    join(dir, 'vue', 'tsconfig.json'),
    JSON.stringify({
      ...TSCONFIG,
      compilerOptions: { ...TSCONFIG.compilerOptions, jsx: 'preserve' },
      include: ['*.vue'],
    }),
  );
});

test('the React snippets type-check with React 19 types, and prop mistakes are errors', async () => {
  const snippets = codeBlocks(await readFile(join(root, 'docs/frameworks.md'), 'utf8')).filter((b) =>
    b.file.endsWith('.tsx'),
  );
  assert.ok(snippets.length > 0, 'docs/frameworks.md has a TSX snippet');
  await check('typescript/bin/tsc', join(dir, 'react'));
});

test('the Vue snippets type-check with vue-tsc, and prop mistakes are errors', async () => {
  const snippets = codeBlocks(await readFile(join(root, 'docs/frameworks.md'), 'utf8')).filter((b) =>
    b.file.endsWith('.vue'),
  );
  assert.ok(snippets.length > 0, 'docs/frameworks.md has a Vue snippet');
  await check('vue-tsc/bin/vue-tsc.js', join(dir, 'vue'));
});

test('every attribute, property and event in the Custom Elements Manifest is typed for React and Vue', async () => {
  const elements = documented(await readManifest());
  // The manifest itself is complete: the attributes and events the issue of drift was about.
  const layer = elements.get('danmaku-layer')!;
  for (const name of [
    'area',
    'interactive',
    'merge',
    'announce',
    'media',
    'duration',
    'reverse',
    'opacity',
    'density',
    'hide-modes',
    'blocklist',
    'token',
  ]) {
    assert.ok(layer.props.has(name), `the manifest documents ${name}`);
  }
  assert.ok(layer.events.includes('danmaku-status'));
  await check('typescript/bin/tsc', join(dir, 'react'));
  await check('typescript/bin/tsc', join(dir, 'vue-coverage'));
});
