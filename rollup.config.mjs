// Bundles the JavaScript that `tsc -b` emitted (TypeScript itself never runs inside rollup).
// packages/widget/lib/*.js are already the ES modules for bundlers; this file only makes the
// self-contained, minified script-tag bundle with lit and reconnecting-websocket inlined:
// `danmaku-layer.bundle.js` (the entry) and `danmaku-composer.bundle.js`, which the entry loads
// when a page uses `<danmaku-composer>`. `scripts/check-size.mjs` then enforces the size budget.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

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

export default {
  input: 'packages/widget/lib/bundle.js',
  // Lets the composer chunk import lit from the entry instead of a third shared file.
  preserveEntrySignatures: 'allow-extension',
  output: {
    dir: 'packages/widget/dist',
    entryFileNames: 'danmaku-layer.bundle.js',
    chunkFileNames: '[name].bundle.js',
    format: 'es',
    sourcemap: true,
  },
  plugins: [
    nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
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
        // reconnecting-websocket's debug logging (off unless its `debug` option is set, which we never do).
        pure_funcs: ['this._debug', '_this._debug'],
      },
    }),
  ],
};
