#!/usr/bin/env node
// Subresource Integrity for the script-tag build: writes packages/widget/dist/integrity.json, the
// sha384 of every file in dist/ ({ "danmaku-layer.bundle.js": "sha384-…", "chunks/…": … }), for
// `<script integrity>` and for the `integrity` of an import map. Run by `npm run build` after
// rollup, so the hashes are those of the files shipped (the server serves integrity.json too).
//
//   node scripts/integrity.mjs                       writes dist/integrity.json
//   node scripts/integrity.mjs --import-map <base>   also prints an import map whose `integrity`
//                                                    pins every script of dist/ as served from <base>
//                                                    (e.g. https://cdn.example/danmaku-layer/)
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, relative, sep } from 'node:path';

const DIST = fileURLToPath(new URL('../packages/widget/dist/', import.meta.url));
/** The manifest's own name, under dist/ (not hashed: it describes the others). */
export const MANIFEST = 'integrity.json';

/** The SRI value of `bytes`: sha384, the strongest hash every browser accepts. */
export function sriOf(bytes) {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/** `{ path under dist: sha384 }` for every file under `dist`, sorted by path. */
export function integrityOf(dist = DIST) {
  const files = readdirSync(dist, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dist, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => path !== MANIFEST)
    .sort();
  return Object.fromEntries(files.map((path) => [path, sriOf(readFileSync(join(dist, path)))]));
}

/**
 * An import map that pins every script of `manifest` served under `base` (its `integrity` field:
 * a module fetched by `import()` or by another module is checked too, in browsers that read it).
 */
export function importMapOf(manifest, base) {
  const root = base.replace(/\/?$/, '/');
  const scripts = Object.entries(manifest).filter(([path]) => path.endsWith('.js'));
  return { imports: {}, integrity: Object.fromEntries(scripts.map(([path, sri]) => [root + path, sri])) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const manifest = integrityOf(DIST);
  writeFileSync(DIST + MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  const at = process.argv.indexOf('--import-map');
  if (at > 0) {
    const base = process.argv[at + 1];
    if (!base) {
      console.error('integrity: --import-map needs the URL the dist/ folder is served from');
      process.exit(1);
    }
    console.log(JSON.stringify(importMapOf(manifest, base), null, 2));
  } else {
    console.log(`integrity: ${Object.keys(manifest).length} files hashed (sha384) in dist/${MANIFEST}`);
  }
}
