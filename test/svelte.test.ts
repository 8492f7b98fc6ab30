// The Svelte 5 snippet of docs/frameworks.md as a Svelte app runs it: compiled as written by the
// real Svelte compiler, bundled with the widget by rollup, served by the reference server and
// opened in Chromium. The layer must connect, a comment typed into the composer must go through
// the server, and the snippet's `ondanmaku-comment` handler must show it. Two broken copies of the
// snippet (no import, a misspelt event) must fail the same check, so the check can fail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup, type Plugin } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import { compile } from 'svelte/compiler';
import type { Browser } from 'playwright-core';
import type { DanmakuLayer } from 'danmaku-layer';
import { codeBlocks } from './support/code-blocks.js';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';
import { recordingClient, waitFor } from './support/clients.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Inside the repository, so `svelte` and `danmaku-layer` resolve from node_modules.
const dir = join(root, 'test/build/svelte');
const FILE = 'SveltePlayer.svelte';
/**
 * The snippet's server. The test swaps it for the page's own origin (`/ws`, which the layer
 * resolves against the page), where the reference server that serves the app listens.
 */
const PLACEHOLDER = 'wss://danmaku.example.com/ws';
/** The snippet's room, where the test listens from Node. */
const ROOM = 'talk-42';

let browser: Browser;
let snippet: string;
const servers: RunningServer[] = [];

before(async () => {
  await rm(dir, { recursive: true, force: true });
  const block = codeBlocks(await readFile(join(root, 'docs/frameworks.md'), 'utf8')).find((b) => b.file === FILE);
  assert.ok(block, `docs/frameworks.md has a ${FILE} snippet`);
  assert.equal(block.lang, 'svelte');
  snippet = block.code;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  for (const server of servers) await server.close();
});

/** Replaces `from` in `source` once, failing if the snippet no longer has it (the doc changed). */
function swap(source: string, from: string, to: string): string {
  assert.equal(source.split(from).length, 2, `the Svelte snippet has ${JSON.stringify(from)} exactly once`);
  return source.replace(from, () => to);
}

/** Compiles `.svelte` files with the Svelte compiler, collecting its warnings. */
function svelte(warnings: string[]): Plugin {
  return {
    name: 'svelte',
    transform(code, id) {
      if (!id.endsWith('.svelte')) return null;
      const { js, warnings: found } = compile(code, { filename: id, generate: 'client' });
      warnings.push(...found.map((w) => `${w.code}: ${w.message}`));
      return { code: js.code, map: js.map };
    },
  };
}

/**
 * Builds an app whose only component is `source`, mounted into `#app`, into a folder of its own
 * (index.html + app.js) and starts a reference server that serves it. Resolves with the server
 * and the compiler's warnings.
 */
async function buildApp(name: string, source: string): Promise<{ server: RunningServer; warnings: string[] }> {
  const src = join(dir, name);
  const www = join(src, 'www');
  await mkdir(src, { recursive: true });
  await writeFile(join(src, FILE), source);
  await writeFile(
    join(src, 'main.js'),
    `import { mount } from 'svelte';\nimport Player from './${FILE}';\nmount(Player, { target: document.getElementById('app') });\n`,
  );
  const warnings: string[] = [];
  const bundle = await rollup({
    input: join(src, 'main.js'),
    // As a bundler for the browser resolves them: Svelte's client runtime, the widget's ES modules.
    plugins: [svelte(warnings), nodeResolve({ browser: true, exportConditions: ['svelte', 'browser', 'production'] })],
    onwarn: (warning) => {
      // Svelte's runtime has import cycles of its own; bundlers (Vite too) let them pass.
      const inSvelte = warning.ids?.every((id) => id.includes('/node_modules/svelte/'));
      if (warning.code === 'CIRCULAR_DEPENDENCY' && inSvelte) return;
      warnings.push(`rollup ${warning.code}: ${warning.message}`);
    },
  });
  // One file: the server serves the top of the folder only, so lazily loaded parts are inlined.
  await bundle.write({ dir: www, format: 'es', entryFileNames: 'app.js', inlineDynamicImports: true });
  await bundle.close();
  await writeFile(
    join(www, 'index.html'),
    '<!doctype html><html lang="en"><meta charset="utf-8"><title>Svelte</title>' +
      '<div id="app"></div><script type="module" src="/app.js"></script></html>',
  );
  const server = await startServer({ demo: www });
  servers.push(server);
  return { server, warnings };
}

