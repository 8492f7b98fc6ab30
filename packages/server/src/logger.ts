/**
 * Structured JSON logs (pino).
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

/** Log levels, quietest last. */
export const LOG_LEVELS: readonly LevelWithSilent[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** Creates the server's logger: one JSON object per line on stdout. */
export function createLogger(level: LevelWithSilent): Logger {
  return pino({ name: 'danmaku-layer-server', level });
}

export type { Logger, LevelWithSilent };
