// Bundles the JavaScript that `tsc -b` emitted (TypeScript itself never runs inside rollup).
// packages/widget/lib/*.js are already the ES modules for bundlers; this file only makes the
// self-contained, minified script-tag files with lit and reconnecting-websocket inlined, in
// packages/widget/dist/:
//   danmaku-layer.bundle.js       the entry: <danmaku-layer>, and what fetches the rest on use
//   danmaku-composer.bundle.js    <danmaku-composer>, fetched when a page holds one
//   danmaku-settings.bundle.js    <danmaku-settings>, fetched when a page holds one
//   chunks/*-[hash].js            optional parts (the connection, sending, canvas renderer and its
//                                 worker, …)
//   danmaku-layer.standalone.js   both elements and every part in one file, no other file needed
// The fixed names may change content under the same URL (served with a short cache); the chunks
// are named by their content (cached for good). `scripts/check-size.mjs` then enforces the budgets.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import { rollup } from 'rollup';
import { rmSync } from 'node:fs';

const DIST = 'packages/widget/dist';

/**
 * Empties dist before writing: chunk names change as modules move, and the reference server serves
 * every `*.bundle.js` there, so a chunk from an earlier build must not linger.
 */
function emptyDist() {
  return { name: 'empty-dist', generateBundle: () => rmSync(DIST, { recursive: true, force: true }) };
}

/**
 * Minifies the CSS inside our own style sheets, `unsafeCSS(`…`)` or css`…` (comments, runs of white
 * space), which terser leaves alone. Only spaces next to `{ } ; ,` and after `:` are dropped: a space
 * before `:` or between words can be a combinator.
 */
function minifyCssTemplates() {
  return {
    name: 'minify-css-templates',
    transform(code, id) {
      if (!id.includes('/packages/widget/lib/')) return null;
      const out = code.replace(
        /\b(css ?|unsafeCSS\()`([^`]*)`/g,
        (_, tag, body) =>
          tag +
          '`' +
          body
            .replace(/\/\*[\s\S]*?\*\//g, '')
            .replace(/\s+/g, ' ')
            .replace(/\s*([{};,])\s*/g, '$1')
            .replace(/: /g, ':')
            .replace(/;}/g, '}')
            .trim() +
          '`',
      );
      return out === code ? null : { code: out, map: null };
    },
  };
}

/** How `render/canvas-renderer.js` starts its worker: the form bundlers (Vite, webpack, rollup) recognise. */
const WORKER_URL = "new URL('./canvas-worker.js', import.meta.url)";

/**
 * The canvas renderer's worker, which works as is in `lib/`. In the chunked build it becomes a file
 * of its own under `chunks/`, and the URL is pointed at it. The build fails if the form changes.
 */
function canvasWorker() {
  return {
    name: 'canvas-worker',
    async transform(code, id) {
      if (!id.endsWith('/lib/render/canvas-renderer.js')) return null;
      if (!code.includes(WORKER_URL))
        this.error(`canvas-renderer.js no longer starts its worker with ${WORKER_URL} (rollup.config.mjs)`);
      const worker = await this.resolve('./canvas-worker.js', id);
      const ref = this.emitFile({ type: 'chunk', id: worker.id, name: 'canvas-worker' });
      return { code: code.replace(WORKER_URL, `import.meta.ROLLUP_FILE_URL_${ref}`), map: null };
    },
  };
}

/**
 * The worker of the one-file build: bundled and minified on its own, then written into
 * `canvas-renderer.js` as a `data:` URL, so that no second file is fetched. Not a `blob:` URL: sites
 * with a strict Content-Security-Policy refuse those more often than `data:`; where a policy
 * refuses both, the worker fires `error` and the layer draws with the DOM renderer (and reports
 * `canvas_unavailable`; docs/troubleshooting.md gives the `worker-src` each build needs).
 */
function inlineCanvasWorker() {
  return {
    name: 'inline-canvas-worker',
    async transform(code, id) {
      if (!id.endsWith('/lib/render/canvas-renderer.js')) return null;
      if (!code.includes(WORKER_URL))
        this.error(`canvas-renderer.js no longer starts its worker with ${WORKER_URL} (rollup.config.mjs)`);
      const build = await rollup({
        input: id.replace(/canvas-renderer\.js$/, 'canvas-worker.js'),
        plugins: [terser(TERSER)],
      });
      const { output } = await build.generate({ format: 'es' });
      await build.close();
      const source = JSON.stringify(output[0].code);
      return { code: code.replace(WORKER_URL, `'data:text/javascript,' + encodeURIComponent(${source})`), map: null };
    },
  };
}

/**
 * V8's explicit compile hint, the entry's first line: every function of the file is compiled while
 * the file streams in, off the main thread, rather than on its first call on the main thread.
 * Nearly all of the entry's functions run before a layer shows its first comment (lit's element
 * definition, the stage, the renderer): compiled one by one on first call, they were a third of the
 * entry's run on the main thread (bench/widget/cold-start.mjs).
 */
const COMPILE_HINT = '//# allFunctionsCalledOnLoad';

/** Terser's options, for every output file. */
const TERSER = {
  ecma: 2022,
  module: true,
  // No comment is kept but V8's compile hint (COMPILE_HINT).
  format: { comments: /^# allFunctionsCalledOnLoad$/ },
  compress: {
    passes: 3,
    unsafe_arrows: true,
    unsafe_methods: true,
    pure_getters: true,
    // Lets terser drop lit's JSCompiler_renameProperty (an identity function whose second
    // argument is unused) from the calls it wraps; nothing here relies on Function.length.
    keep_fargs: false,
  },
  // No property is renamed: our own private members are `#` names, which terser shortens anyway,
  // and the code of our dependencies is bundled as published.
};

/** What both builds share: resolution, CSS minification, terser. */
const plugins = (worker) => [
  nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
  worker,
  minifyCssTemplates(),
  terser(TERSER),
];

/** The lazy parts of the entry that keep a fixed name (`[name].bundle.js`) next to it. */
const FIXED_NAMES = ['danmaku-composer', 'danmaku-settings'];

export default [
  {
    input: 'packages/widget/lib/bundle.js',
    // Lets the composer's file import lit from the entry instead of a third shared file.
    preserveEntrySignatures: 'allow-extension',
    output: {
      dir: DIST,
      // The worker is an emitted chunk, which rollup names like an entry.
      entryFileNames: (chunk) =>
        chunk.name === 'canvas-worker' ? 'chunks/[name]-[hash].js' : 'danmaku-layer.bundle.js',
      // `<danmaku-composer>` and `<danmaku-settings>` keep a fixed name next to the entry: pages may
      // load them on their own.
      chunkFileNames: (chunk) => (FIXED_NAMES.includes(chunk.name) ? '[name].bundle.js' : 'chunks/[name]-[hash].js'),
      format: 'es',
      sourcemap: true,
      banner: (chunk) => (chunk.fileName === 'danmaku-layer.bundle.js' ? COMPILE_HINT : ''),
      // A module shared by two chunks becomes a chunk of its own: `connection/load-outbox.js`, which
      // the connection and the composer both import, would be a third request of about 150 bytes.
      // Chunks that small, and free of side effects, go into the entry instead (the optional parts
      // are all well above this).
      experimentalMinChunkSize: 256,
    },
    plugins: [emptyDist(), ...plugins(canvasWorker())],
  },
  {
    input: 'packages/widget/lib/standalone.js',
    output: {
      file: `${DIST}/danmaku-layer.standalone.js`,
      format: 'es',
      sourcemap: true,
      inlineDynamicImports: true,
    },
    plugins: plugins(inlineCanvasWorker()),
  },
];
