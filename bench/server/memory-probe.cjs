/**
 * Preloaded into a measured server (`node --require memory-probe.cjs …`) by the connections mode:
 * on SIGUSR2 it collects garbage, then writes the process's memory figures as JSON to the file
 * named by `BENCH_MEMORY_PROBE` (and, when `BENCH_HEAP_SNAPSHOT_DIR` is set, a heap snapshot into
 * that folder). RSS can be read from /proc from outside; the live heap cannot, hence this probe.
 * It adds one signal handler and nothing per connection.
 */
'use strict';
const { renameSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

const out = process.env.BENCH_MEMORY_PROBE;
const snapshots = process.env.BENCH_HEAP_SNAPSHOT_DIR;
if (out) {
  // A full collection before reading: the live heap, not whatever garbage the last cycle left.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  let count = 0;
  process.on('SIGUSR2', () => {
    gc();
    gc();
    const usage = process.memoryUsage();
    const heap = v8.getHeapStatistics();
    let snapshot;
    if (snapshots) snapshot = v8.writeHeapSnapshot(join(snapshots, `${process.pid}-${++count}.heapsnapshot`));
    const data = { ...usage, usedHeapSize: heap.used_heap_size, mallocedMemory: heap.malloced_memory, snapshot };
    // Written aside, then renamed: the reader never sees half a file.
    writeFileSync(`${out}.tmp`, JSON.stringify(data));
    renameSync(`${out}.tmp`, out);
  });
}
