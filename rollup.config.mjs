// Bundles the JavaScript that `tsc -b` emitted (TypeScript itself never runs inside rollup).
// packages/widget/lib/*.js are already the ES modules for bundlers; this file only makes the
// self-contained, minified script-tag bundle with lit and reconnecting-websocket inlined.
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';

export default {
  input: 'packages/widget/lib/bundle.js',
  output: {
    file: 'packages/widget/dist/danmaku-layer.bundle.js',
    format: 'es',
    sourcemap: true,
  },
  plugins: [
    nodeResolve({ browser: true, exportConditions: ['browser', 'production'] }),
    terser({ ecma: 2022, module: true, format: { comments: false } }),
  ],
};
