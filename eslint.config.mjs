// ESLint, type-aware (typescript-eslint with the TypeScript projects), for the TypeScript of every
// package; the recommended rules for the plain JavaScript of scripts/, bench/ and test/. Widget: web-component rules (eslint-plugin-lit, eslint-plugin-wc) and no import cycle
// (eslint-plugin-import-x). `npm run lint` runs it with Prettier's check; `npm test` runs lint.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: [
      '**/lib/**',
      '**/dist/**',
      '**/node_modules/**',
      'test/build/**',
      'packages/server/widget/**',
      'packages/server/demo/**',
    ],
  },
  {
    files: ['packages/*/src/**/*.ts', 'test/**/*.ts'],
    extends: [
      js.configs.recommended,
      ...tseslint.configs.recommendedTypeChecked,
      wc.configs['flat/best-practice'],
      lit.configs['flat/recommended'],
    ],
    plugins: { 'import-x': importX },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    settings: {
      // Read the modules imported with the TypeScript parser, to follow their imports in turn.
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
      // Our imports name the emitted `.js`; the source beside them is `.ts`.
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      // Type-only imports never run, but a cycle through them still says two modules are one.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // The JSX and Vue typings augment the frameworks' namespaces, which is how both expect it.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
      // `void promise` marks a promise whose failure is handled where it is made.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // An engine's methods are async by contract, whether or not one implementation awaits.
      '@typescript-eslint/require-await': 'off',
      // A `let` read by a closure before its one assignment (a deadline, a shutdown) must stay `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // A caught value is passed on as it came.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
    },
  },
  {
    // Plain JavaScript: the build scripts, benchmarks and test plumbing run in Node; a benchmark
    // page's modules run in the browser.
    files: ['*.mjs', 'scripts/**/*.mjs', 'bench/**/*.mjs', 'test/**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  {
    // Modules that run in a page, and scripts whose page.evaluate() callbacks do.
    files: ['bench/**/*.mjs', 'scripts/demo-screenshot.mjs'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // node:test's test() returns a promise that the runner itself awaits; the harnesses collect a
    // child's output by `+=` on its chunks and pass methods of mocks around.
    files: ['packages/server/src/**/*.test.ts', 'packages/server/src/testing/**/*.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/restrict-plus-operands': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    // Tests: chai's expect() chains read as unused expressions, and @open-wc's are thenable.
    files: ['packages/widget/src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
