/**
 * Runs the real `danmaku-layer-server` bin as a child process, for tests of the command line and
 * tests that must watch the server's own process (memory, crashes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onJsonLines } from './json-lines.js';

/** Path of the bin shim. */
export const BIN = fileURLToPath(new URL('../../bin/danmaku-layer-server.js', import.meta.url));

/** The environment for a child, without any DANMAKU_ variable (or PORT) from ours. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('DANMAKU_') && k !== 'PORT'),
  );
  return { ...env, ...extra };
}

/** A running server process. */
export interface RunningBin {
  child: ChildProcess;
  port: number;
  /** Every JSON log line so far. */
  lines: Array<Record<string, unknown>>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** What the process wrote to stderr, when started with `stderr: 'pipe'` (else `''`). */
  stderr: () => string;
}

/** Options of {@link startBin}. */
export interface StartOptions {
  /** `'inherit'` (default): the server's stderr shows in the test output; `'pipe'`: kept for `stderr()`. */
  stderr?: 'inherit' | 'pipe';
  /** Node flags before the bin, e.g. `--import` of a fixture. */
  execArgv?: string[];
}

/**
 * Starts the bin on 127.0.0.1 and a free port, and resolves once it logs "listening". The process
 * is killed after the test if it is still running.
 */
export function startBin(
  t: { after: (fn: () => unknown) => void },
  args: string[],
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningBin> {
  const child = spawn(
    process.execPath,
    [...(options.execArgv ?? []), BIN, '--host', '127.0.0.1', '--port', '0', ...args],
    {
      env: cleanEnv(env),
      stdio: ['ignore', 'pipe', options.stderr ?? 'inherit'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: Array<Record<string, unknown>> = [];
  return new Promise((resolve, reject) => {
    onJsonLines(child.stdout!, (line) => {
      lines.push(line);
      if (line.msg === 'listening') resolve({ child, port: line.port as number, lines, exited, stderr: () => stderr });
    });
    void exited.then((code) => reject(new Error(`exited with ${code} before listening`)));
  });
}
