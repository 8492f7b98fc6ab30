/**
 * A throwaway PostgreSQL for tests: Debian's `postgresql` binaries (`initdb`, `postgres`) run on a
 * free loopback port with a data directory in a temporary folder, trust authentication, no fsync.
 * As root, the server is run as the `postgres` user (`runuser`), since PostgreSQL refuses root.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { startService } from './service-process.js';

/** Where the binaries are: `POSTGRES_BIN`, else the newest `/usr/lib/postgresql/N/bin`. */
export function postgresBinDir(): string | undefined {
  if (process.env.POSTGRES_BIN) return process.env.POSTGRES_BIN;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? join(root, versions[0], 'bin') : undefined;
}

/**
 * Why the Postgres tests cannot run here, or `undefined` when they can. The only reason is missing
 * binaries (`.ci/run` installs them, so CI never skips).
 */
export function postgresMissing(): string | undefined {
  const bin = postgresBinDir();
  if (!bin) return 'PostgreSQL binaries not found (install Debian\'s "postgresql", or set POSTGRES_BIN)';
  return undefined;
}

/** A running test PostgreSQL. */
export class TestPostgres {
  readonly port: number;
  readonly #dir: string;
  readonly #bin: string;
  #process?: ChildProcess;

  private constructor(port: number, dir: string, bin: string) {
    this.port = port;
    this.#dir = dir;
    this.#bin = bin;
  }

  /** Creates a cluster in a temporary folder and starts it on a free port. */
  static async start(): Promise<TestPostgres> {
    const bin = postgresBinDir();
    if (!bin) throw new Error(postgresMissing());
    const dir = mkdtempSync(join(tmpdir(), 'danmaku-pg-'));
    // The postgres user must reach its data directory inside the folder.
    chmodSync(dir, 0o777);
    const data = join(dir, 'data');
    const init = run(bin, 'initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    if (init.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
    }
    const pg = new TestPostgres(await freePort(), dir, bin);
    await pg.#start();
    return pg;
  }

  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  async #start(): Promise<void> {
    const args = [
      '-D',
      join(this.#dir, 'data'),
      '-p',
      String(this.port),
      '-h',
      '127.0.0.1',
      '-k',
      this.#dir,
      '-c',
      'fsync=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'synchronous_commit=off',
    ];
    const [command, commandArgs] = asPostgres(join(this.#bin, 'postgres'), args);
    const { child, output, exited } = startService('postgres', command, commandArgs);
    this.#process = child;
    const deadline = Date.now() + 30_000;
    while (!(await accepts(this.port)) || !output().includes('ready to accept connections')) {
      if (Date.now() > deadline) throw new Error(`postgres did not come up on port ${this.port}:\n${output()}`);
      await Promise.race([new Promise((r) => setTimeout(r, 50)), exited]);
    }
  }

  /** Stops the server (fast shutdown) and removes its folder. Safe to call twice. */
  async close(): Promise<void> {
    const child = this.#process;
    this.#process = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // runuser passes the signal on to postgres: SIGINT is its fast shutdown.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** The command line that runs `binary` as the postgres user when this process is root. */
function asPostgres(binary: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
}

function run(bin: string, name: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const [command, commandArgs] = asPostgres(join(bin, name), args);
  const result = spawnSync(command, commandArgs, { encoding: 'utf8' });
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    stderr: `${result.stderr ?? ''}${result.error?.message ?? ''}`,
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
  });
}
