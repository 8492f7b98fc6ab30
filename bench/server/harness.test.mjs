/**
 * Checks of the server benchmark's own machinery (run with `npm run test:bench`, not part of
 * `npm test`): the histogram, the /proc readers, the ready-line detection, and one tiny real run.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Histogram } from './histogram.mjs';
import { LISTENING, cpuMs, cpuTimesMs, rssBytes, writeSyscalls } from './proc.mjs';

test('histogram quantiles and merge', () => {
  const a = new Histogram();
  const b = new Histogram();
  for (let i = 1; i <= 50; i++) a.record(i * 1000); // 1..50 ms
  for (let i = 51; i <= 100; i++) b.record(i * 1000); // 51..100 ms
  a.merge(b.toJSON());
  assert.equal(a.count, 100);
  assert.ok(Math.abs(a.quantileMs(0.5) - 50) < 0.02, `p50 ${a.quantileMs(0.5)}`);
  assert.ok(Math.abs(a.quantileMs(0.99) - 99) < 0.02, `p99 ${a.quantileMs(0.99)}`);
  assert.equal(a.max, 100_000);
  assert.ok(Number.isNaN(new Histogram().quantileMs(0.5)));
  // Past the fine range, 1 ms buckets: a lagging run still has a p50 distinct from its p99.
  const slow = new Histogram();
  for (let i = 1; i <= 100; i++) slow.record(i * 1e6); // 1..100 s
  assert.ok(Math.abs(slow.quantileMs(0.5) - 50_000) <= 1, `p50 ${slow.quantileMs(0.5)}`);
  assert.ok(Math.abs(slow.quantileMs(0.99) - 99_000) <= 1, `p99 ${slow.quantileMs(0.99)}`);
  const far = new Histogram();
  far.record(600e6); // beyond the last bucket: reported as the exact maximum
  assert.equal(far.quantileMs(0.5), 600_000);
});

test('CPU time and RSS come from /proc', () => {
  // Burn 200 ms of CPU as node itself counts it; /proc must agree to within a few clock ticks.
  const usage = () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const before = cpuMs(process.pid);
  const start = usage();
  while (usage() - start < 200);
  const measured = cpuMs(process.pid) - before;
  const counted = usage() - start;
  assert.ok(Math.abs(measured - counted) <= 40, `/proc ${measured} ms, process.cpuUsage ${counted} ms`);
  const rss = rssBytes(process.pid);
  assert.ok(rss > 10 * 2 ** 20 && rss < 2 ** 32, `rss ${rss}`);
});

test('the user/kernel split adds up, and write system calls are counted', (t) => {
  const { user, system } = cpuTimesMs(process.pid);
  assert.ok(user > 0 && system >= 0, `user ${user} ms, system ${system} ms`);
  assert.ok(Math.abs(user + system - cpuMs(process.pid)) <= 20);
  if (Number.isNaN(writeSyscalls(process.pid))) return t.skip('/proc/<pid>/io cannot be read here');
  const dir = mkdtempSync(join(tmpdir(), 'bench-writes-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fd = openSync(join(dir, 'f'), 'w');
  const before = writeSyscalls(process.pid);
  for (let i = 0; i < 100; i++) writeSync(fd, 'x');
  const counted = writeSyscalls(process.pid) - before;
  closeSync(fd);
  // Other threads of this process (the test runner's output) may write too, never fewer.
  assert.ok(counted >= 100 && counted < 150, `${counted} write system calls for 100 writes`);
});

test('ready line: text and JSON log forms', () => {
  const port = (line) => {
    const match = LISTENING.exec(line);
    return match && Number(match.slice(1).find((g) => g !== undefined));
  };
  assert.equal(port('danmaku-layer-server listening on http://127.0.0.1:4321, WebSocket /ws'), 4321);
  assert.equal(port('{"level":30,"host":"127.0.0.1","port":5555,"path":"/ws","msg":"listening"}'), 5555);
  assert.equal(port('{"level":30,"msg":"starting"}'), null);
});

test('a tiny run delivers everything and writes JSON', { timeout: 120_000 }, async () => {
  const out = mkdtempSync(join(tmpdir(), 'bench-server-'));
  const profiles = mkdtempSync(join(tmpdir(), 'bench-profiles-'));
  try {
    const args = [
      '--cpu-prof',
      profiles,
      '--clients',
      '12',
      '--senders',
      '3',
      '--rate',
      '20',
      '--duration',
      '1',
      '--idle',
      '30',
      '--servers',
      'ws,ours',
      '--out',
      out,
      '--timeout',
      '100',
    ];
    const stdout = await new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [fileURLToPath(new URL('./run.mjs', import.meta.url)), ...args],
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      );
    });
    assert.match(stdout, /\| ours \/ ws/);
    const [file] = readdirSync(out);
    const data = JSON.parse(readFileSync(join(out, file), 'utf8'));
    for (const name of ['ws', 'ours']) {
      const { broadcast, idle } = data.results[name];
      assert.equal(broadcast.clients, 12);
      assert.equal(broadcast.commentsSent, 20);
      assert.equal(broadcast.expected, 240);
      assert.equal(broadcast.delivered, 240, `${name} delivered ${broadcast.delivered}`);
      assert.equal(broadcast.outOfOrder, 0);
      assert.equal(broadcast.duplicates, 0);
      assert.ok(broadcast.latencyMs.p50 > 0);
      assert.equal(idle.connections, 30);
      // The kernel's share and the write system calls, where /proc/<pid>/io can be read.
      assert.ok(broadcast.kernelCpuMsPer1000Deliveries >= 0);
      assert.ok(broadcast.kernelCpuMsPer1000Deliveries <= broadcast.cpuMsPer1000Deliveries);
      if (Number.isFinite(broadcast.writesPer1000Deliveries)) assert.ok(broadcast.writesPer1000Deliveries > 0);
    }
    assert.ok(data.ratios['ours / ws']);
    // One profile per server process: the broadcast's and the idle load's, of each server.
    const written = readdirSync(profiles).sort();
    assert.deepEqual(
      written.map((f) => f.replace(/-\d{4}-.*$/, '')),
      ['ours-bench', 'ours-idle', 'ws-bench', 'ws-idle'],
    );
    const profile = JSON.parse(readFileSync(join(profiles, written[0]), 'utf8'));
    assert.ok(profile.nodes.length > 0 && profile.samples.length > 0);
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(profiles, { recursive: true, force: true });
  }
});

test(
  'a tiny connections run holds its idle connections, measures them and broadcasts among them',
  { timeout: 180_000 },
  async () => {
    const out = mkdtempSync(join(tmpdir(), 'bench-connections-'));
    try {
      const args = [
        '--connections',
        '60',
        '--clients',
        '10',
        '--senders',
        '2',
        '--rate',
        '10',
        '--duration',
        '1',
        '--idle-seconds',
        '1',
        '--heartbeat',
        '500',
        '--connect-procs',
        '2',
        '--out',
        out,
        '--timeout',
        '160',
      ];
      const stdout = await new Promise((resolve, reject) => {
        execFile(
          process.execPath,
          [fileURLToPath(new URL('./run.mjs', import.meta.url)), ...args],
          (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
        );
      });
      assert.match(stdout, /\| ours \/ ws/);
      const [file] = readdirSync(out);
      const data = JSON.parse(readFileSync(join(out, file), 'utf8'));
      assert.deepEqual(data.plan.sourceAddresses, ['127.0.0.2', '127.0.0.3']);
      for (const name of ['ws', 'ours']) {
        const { idle, broadcast } = data.results[name];
        assert.equal(idle.connections, 50, `${name} idle connections`);
        assert.equal(idle.failed, 0);
        assert.ok(idle.memory.held.heapUsed > 0 && idle.memory.before.heapUsed > 0, `${name} heap figures`);
        assert.ok(Number.isFinite(idle.rssBytesPerConnection) && Number.isFinite(idle.heapBytesPerConnection));
        assert.ok(idle.heartbeatRounds >= 1);
        assert.equal(broadcast.clients, 10);
        assert.equal(broadcast.delivered, broadcast.expected, `${name} delivered everything`);
      }
      assert.ok(data.ratios['ours / ws'].heapPerIdleConnection);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
);
