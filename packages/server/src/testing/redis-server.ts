/**
 * A throwaway `redis-server` for tests: a real server on a free loopback port, without
 * persistence, that can be stopped and started again on the same port (an outage).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { startService } from './service-process.js';

/** Where `redis-server` is looked up; `REDIS_SERVER` overrides it. */
const BINARY = process.env.REDIS_SERVER ?? 'redis-server';

/** A running (or stopped) test Redis. */
export class TestRedis {
  readonly port: number;
  readonly #dir: string;
  #process?: ChildProcess;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
  }

  /**
   * Starts `redis-server` on a free port. Throws (never skips) when it is not installed: the
   * Redis tests are part of the suite, and `.ci/run` installs it.
   */
  static async start(): Promise<TestRedis> {
    const probe = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(
        `redis-server is required for these tests but "${BINARY} --version" failed (install Debian's redis-server, or set REDIS_SERVER).`,
      );
    }
    const redis = new TestRedis(await freePort(), mkdtempSync(join(tmpdir(), 'danmaku-redis-')));
    await redis.restart();
    return redis;
  }

  /** `redis://127.0.0.1:<port>`. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server again (empty: nothing is persisted) on the same port. */
  async restart(): Promise<void> {
    if (this.#process) throw new Error('redis-server is already running');
    const { child, output, exited } = startService('redis-server', BINARY, [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.#dir,
      '--daemonize',
      'no',
    ]);
    this.#process = child;
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.port))) {
      if (Date.now() > deadline) throw new Error(`redis-server did not come up on port ${this.port}:\n${output()}`);
      await Promise.race([new Promise((r) => setTimeout(r, 20)), exited]);
    }
  }

  /**
   * Freezes the server (SIGSTOP): its sockets stay open but nothing answers, like a Redis that
   * hangs. {@link resume} undoes it; `stop()` and `close()` resume it first.
   */
  pause(): void {
    this.#process?.kill('SIGSTOP');
  }

  /** Lets a paused server run again (SIGCONT). */
  resume(): void {
    this.#process?.kill('SIGCONT');
  }

  /** Kills the server (SIGKILL, like a crash) and waits until it has exited. */
  async stop(): Promise<void> {
    const child = this.#process;
    if (!child) return;
    this.#process = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops the server and removes its working folder. Safe to call twice. */
  async close(): Promise<void> {
    await this.stop();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** Whether something on `port` answers a RESP `PING` with `+PONG`. */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
