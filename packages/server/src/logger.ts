/**
 * Structured JSON logs (pino), written so that logging can never stop the server: a broken, full
 * or stalled log destination costs log lines, never a crash, a blocked event loop or a hung exit.
 */
import { write } from 'node:fs';
import { pino, type Logger, type LevelWithSilent } from 'pino';

/** Most bytes of log lines held in memory while the destination is slow; later lines are dropped. */
export const LOG_BUFFER_LIMIT = 4 * 1024 * 1024;

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** File descriptor the JSON lines go to. Default `1` (stdout). */
  fd?: number;
  /** File descriptor told, once, that the log destination failed or dropped lines. Default `2` (stderr). */
  reportFd?: number;
}

/** What {@link settleLogger} needs to know about a logger made here. */
interface Output {
  stream: ReturnType<typeof pino.destination>;
  /** Set once the destination failed: nothing more is written to it. */
  broken: boolean;
}

const outputs = new WeakMap<Logger, Output>();

/**
 * Creates the server's logger: one JSON object per line on stdout.
 *
 * The destination is pino's asynchronous one, so a reader that stops reading never blocks the
 * event loop; at most {@link LOG_BUFFER_LIMIT} bytes wait, and lines beyond are dropped. When the
 * destination fails (EPIPE: the reader is gone; ENOSPC: the disk is full; any other write error)
 * the failure is reported once on stderr, the logger goes silent and the server carries on.
 */
export function createLogger(level: LevelWithSilent, options: LoggerOptions = {}): Logger {
  const { fd = 1, reportFd = 2 } = options;
  const stream = pino.destination({ dest: nonBlocking(fd), sync: false, maxLength: LOG_BUFFER_LIMIT });
  const logger = pino({ name: 'danmaku-layer-server', level }, stream);
  const output: Output = { stream, broken: false };
  outputs.set(logger, output);

  let dropReported = false;
  stream.on('drop', () => {
    if (dropReported || output.broken) return;
    dropReported = true;
    report(reportFd, 40, 'log output is not keeping up; log lines are being dropped', {});
  });
  stream.on('error', (error: NodeJS.ErrnoException) => {
    // pino itself turns the stream into a no-op on EPIPE and re-emits other errors: both land
    // here, possibly twice for one failure, and only the first is reported.
    if (output.broken) return;
    output.broken = true;
    report(reportFd, 50, 'log output failed; logging stopped, the server keeps running', {
      code: error.code ?? 'unknown',
      error: error.message,
    });
    stopWriting(logger, output);
  });
  return logger;
}

/**
 * Gives a logger made by {@link createLogger} up to `timeout` ms to write out what it holds, then
 * stops it, so that `process.exit()` right after cannot block on the log destination (pino flushes
 * synchronously at exit; on a stalled or failed destination that would never end). Loggers made
 * elsewhere are left alone. Never rejects.
 */
export function settleLogger(logger: Logger, timeout: number): Promise<void> {
  const output = outputs.get(logger);
  if (!output || output.broken) return Promise.resolve();
  const { stream } = output;
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (drained: boolean): void => {
      clearTimeout(timer);
      stream.off('drain', onDrain);
      stream.off('error', onError);
      if (!drained) stopWriting(logger, output);
      resolve();
    };
    const onDrain = (): void => done(true);
    const onError = (): void => done(false);
    timer = setTimeout(() => done(false), timeout);
    stream.once('drain', onDrain);
    stream.once('error', onError);
    try {
      // An empty write: 'drain' follows once everything before it has been written.
      stream.write('');
    } catch {
      done(false);
    }
  });
}

/** Stops writing at once, dropping what is held: for an exit that must not wait. */
export function abandonLogger(logger: Logger): void {
  const output = outputs.get(logger);
  if (output) stopWriting(logger, output);
}

function stopWriting(logger: Logger, output: Output): void {
  output.broken = true;
  // Silent first, so nothing writes to the stream once it is destroyed; destroyed, so pino's
  // exit-time synchronous flush skips it.
  logger.level = 'silent';
  try {
    output.stream.destroy();
  } catch {
    // Already closed.
  }
}

/** One JSON line on `fd`, written without blocking and without caring whether it arrives. */
function report(fd: number, level: number, msg: string, fields: Record<string, unknown>): void {
  const line =
    JSON.stringify({ level, time: Date.now(), pid: process.pid, name: 'danmaku-layer-server', ...fields, msg }) + '\n';
  write(nonBlocking(fd), line, () => {});
}

/**
 * Returns `fd`, first letting Node open stdout or stderr as a stream (as pino does by default): a
 * pipe is then non-blocking, so a reader that stops reading makes a write fail with EAGAIN (pino
 * retries later) instead of blocking a thread in `write()` for ever. Such a thread would also hang
 * the process's exit, which waits for every thread of its pool.
 */
function nonBlocking(fd: number): number {
  if (fd === 1) return process.stdout.fd ?? fd;
  if (fd === 2) return process.stderr.fd ?? fd;
  return fd;
}

export type { Logger, LevelWithSilent };
