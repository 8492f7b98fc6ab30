#!/usr/bin/env node
/**
 * What grew between two V8 heap snapshots, per connection: objects grouped by constructor (plain
 * objects by their property names, closures by function name), with the count and self size added
 * between BEFORE and AFTER divided by the connections opened in between.
 *
 *   node bench/server/heap-diff.mjs BEFORE.heapsnapshot AFTER.heapsnapshot CONNECTIONS [--top 40]
 *
 * `--connections … --heap-snapshots DIR` writes such pairs (DIR/<server>/<pid>-1 before connecting,
 * -2 with the connections open, -3 after the idle time).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Self size and count per group of one snapshot file. */
export function summarize(file) {
  const { snapshot, nodes, edges, strings } = JSON.parse(readFileSync(file, 'utf8'));
  const { node_fields: nf, node_types: nt, edge_fields: ef, edge_types: et } = snapshot.meta;
  const N = nf.length;
  const E = ef.length;
  const [TYPE, NAME, SELF, EDGES] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f));
  const [ETYPE, ENAME] = ['type', 'name_or_index'].map((f) => ef.indexOf(f));
  const nodeTypes = nt[TYPE];
  const edgeTypes = et[ETYPE];
  const groups = new Map();
  let edge = 0;
  for (let i = 0; i < nodes.length; i += N) {
    const type = nodeTypes[nodes[i + TYPE]];
    let name = strings[nodes[i + NAME]];
    const edgeCount = nodes[i + EDGES];
    if (type === 'object' && name === 'Object') {
      // Plain objects say what they are by their keys.
      const keys = [];
      for (let e = edge; e < edge + edgeCount * E; e += E) {
        if (edgeTypes[edges[e + ETYPE]] === 'property') keys.push(strings[edges[e + ENAME]]);
      }
      name = `{${keys.slice(0, 8).join(',')}${keys.length > 8 ? ',…' : ''}}`;
    } else if (type === 'closure') {
      name = `${name || '(anonymous)'}()`;
    } else if (type === 'string' || type === 'concatenated string' || type === 'sliced string') {
      name = '(string)';
    } else if (type === 'number') {
      name = '(heap number)';
    }
    edge += edgeCount * E;
    const key = `${type}\t${name.slice(0, 120)}`;
    const group = groups.get(key) ?? { count: 0, size: 0 };
    group.count++;
    group.size += nodes[i + SELF];
    groups.set(key, group);
  }
  return groups;
}

/** Groups that grew from `before` to `after`, largest growth first, per connection. */
export function diff(before, after, connections) {
  const rows = [];
  for (const [key, a] of after) {
    const b = before.get(key) ?? { count: 0, size: 0 };
    const size = a.size - b.size;
    const count = a.count - b.count;
    if (size <= 0 && count <= 0) continue;
    const [type, name] = key.split('\t');
    rows.push({ type, name, count: count / connections, bytes: size / connections });
  }
  return rows.sort((x, y) => y.bytes - x.bytes);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [beforeFile, afterFile, n, flag, top] = process.argv.slice(2);
  const connections = Number(n);
  if (!beforeFile || !afterFile || !(connections > 0)) {
    console.error(
      'usage: node bench/server/heap-diff.mjs BEFORE.heapsnapshot AFTER.heapsnapshot CONNECTIONS [--top 40]',
    );
    process.exit(2);
  }
  const rows = diff(summarize(beforeFile), summarize(afterFile), connections);
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  console.log(`Heap growth per connection: ${total.toFixed(0)} B (self sizes; groups that grew)\n`);
  console.log('| B / conn | objects / conn | type | constructor / keys |');
  console.log('|---:|---:|---|---|');
  for (const r of rows.slice(0, flag === '--top' ? Number(top) : 40)) {
    console.log(`| ${r.bytes.toFixed(1)} | ${r.count.toFixed(2)} | ${r.type} | ${r.name.replaceAll('|', '\\|')} |`);
  }
}
