/**
 * Runs the server bin with its stdout (and optionally stderr) going into a separate "log collector"
 * process rather than into the test, so that a test can kill the collector and leave the server
 * writing into a pipe nobody reads any more: a log shipper that restarted, a `| tee` whose tee died.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, cleanEnv } from './bin.js';
import { onJsonLines } from './json-lines.js';

/** A server whose logs go through a collector. */
export interface CollectedBin {
  child: ChildProcess;
  port: number;
  /** JSON lines the collector passed on while it lived. */
  lines: Array<Record<string, unknown>>;
  /** What the server wrote to stderr, when stderr was kept by the test. */
  stderr: () => string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string | null>;
  /** Kills the collector and waits until it is gone: from then on the server's log pipe is broken. */
  killCollector(): Promise<void>;
  /** Freezes the collector (SIGSTOP): it lives but reads nothing, so the server's log pipe fills up. */
  pauseCollector(): void;
}

/** Options of {@link startWithCollector}. */
export interface CollectorOptions {
  /** `'collector'` (default): stderr goes to the collector as well; `'test'`: the test reads it. */
  stderr?: 'collector' | 'test';
  /** Node flags before the bin, e.g. `--import` of a fixture. */
  execArgv?: string[];
  env?: Record<string, string>;
}

/** Starts the bin on 127.0.0.1 and a free port, and resolves once it logged "listening". */
export async function startWithCollector(
  t: { after: (fn: () => unknown) => void },
  args: string[],
  options: CollectorOptions = {},
): Promise<CollectedBin> {
  const collector = spawn(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], {
    stdio: ['pipe', 'pipe', 'ignore'],
  });
  const collectorGone = new Promise<void>((resolve) => collector.once('exit', () => resolve()));
  const stderrToTest = options.stderr === 'test';
  const child = spawn(
    process.execPath,
    [...(options.execArgv ?? []), BIN, '--host', '127.0.0.1', '--port', '0', ...args],
    {
      env: cleanEnv(options.env),
      stdio: ['ignore', collector.stdin, stderrToTest ? 'pipe' : collector.stdin],
    },
  );
  const exited = new Promise<number | string | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal)),
  );
  t.after(() => {
    for (const process of [child, collector])
      if (process.exitCode === null && process.signalCode === null) process.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk));
  const lines: Array<Record<string, unknown>> = [];
  const port = await new Promise<number>((resolve, reject) => {
    onJsonLines(collector.stdout, (line) => {
      lines.push(line);
      if (line.msg === 'listening') resolve(line.port as number);
    });
    void exited.then((code) => reject(new Error(`exited with ${code} before listening`)));
  });
  return {
    child,
    port,
    lines,
    stderr: () => stderr,
    exited,
    pauseCollector() {
      collector.kill('SIGSTOP');
    },
    async killCollector() {
      collector.kill('SIGKILL');
      await collectorGone;
      // The test's own end of the pipe is of no use any more either.
      collector.stdin.destroy();
    },
  };
}
