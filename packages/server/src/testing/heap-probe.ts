/**
 * Preloaded into a server process under test (`NODE_OPTIONS=--import …/heap-probe.js`): on SIGUSR2
 * it runs a full garbage collection and prints `{"msg":"heap","heap":<bytes used>}` on stdout, so a
 * test can read the live heap of the real bin rather than a number full of garbage.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

process.on('SIGUSR2', () => {
  gc();
  process.stdout.write(`${JSON.stringify({ msg: 'heap', heap: process.memoryUsage().heapUsed })}\n`);
});
