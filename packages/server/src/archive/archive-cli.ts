/**
 * The archive's part of the command line: which store the flags name (`--data-dir` or
 * `--database-url`), opening it, and the `import` command.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DEFAULT_LIMITS } from 'danmaku-layer-protocol';
import { ArchiveFormat, ArchiveFormatError } from 'danmaku-layer-protocol/formats';
import type { Archive, RetentionOptions } from './archive.js';
import { importArchive } from './import.js';

/** Where the archive is and how much it keeps. */
export type ArchiveConfig = RetentionOptions & ({ dataDir: string } | { databaseUrl: string });

/**
 * The archive the flags ask for, or `undefined` for none. `fail` makes the error to throw for a
 * bad combination.
 */
export function parseArchiveConfig(
  where: { dataDir?: string; databaseUrl?: string },
  maxComments: number | undefined,
  maxAge: number | undefined,
  fail: (message: string) => Error,
): ArchiveConfig | undefined {
  const retention: RetentionOptions = {
    ...(maxComments !== undefined ? { maxComments } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
  };
  if (where.dataDir !== undefined && where.databaseUrl !== undefined)
    throw fail('Give either --data-dir or --database-url, not both.');
  if (where.databaseUrl !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(where.databaseUrl))
      throw fail(`--database-url must start with postgres:// or postgresql://.`);
    return { ...retention, databaseUrl: where.databaseUrl };
  }
  if (where.dataDir !== undefined) {
    if (where.dataDir === '') throw fail('--data-dir must name a directory.');
    return { ...retention, dataDir: where.dataDir };
  }
  if (maxComments !== undefined || maxAge !== undefined)
    throw fail('--archive-max-comments and --archive-max-age need --data-dir or --database-url.');
  return undefined;
}

/**
 * Opens the archive of `config`, loading its driver (better-sqlite3 or pg) only now.
 *
 * @throws {MissingDependencyError} when the driver is not installed.
 */
export async function openArchive(config: ArchiveConfig, onError?: (error: unknown) => void): Promise<Archive> {
  const retention: RetentionOptions = {
    ...(config.maxComments !== undefined ? { maxComments: config.maxComments } : {}),
    ...(config.maxAge !== undefined ? { maxAge: config.maxAge } : {}),
  };
  if ('databaseUrl' in config) {
    const { openPostgresArchive } = await import('./postgres-archive.js');
    return openPostgresArchive({ ...retention, url: config.databaseUrl, ...(onError ? { onError } : {}) });
  }
  const { openSqliteArchive } = await import('./sqlite-archive.js');
  return openSqliteArchive({ ...retention, dataDir: config.dataDir });
}

const IMPORT_USAGE =
  'Usage: danmaku-layer-server import --room ROOM [--format bilibili|dplayer|json] [--max-text-length N] (--data-dir DIR | --database-url URL) FILE';

/**
 * `danmaku-layer-server import …`: reads FILE into ROOM of the archive and prints what was added
 * and what was skipped, by reason. Resolves with the exit code: 0 done, 1 unreadable file or
 * failed store, 2 bad usage. The store comes from the flags or from `DANMAKU_DATA_DIR` /
 * `DANMAKU_DATABASE_URL`.
 */
export async function runImportCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  err: (line: string) => void = (line) => process.stderr.write(`danmaku-layer-server import: ${line}\n`),
): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        room: { type: 'string' },
        format: { type: 'string' },
        'max-text-length': { type: 'string' },
        'data-dir': { type: 'string' },
        'database-url': { type: 'string' },
        help: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    }));
  } catch (error) {
    err(`${(error as Error).message}\n${IMPORT_USAGE}`);
    return 2;
  }
  if (values.help) {
    out(IMPORT_USAGE);
    return 0;
  }
  const room = values.room as string | undefined;
  const format = values.format as string | undefined;
  const maxText = values['max-text-length'] as string | undefined;
  const maxTextLength = maxText === undefined ? DEFAULT_LIMITS.maxTextLength : Number(maxText);
  const formats: string[] = Object.values(ArchiveFormat);
  let config: ArchiveConfig | undefined;
  try {
    if (!room) throw new Error('--room is required.');
    if (positionals.length !== 1) throw new Error('Give exactly one FILE.');
    if (format !== undefined && !formats.includes(format))
      throw new Error(`--format must be one of ${formats.join(', ')}; got "${format}".`);
    if (!Number.isSafeInteger(maxTextLength) || maxTextLength < 1)
      throw new Error(`--max-text-length must be a positive integer; got "${maxText}".`);
    const dataDir = (values['data-dir'] as string | undefined) ?? (env.DANMAKU_DATA_DIR || undefined);
    const databaseUrl = (values['database-url'] as string | undefined) ?? (env.DANMAKU_DATABASE_URL || undefined);
    config = parseArchiveConfig(
      values['data-dir'] !== undefined
        ? { dataDir }
        : values['database-url'] !== undefined
          ? { databaseUrl }
          : { dataDir, databaseUrl },
      undefined,
      undefined,
      (message) => new Error(message),
    );
    if (!config) throw new Error('Name the archive: --data-dir DIR or --database-url URL.');
  } catch (error) {
    err(`${(error as Error).message}\n${IMPORT_USAGE}`);
    return 2;
  }
  let text: string;
  try {
    text = await readFile(positionals[0], 'utf8');
  } catch (error) {
    err(`cannot read ${positionals[0]}: ${(error as Error).message}`);
    return 1;
  }
  let archive: Archive | undefined;
  try {
    archive = await openArchive(config);
    const report = await importArchive(archive, room, text, {
      ...(format ? { format: format as ArchiveFormat } : {}),
      maxTextLength,
    });
    out(`room ${room}: ${report.added} added, ${report.duplicates} already archived`);
    const reasons = Object.entries(report.skipped);
    if (reasons.length === 0) out('skipped: none');
    for (const [reason, n] of reasons) out(`skipped ${reason}: ${n}`);
    return 0;
  } catch (error) {
    err(
      error instanceof ArchiveFormatError
        ? `${positionals[0]} is unreadable: ${error.message}`
        : `import failed: ${(error as Error).message}`,
    );
    return 1;
  } finally {
    await archive?.close();
  }
}
