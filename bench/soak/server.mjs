/**
 * The soak's server: the real CLI bin, restarted on the same port, with its heap read through
 * heap-probe.mjs; and, for the Redis engine, a throwaway redis-server.
 */
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startProgram, startServer, stop } from '../server/proc.mjs';

const BIN = fileURLToPath(new URL('../../packages/server/bin/danmaku-layer-server.js', import.meta.url));
const PROBE = new URL('./heap-probe.mjs', import.meta.url).href;

/** A port that was free a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts redis-server on a free loopback port, nothing persisted. */
export async function startRedis() {
  const port = await freePort();
  const { child } = await startProgram(
    '/usr/bin/redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      ready: /Ready to accept connections/,
    },
  );
  return { child, url: `redis://127.0.0.1:${port}` };
}

/** The bin on a fixed port; `restart()` stops it gracefully (SIGTERM) and starts it again. */
export class SoakServer {
  #args;
  #child;
  #waiters = [];
  port;
  restarts = 0;

  constructor(port, args) {
    this.port = port;
    this.#args = args;
  }

  async start() {
    const { child } = await startServer(
      [
        '--expose-gc',
        '--import',
        PROBE,
        BIN,
        '--host',
        '127.0.0.1',
        '--port',
        String(this.port),
        '--log-level',
        'info',
        ...this.#args,
      ],
      {
        env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DANMAKU_'))),
      },
    );
    this.#child = child;
    let buffer = '';
    child.stderr.on('data', (chunk) => {
      buffer += chunk;
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (!line.startsWith('{"soakHeap"')) continue;
        const sample = JSON.parse(line);
        for (const resolve of this.#waiters.splice(0)) resolve({ heap: sample.soakHeap, rss: sample.soakRss });
      }
    });
  }

  /** The server's heap after a full GC, and its RSS, in bytes. */
  memory(timeout = 5000) {
    const child = this.#child;
    if (!child || child.exitCode !== null) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeout);
      this.#waiters.push((value) => {
        clearTimeout(timer);
        resolve(value);
      });
      child.kill('SIGUSR2');
    });
  }

  /** A gauge from `/metrics`, or `undefined` when it is not there. */
  async metric(name) {
    try {
      const response = await fetch(`http://127.0.0.1:${this.port}/metrics`);
      if (!response.ok) return undefined;
      const match = new RegExp(`^${name} (\\S+)`, 'm').exec(await response.text());
      return match ? Number(match[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  async restart() {
    await stop(this.#child, 15_000);
    this.restarts++;
    await this.start();
  }

  stop() {
    return this.#child ? stop(this.#child, 15_000) : Promise.resolve();
  }
}
