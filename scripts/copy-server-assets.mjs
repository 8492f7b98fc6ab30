// Copies what the server serves into the server package, so that danmaku-layer-server installs
// and runs on its own (no dependency on the widget package, and so no lit in a Node server):
//   packages/widget/dist/ → packages/server/widget/   (bundles, chunks, worker, source maps)
//   demo/                 → packages/server/demo/     (the page `--demo` serves at /)
// Run by `npm run build` after rollup and by the server's `prepack`; both targets are gitignored
// and listed in the server's `files`. Each run starts from empty folders, so no file of an
// earlier build is left behind.
import { cp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const copies = [
  { from: `${root}packages/widget/dist/`, to: `${root}packages/server/widget/`, needs: 'danmaku-layer.bundle.js' },
  { from: `${root}demo/`, to: `${root}packages/server/demo/`, needs: 'index.html' },
];

for (const { from, needs } of copies) {
  if (!existsSync(from + needs)) {
    console.error(`copy-server-assets: ${from}${needs} is missing; run \`npm run build\` first.`);
    process.exit(1);
  }
}
for (const { from, to } of copies) {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true });
}
