import type { Readable } from 'node:stream';

/**
 * Calls `onLine` with each JSON line a process writes (the server logs one object per line),
 * however the stream cuts its chunks.
 */
export function onJsonLines(stream: Readable, onLine: (line: Record<string, unknown>) => void): void {
  let buffer = '';
  stream.on('data', (data: Buffer | string) => {
    buffer += String(data);
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = JSON.parse(buffer.slice(0, newline)) as Record<string, unknown>;
      buffer = buffer.slice(newline + 1);
      onLine(line);
    }
  });
}
