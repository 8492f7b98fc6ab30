// Bundles the JavaScript that `tsc -b` emitted (TypeScript itself never runs inside rollup).
// packages/widget/lib/*.js are already the ES modules for bundlers; this file only makes the
// self-contained, minified script-tag files with lit and reconnecting-websocket inlined, in
// packages/widget/dist/:
//   danmaku-layer.bundle.js       the entry: <danmaku-layer>, and what fetches the rest on use
//   danmaku-composer.bundle.js    <danmaku-composer>, fetched when a page holds one
//   danmaku-settings.bundle.js    <danmaku-settings>, fetched when a page holds one
//   chunks/*-[hash].js            optional parts (sending, canvas renderer and its worker, …)
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

/**
 * reconnecting-websocket ships ES5 that defines its whole API on the prototype, which no bundler can
 * tree-shake. The socket never leaves `internal/connection.ts`, which uses only the constructor,
 * `addEventListener`, `send`, `close`, `reconnect`, `readyState` and `OPEN`; the members below are
 * dead code in this bundle and are cut out (the library itself never calls them). Its debug logger
 * becomes a no-op: its `debug` option is never set, and terser drops the calls anyway. The build
 * fails if one is not found, so that an update of the library is looked at.
 */
function trimReconnectingWebSocket() {
  const accessors = [
    'CONNECTING',
    'CLOSING',
    'binaryType',
    'retryCount',
    'bufferedAmount',
    'extensions',
    'protocol',
    'url',
  ];
  const methods = ['dispatchEvent', 'removeEventListener'];
  return {
    name: 'trim-reconnecting-websocket',
    transform(code, id) {
      if (!/[/\\]reconnecting-websocket[/\\]/.test(id)) return null;
      let out = code.replace(/\r\n/g, '\n');
      const cut = (what, pattern, replacement = '') => {
        const before = out;
        out = out.replace(pattern, replacement);
        if (out === before) this.error(`reconnecting-websocket changed: ${what} not found (rollup.config.mjs)`);
      };
      for (const name of accessors) {
        cut(
          `accessor ${name}`,
          new RegExp(
            `\n    Object\\.defineProperty\\(ReconnectingWebSocket\\.prototype, "${name}", \\{\n[\\s\\S]*?\n    \\}\\);(?=\n)`,
          ),
        );
      }
      cut(
        'static CLOSING',
        /\n {4}Object\.defineProperty\(ReconnectingWebSocket, "CLOSING", \{\n[\s\S]*?\n {4}\}\);(?=\n)/,
      );
      for (const name of methods) {
        cut(
          `method ${name}`,
          new RegExp(
            `\n    ReconnectingWebSocket\\.prototype\\.${name} = function \\([^)]*\\) \\{\n[\\s\\S]*?\n    \\};(?=\n)`,
          ),
        );
      }
      cut(
        'method _debug',
        /(\n {4}ReconnectingWebSocket\.prototype\._debug = function \(\) )\{\n[\s\S]*?\n {4}\};(?=\n)/,
        '$1{};',
      );
      // Lines moved: no source map for this file rather than a wrong one.
      return { code: out, map: { mappings: '' } };
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
 * refuses both, the worker fires `error` and the layer draws with the DOM renderer.
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
 * Property names terser may shorten, one by one: reconnecting-websocket 4.x's private members
 * (`private` in its source) and its option names, which only internal/connection.ts writes, in the
 * same chunk as the library. Nothing else (lit's shared `_$…` members, DOM properties, our public
 * API) matches. Our own private fields are `#` names, which terser shortens anyway.
 */
const RWS_NAMES = new RegExp(
  `^(_(${[
    'listeners',
    'retryCount',
    'uptimeTimeout',
    'connectTimeout',
    'shouldReconnect',
    'connectLock',
    'binaryType',
    'closeCalled',
    'messageQueue',
    'url',
    'protocols',
    'options',
    'ws',
    'debug',
    'handleOpen',
    'handleMessage',
    'handleError',
    'handleClose',
    'getNextDelay',
    'wait',
    'getNextUrl',
    'connect',
    'handleTimeout',
    'disconnect',
    'acceptOpen',
    'callEventListener',
    'removeListeners',
    'addListeners',
    'clearTimeouts',
  ].join('|')})|${[
    'minReconnectionDelay',
    'maxReconnectionDelay',
    'reconnectionDelayGrowFactor',
    'connectionTimeout',
    'maxRetries',
    'maxEnqueuedMessages',
    'minUptime',
    'startClosed',
  ].join('|')})$`,
);

/** Terser's options, for every output file. */
const TERSER = {
  ecma: 2022,
  module: true,
  format: { comments: false },
  compress: {
    passes: 3,
    unsafe_arrows: true,
    unsafe_methods: true,
    pure_getters: true,
    // Lets terser drop lit's JSCompiler_renameProperty (an identity function whose second
    // argument is unused) from the calls it wraps; nothing here relies on Function.length.
    keep_fargs: false,
    // reconnecting-websocket's debug logging (off unless its `debug` option is set, which we never do).
    pure_funcs: ['this._debug', '_this._debug'],
  },
  // reconnecting-websocket keeps the long names of its private members (`_messageQueue`,
  // `_callEventListener`, …) and options (`reconnectionDelayGrowFactor`, …): see RWS_NAMES.
  mangle: { properties: { regex: RWS_NAMES } },
};

/** What both builds share: resolution, trimming, CSS minification, terser. */
const plugins = (worker) => [
  nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
  trimReconnectingWebSocket(),
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
