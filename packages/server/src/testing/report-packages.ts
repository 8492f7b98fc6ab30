/**
 * Test fixture, preloaded into the server process with `node --import <this file's URL>`: when the
 * process exits it writes one line to stderr, `packages: a,b,c`, naming every package under
 * node_modules that was loaded through the CommonJS loader (ioredis among them, when it was).
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';

const cache = createRequire(import.meta.url).cache;

process.on('exit', () => {
  const names = new Set<string>();
  for (const path of Object.keys(cache)) {
    const match = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(path);
    if (match) names.add(match[1].replace('\\', '/'));
  }
  writeSync(2, `packages: ${[...names].sort().join(',')}\n`);
});

export {};
