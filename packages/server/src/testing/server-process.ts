/**
 * Runs `danmaku-layer-server` (the real CLI) as a child process on a free loopback port, for tests
 * and benchmarks that need separate instances (one of which may be killed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The CLI entry point of this package. */
const BIN = fileURLToPath(new URL('../../bin/danmaku-layer-server.js', import.meta.url));

/** A running server process. */
export class ServerProcess {
  readonly child: ChildProcess;
  /** `http://127.0.0.1:<port>`. */
  readonly http: string;
  /** `ws://127.0.0.1:<port>/ws`. */
  readonly ws: string;
  /** What the process wrote to stderr so far (for failure messages). */
  stderr = '';

  private constructor(child: ChildProcess, port: number) {
    this.child = child;
    this.http = `http://127.0.0.1:${port}`;
    this.ws = `ws://127.0.0.1:${port}/ws`;
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk));
  }

  /** Starts the CLI with `args` (plus `--host 127.0.0.1 --port 0` and no rate or connection limits) and waits for its "listening" log line. */
  static start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServerProcess> {
    // Abuse limits off unless `args` set them: every test client comes from one loopback address.
    const unlimited = ['--rate-limit', '0', '--ip-rate-limit', '0', '--max-connections-per-ip', '0'];
    const child = spawn(process.execPath, [BIN, '--host', '127.0.0.1', '--port', '0', ...unlimited, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    const killOnExit = (): void => void child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk;
        // The server logs JSON lines; the one with msg "listening" carries the port.
        const match = /"port":(\d+)[^\n]*"msg":"listening"|"msg":"listening"[^\n]*"port":(\d+)/.exec(stdout);
        if (match) resolve(new ServerProcess(child, Number(match[1] ?? match[2])));
      });
      child.once('exit', (code) => reject(new Error(`server exited (${code}) before listening:\n${stdout}${stderr}`)));
    });
  }

  /** `GET /readyz` status (0 when the process does not answer). */
  async readyz(): Promise<number> {
    try {
      return (await fetch(`${this.http}/readyz`)).status;
    } catch {
      return 0;
    }
  }

  /** Kills the process without warning (SIGKILL) and waits for it to exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}
