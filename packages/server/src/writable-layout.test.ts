/**
 * The layout of the sockets' stream state (see writable-layout.ts): in a fresh process that has
 * collected garbage before its first connection (as a heap snapshot or an idle collector would),
 * the state of every accepted socket holds its properties in itself, with no separate property
 * store. Without the one early write, every such state had one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { TestClient } from './testing/client.js';

/** Runs in the server's own process: counts stream states, and those with a property store. */
const SERVER = `
import { createDanmakuServer } from ${JSON.stringify(new URL('./server.js', import.meta.url).href)};
import { getHeapSnapshot } from 'node:v8';
import { writeSync } from 'node:fs';
// Written through the descriptor, as the server's logger does: a write through process.stdout
// would itself show V8 the complete layout.
const say = (value) => writeSync(1, JSON.stringify(value) + '\\n');
const server = await createDanmakuServer({ logLevel: 'silent', maxConnectionsPerIp: 0, ipRateLimit: 0, maxSocketsPerIp: 0 });
const { port } = await server.listen(0, '127.0.0.1');
globalThis.gc();
say({ port });
process.stdin.once('data', async () => {
  globalThis.gc();
  let text = '';
  for await (const chunk of getHeapSnapshot()) text += chunk;
  const { snapshot, nodes, edges, strings } = JSON.parse(text);
  const { node_fields: nf, edge_fields: ef, edge_types: et } = snapshot.meta;
  const name = nf.indexOf('name'), count = nf.indexOf('edge_count'), size = nf.indexOf('self_size');
  const type = ef.indexOf('type'), label = ef.indexOf('name_or_index'), to = ef.indexOf('to_node');
  let states = 0, withStore = 0, edge = 0;
  for (let i = 0; i < nodes.length; i += nf.length) {
    const n = nodes[i + count];
    if (strings[nodes[i + name]] === 'WritableState') {
      states++;
      for (let e = edge; e < edge + n * ef.length; e += ef.length) {
        const target = edges[e + to];
        if (et[type][edges[e + type]] === 'internal' && strings[edges[e + label]] === 'properties' &&
            strings[nodes[target + name]] === 'system / PropertyArray' && nodes[target + size] > 16) withStore++;
      }
    }
    edge += n * ef.length;
  }
  say({ states, withStore });
  await server.close();
});
`;

test("accepted sockets' stream states keep their properties in themselves, after an early garbage collection", async (t) => {
  const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', SERVER], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  t.after(() => child.kill());
  const lines = createInterface({ input: child.stdout });
  const [first] = (await once(lines, 'line')) as [string];
  const { port } = JSON.parse(first) as { port: number };
  // A burst, as when a server comes up behind a load balancer: sockets accepted before any wrote.
  const clients = await Promise.all(
    Array.from({ length: 40 }, () => TestClient.connect(`ws://127.0.0.1:${port}/ws`, 'room=layout')),
  );
  child.stdin.write('count\n');
  const [second] = (await once(lines, 'line')) as [string];
  const { states, withStore } = JSON.parse(second) as { states: number; withStore: number };
  for (const client of clients) client.ws.terminate();
  assert.ok(states >= 80, `two states per connection (${states})`);
  assert.equal(withStore, 0, `${withStore} of ${states} stream states have a separate property store`);
});
