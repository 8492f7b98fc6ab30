/**
 * Preloaded into the soak's server process (`node --expose-gc --import heap-probe.mjs bin ...`): on
 * SIGUSR2 it collects garbage and prints the heap as one JSON line on stderr, so the benchmark reads
 * the server's live heap without any endpoint of the server's own.
 */
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  const { heapUsed, rss } = process.memoryUsage();
  process.stderr.write(`${JSON.stringify({ soakHeap: heapUsed, soakRss: rss })}\n`);
});
