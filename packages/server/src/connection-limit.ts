/**
 * The server-wide connection cap derived from the process's open-file limit: every TCP connection
 * holds a file descriptor, and a process out of descriptors cannot accept anyone (nor open Redis
 * connections, files or log pipes), so a flood of idle sockets would lock honest clients out.
 */
import { readFileSync } from 'node:fs';

/**
 * The soft "Max open files" limit of this process (`ulimit -n`), read from `/proc/self/limits`
 * on Linux; `undefined` when it cannot be read (another OS) or is unlimited.
 */
export function openFileLimit(): number | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  const match = /^Max open files\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * Connections the server may hold for a file limit of `files`: the limit less a tenth of it (at
 * least 64), kept for Redis, the demo's files, log pipes and the process's own descriptors. `0`
 * (no limit) when the file limit is unknown.
 *
 * @example
 * connectionLimit(1024); // 921
 * connectionLimit(65536); // 58982
 */
export function connectionLimit(files: number | undefined): number {
  if (files === undefined || !Number.isSafeInteger(files) || files <= 0) return 0;
  return Math.max(1, files - Math.max(64, Math.ceil(files / 10)));
}
