// Bundles the JavaScript that `tsc -b` emitted (TypeScript itself never runs inside rollup).
// packages/widget/lib/*.js are already the ES modules for bundlers; this file only makes the
// self-contained, minified script-tag bundle with lit and reconnecting-websocket inlined:
// `danmaku-layer.bundle.js` (the entry) and `danmaku-composer.bundle.js`, which the entry loads
// when a page uses `<danmaku-composer>`. `scripts/check-size.mjs` then enforces the size budget.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
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
      const out = code.replace(/\b(css ?|unsafeCSS\()`([^`]*)`/g, (_, tag, body) =>
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
  const accessors = ['CONNECTING', 'CLOSING', 'binaryType', 'retryCount', 'bufferedAmount', 'extensions', 'protocol', 'url'];
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
        cut(`accessor ${name}`, new RegExp(`\n    Object\\.defineProperty\\(ReconnectingWebSocket\\.prototype, "${name}", \\{\n[\\s\\S]*?\n    \\}\\);(?=\n)`));
      }
      cut('static CLOSING', /\n    Object\.defineProperty\(ReconnectingWebSocket, "CLOSING", \{\n[\s\S]*?\n    \}\);(?=\n)/);
      for (const name of methods) {
        cut(`method ${name}`, new RegExp(`\n    ReconnectingWebSocket\\.prototype\\.${name} = function \\([^)]*\\) \\{\n[\\s\\S]*?\n    \\};(?=\n)`));
      }
      cut('method _debug', /(\n    ReconnectingWebSocket\.prototype\._debug = function \(\) )\{\n[\s\S]*?\n    \};(?=\n)/, '$1{};');
      // Lines moved: no source map for this file rather than a wrong one.
      return { code: out, map: { mappings: '' } };
    },
  };
}

/**
 * The canvas renderer's worker: `internal/canvas-stage.js` starts it with
 * `new Worker(new URL('./canvas-worker.js', import.meta.url), …)`, the form bundlers recognise, which
 * works as is in `lib/`. Here the worker becomes its own file, `canvas-worker.bundle.js` (the
 * reference server serves `*.bundle.js`), and the URL is pointed at it. The build fails if the form
 * changes.
 */
function canvasWorker() {
  const FORM = "new URL('./canvas-worker.js', import.meta.url)";
  return {
    name: 'canvas-worker',
    async transform(code, id) {
      if (!id.endsWith('/lib/internal/canvas-stage.js')) return null;
      if (!code.includes(FORM)) this.error(`canvas-stage.js no longer starts its worker with ${FORM} (rollup.config.mjs)`);
      const worker = await this.resolve('./canvas-worker.js', id);
      const ref = this.emitFile({ type: 'chunk', id: worker.id, fileName: 'canvas-worker.bundle.js' });
      return { code: code.replace(FORM, `import.meta.ROLLUP_FILE_URL_${ref}`), map: null };
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
    'listeners', 'retryCount', 'uptimeTimeout', 'connectTimeout', 'shouldReconnect', 'connectLock',
    'binaryType', 'closeCalled', 'messageQueue', 'url', 'protocols', 'options', 'ws', 'debug',
    'handleOpen', 'handleMessage', 'handleError', 'handleClose', 'getNextDelay', 'wait', 'getNextUrl',
    'connect', 'handleTimeout', 'disconnect', 'acceptOpen', 'callEventListener', 'removeListeners',
    'addListeners', 'clearTimeouts',
  ].join('|')})|${[
    'minReconnectionDelay', 'maxReconnectionDelay', 'reconnectionDelayGrowFactor', 'connectionTimeout',
    'maxRetries', 'maxEnqueuedMessages', 'minUptime', 'startClosed',
  ].join('|')})$`,
);

export default {
  input: 'packages/widget/lib/bundle.js',
  // Lets the composer chunk import lit from the entry instead of a third shared file.
  preserveEntrySignatures: 'allow-extension',
  output: {
    dir: DIST,
    entryFileNames: 'danmaku-layer.bundle.js',
    chunkFileNames: '[name].bundle.js',
    format: 'es',
    sourcemap: true,
  },
  plugins: [
    emptyDist(),
    nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
    trimReconnectingWebSocket(),
    canvasWorker(),
    minifyCssTemplates(),
    terser({
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
    }),
  ],
};
