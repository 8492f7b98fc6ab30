/**
 * Structured JSON logs (pino).
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

/** Creates the server's logger: one JSON object per line on stdout. */
export function createLogger(level: LevelWithSilent): Logger {
  return pino({ name: 'danmaku-layer-server', level });
}

export type { Logger, LevelWithSilent };
