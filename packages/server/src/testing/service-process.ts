import { spawn, type ChildProcess } from 'node:child_process';

/** A database server started by a test: its process, what it printed, and a promise that fails if it exits. */
export interface ServiceProcess {
  child: ChildProcess;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Rejects, with the output, when the process exits; never resolves. Already caught. */
  exited: Promise<never>;
}

/**
 * Starts `command` for a test (redis-server, postgres). A crashed test run must not leave servers
 * behind on a shared machine, so the process is killed when this one exits.
 */
export function startService(name: string, command: string, args: readonly string[]): ServiceProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) on start:\n${output}`))),
  );
  exited.catch(() => {});
  return { child, output: () => output, exited };
}