/**
 * Opens the app served by `server`, types `text` into the snippet's composer and checks what a
 * person would see, failing with a message that says which step broke. Waits at most `timeout`
 * ms for each step.
 */
async function exercise(server: RunningServer, text: string, timeout: number): Promise<void> {
  const listener = recordingClient({ url: server.ws, room: ROOM });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  try {
    await waitFor(() => listener.connection.status === 'open', 5000, 'the listener to join');
    await page.goto(`${server.http}/`);
    await page
      .waitForFunction(
        () => document.querySelector<DanmakuLayer>('#app > danmaku-layer')?.status === 'open',
        undefined,
        { timeout },
      )
      .catch(() => assert.fail(`the snippet's layer never connected (page errors: ${errors.join('; ') || 'none'})`));
    // The component rendered the markup as written: the layer wraps the video, the composer follows.
    assert.equal(await page.locator('#app > danmaku-layer#live > video').count(), 1, 'the layer wraps the video');
    assert.equal(await page.locator('#app > danmaku-layer').evaluate((el) => (el as DanmakuLayer).room), ROOM);

    const input = page.locator('#app > danmaku-composer [part="input"]');
    await input.waitFor({ timeout }).catch(() => assert.fail('the snippet has no working composer'));
    await input.fill(text);
    await input.press('Enter');

    await waitFor(() => listener.comments.some((c) => c.text === text), timeout, 'the comment at the server').catch(
      () => assert.fail('the comment typed into the composer never reached the server'),
    );
    await page
      .waitForFunction((t) => document.querySelector('#app > p')?.textContent === t, text, { timeout })
      .catch(() => assert.fail("the snippet's ondanmaku-comment handler never showed the comment"));
    // The layer drew it, and neither the layer nor the paragraph made elements from the text.
    const shown = await page
      .locator('#app > danmaku-layer')
      .evaluate((el) => [...el.shadowRoot!.querySelectorAll('.comment')].map((c) => c.textContent));
    assert.ok(shown.includes(text), `the layer shows the comment: ${JSON.stringify(shown)}`);
    assert.equal(await page.locator('#app b').count(), 0, 'no element was made from the text');
    assert.deepEqual(errors, [], 'no errors on the page');
  } finally {
    listener.connection.close();
    await page.close();
  }
}

test('the Svelte 5 snippet of docs/frameworks.md compiles without warnings and works against the server', async () => {
  const { server, warnings } = await buildApp('snippet', swap(snippet, PLACEHOLDER, '/ws'));
  assert.deepEqual(warnings, [], 'the Svelte compiler and rollup have nothing to say about the snippet');
  await exercise(server, '<b>from Svelte</b> 好😀', 10_000);
});

test('the check fails for a snippet that renders no working layer or whose handler never fires', async () => {
  const withUrl = swap(snippet, PLACEHOLDER, '/ws');
  const mistakes = [
    {
      name: 'no-import',
      source: swap(withUrl, "import 'danmaku-layer';", ''),
      error: /the snippet's layer never connected/,
    },
    {
      name: 'misspelt-event',
      source: swap(withUrl, 'ondanmaku-comment=', 'ondanmaku-comments='),
      error: /the snippet's ondanmaku-comment handler never showed the comment/,
    },
  ];
  for (const mistake of mistakes) {
    const { server } = await buildApp(mistake.name, mistake.source);
    await assert.rejects(exercise(server, `broken: ${mistake.name}`, 2000), mistake.error, `${mistake.name} is caught`);
  }
});
