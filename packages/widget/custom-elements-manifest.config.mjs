// Custom Elements Manifest (custom-elements.json) of the widget, generated from the JSDoc of the
// element classes by `npm run build`. package.json's `customElements` field points at it.
export default {
  globs: ['src/**/*.ts'],
  exclude: ['src/**/*.test.ts', 'src/bundle.ts', 'src/react.ts', 'src/vue.ts', 'src/element-types.ts'],
  outdir: '.',
  litelement: true,
  // package.json already names the manifest; do not let the analyzer rewrite it.
  packagejson: false,
};
