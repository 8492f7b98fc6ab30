/**
 * The PostgreSQL archive, for many instances (alongside Redis for the live fan-out): node-postgres
 * (`pg`, an optional dependency loaded only with `--database-url`) with a pool. The schema is
 * created or migrated at start-up, under an advisory lock so that instances starting together
 * apply each version once; `danmaku_schema` records the version.
 */
import type { Comment } from 'danmaku-layer-protocol';
import type { ArchiveComment } from 'danmaku-layer-protocol/formats';
import type { NewComment } from '../engine.js';
import {
  PENDING_SEQ,
  PRUNE_INTERVAL,
  TRIM_EVERY,
  checkRetention,
  columnValues,
  rowToComment,
  type Archive,
  type ArchiveRow,
  type Reservation,
  type RetentionOptions,
  type WindowPage,
  type WindowQuery,
} from './archive.js';
import { loadOptional } from './load-optional.js';

/** The part of node-postgres used here. */
interface QueryResult {
  rows: unknown[];
  rowCount: number | null;
}
interface Queryable {
  query(text: string, values?: unknown[]): Promise<QueryResult>;
}
interface PoolClient extends Queryable {
  release(error?: Error | boolean): void;
}
interface Pool extends Queryable {
  connect(): Promise<PoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): void;
}
type PoolConstructor = new (options: {
  connectionString: string;
  max?: number;
  connectionTimeoutMillis?: number;
  statement_timeout?: number;
}) => Pool;

/** Options of {@link openPostgresArchive}. */
export interface PostgresArchiveOptions extends RetentionOptions {
  /** `postgres://user:password@host:port/database`. */
  url: string;
  /** Most connections in the pool. Default `10`. */
  poolSize?: number;
  /** Longest wait for a query, in milliseconds; a slower one fails (the send gets `internal`). Default `5000`. */
  queryTimeout?: number;
  /** Receives failures of idle pool connections (the pool replaces them). Default: ignored. */
  onError?: (error: unknown) => void;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Schema versions, applied in order. */
const MIGRATIONS = [
  `CREATE TABLE danmaku_comments (
     row_id BIGSERIAL PRIMARY KEY,
     room TEXT NOT NULL,
     id TEXT NOT NULL,
     seq BIGINT NOT NULL DEFAULT 0,
     ts BIGINT NOT NULL,
     time DOUBLE PRECISION,
     text TEXT NOT NULL,
     color TEXT NOT NULL,
     mode TEXT NOT NULL,
     size TEXT NOT NULL,
     user_id TEXT,
     user_name TEXT,
     UNIQUE (room, id)
   );
   CREATE INDEX danmaku_comments_by_time ON danmaku_comments (room, time, row_id) WHERE time IS NOT NULL;
   CREATE INDEX danmaku_comments_by_row ON danmaku_comments (room, row_id);
   CREATE INDEX danmaku_comments_by_ts ON danmaku_comments (ts);`,
];

const COLUMNS = 'row_id AS row, id, seq, ts, time, text, color, mode, size, user_id, user_name';
/** Rows per INSERT of an import. */
const IMPORT_BATCH = 1000;
/**
 * Rows imported by this instance since its last `ANALYZE`, past which an import ends with one: at
 * least this many, and at least a tenth of the rows the statistics know of (autovacuum's own rule,
 * applied at once rather than up to a minute later).
 */
const ANALYZE_AFTER = 1000;

/**
 * Connects, creates or migrates the schema, and returns the archive.
 *
 * @throws {Error} when `pg` is not installed (the message says how to install it), the database
 *   is unreachable, or its schema is newer than this server.
 */
export async function openPostgresArchive(options: PostgresArchiveOptions): Promise<Archive> {
  checkRetention(options);
  if (!/^postgres(ql)?:\/\//.test(options.url))
    throw new TypeError(`Option "databaseUrl" must start with postgres:// or postgresql://.`);
  const pg = await loadOptional<{ default: { Pool: PoolConstructor } }>(
    'pg',
    '--database-url (an archive in PostgreSQL)',
    'pg',
  );
  const pool = new pg.default.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.queryTimeout ?? 5000,
    statement_timeout: options.queryTimeout ?? 5000,
  });
  const onError = options.onError ?? (() => {});
  pool.on('error', onError);
  try {
    await migrate(pool);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
  return new PostgresArchive(pool, options);
}

async function migrate(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // One instance migrates at a time; the others wait here and then find nothing to do.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('danmaku_schema'))`);
    await client.query('CREATE TABLE IF NOT EXISTS danmaku_schema (version INTEGER NOT NULL)');
    const { rows } = await client.query('SELECT version FROM danmaku_schema');
    const version = rows.length ? (rows[0] as { version: number }).version : 0;
    if (version > MIGRATIONS.length)
      throw new Error(
        `The archive's schema (version ${version}) is newer than this server knows (${MIGRATIONS.length}).`,
      );
    for (let v = version; v < MIGRATIONS.length; v++) await client.query(MIGRATIONS[v]);
    await client.query('DELETE FROM danmaku_schema');
    await client.query('INSERT INTO danmaku_schema (version) VALUES ($1)', [MIGRATIONS.length]);
    await client.query('COMMIT');
    client.release();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    client.release(true);
    throw error;
  }
}

class PostgresArchive implements Archive {
  readonly kind = 'postgres';
  readonly #pool: Pool;
  readonly #now: () => number;
  readonly #retention: RetentionOptions;
  readonly #writes = new Map<string, number>();
  readonly #timer?: NodeJS.Timeout;
  readonly #onError: (error: unknown) => void;
  #importedSinceAnalyze = 0;
  #closing?: Promise<void>;

  constructor(pool: Pool, options: PostgresArchiveOptions) {
    this.#pool = pool;
    this.#onError = options.onError ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#retention = { ...options };
    if (options.maxAge !== undefined || options.maxComments !== undefined) {
      this.#timer = setInterval(
        () => void this.prune().catch(options.onError ?? (() => {})),
        Math.min(PRUNE_INTERVAL, options.maxAge ?? PRUNE_INTERVAL),
      );
      this.#timer.unref();
    }
  }

  async reserve(room: string, comment: NewComment, ts: number): Promise<Reservation> {
    const inserted = await this.#pool.query(
      `INSERT INTO danmaku_comments (room, id, seq, ts, time, text, color, mode, size, user_id, user_name)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (room, id) DO NOTHING`,
      columnValues(room, comment, PENDING_SEQ, ts),
    );
    if (inserted.rowCount === 1) {
      await this.#wrote(room, 1);
      return { created: true, published: false };
    }
    const { rows } = await this.#pool.query(`SELECT ${COLUMNS} FROM danmaku_comments WHERE room = $1 AND id = $2`, [
      room,
      comment.id,
    ]);
    const row = rows[0] as ArchiveRow | undefined;
    if (!row) return { created: false, published: false };
    return { created: false, existing: rowToComment(row), published: Number(row.seq) !== PENDING_SEQ };
  }

  async confirm(room: string, id: string, seq: number, ts: number): Promise<void> {
    await this.#pool.query('UPDATE danmaku_comments SET seq = $1, ts = $2 WHERE room = $3 AND id = $4', [
      seq,
      ts,
      room,
      id,
    ]);
  }

  async discard(room: string, id: string): Promise<void> {
    await this.#pool.query(`DELETE FROM danmaku_comments WHERE room = $1 AND id = $2 AND seq = ${PENDING_SEQ}`, [
      room,
      id,
    ]);
  }

  async importComments(room: string, comments: readonly ArchiveComment[], ts: number): Promise<number> {
    let added = 0;
    for (let start = 0; start < comments.length; start += IMPORT_BATCH) {
      const batch = comments.slice(start, start + IMPORT_BATCH);
      const columns: unknown[][] = Array.from({ length: 11 }, () => []);
      for (const c of batch) columnValues(room, c, 0, ts).forEach((value, i) => columns[i].push(value));
      // One statement per batch: column arrays unnested into rows.
      const result = await this.#pool.query(
        `INSERT INTO danmaku_comments (room, id, seq, ts, time, text, color, mode, size, user_id, user_name)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::float8[], $6::text[],
                              $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
         ON CONFLICT (room, id) DO NOTHING`,
        columns,
      );
      added += result.rowCount ?? 0;
    }
    await this.#wrote(room, added);
    await this.#analyzeAfterImport(added);
    return added;
  }

  async window(room: string, query: WindowQuery): Promise<WindowPage> {
    const params: unknown[] = [room, query.from ?? 0, query.to ?? Number.MAX_VALUE];
    let after = '';
    if (query.after) {
      params.push(query.after.time, query.after.row);
      after = 'AND (time, row_id) > ($4, $5)';
    }
    params.push(query.limit + 1);
    const { rows } = (await this.#pool.query(
      `SELECT ${COLUMNS} FROM danmaku_comments
       WHERE room = $1 AND time IS NOT NULL AND time >= $2 AND time < $3 ${after}
       ORDER BY time, row_id LIMIT $${params.length}`,
      params,
    )) as { rows: ArchiveRow[] };
    const more = rows.length > query.limit;
    if (more) rows.length = query.limit;
    const last = rows[rows.length - 1];
    return {
      comments: rows.map(rowToComment),
      ...(more && last ? { next: { time: Number(last.time), row: Number(last.row) } } : {}),
    };
  }

  async count(room: string): Promise<number> {
    const { rows } = await this.#pool.query('SELECT count(*)::int AS n FROM danmaku_comments WHERE room = $1', [room]);
    return (rows[0] as { n: number }).n;
  }

  async remove(room: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.#pool.query('DELETE FROM danmaku_comments WHERE room = $1 AND id = ANY($2::text[])', [
      room,
      [...ids],
    ]);
    return result.rowCount ?? 0;
  }

  async findBySeq(room: string, seq: number): Promise<Comment | undefined> {
    if (!(seq > 0)) return undefined;
    const { rows } = await this.#pool.query(
      `SELECT ${COLUMNS} FROM danmaku_comments WHERE room = $1 AND seq = $2 ORDER BY row_id DESC LIMIT 1`,
      [room, seq],
    );
    const row = rows[0] as ArchiveRow | undefined;
    return row ? rowToComment(row) : undefined;
  }

  async prune(): Promise<void> {
    if (this.#closing) return;
    if (this.#retention.maxAge !== undefined)
      await this.#pool.query('DELETE FROM danmaku_comments WHERE ts < $1', [this.#now() - this.#retention.maxAge]);
    if (this.#retention.maxComments !== undefined) {
      const { rows } = await this.#pool.query('SELECT DISTINCT room FROM danmaku_comments');
      for (const { room } of rows as Array<{ room: string }>) await this.#trim(room);
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      await this.#pool.end();
    })();
    return this.#closing;
  }

  async #trim(room: string): Promise<void> {
    await this.#pool.query(
      `DELETE FROM danmaku_comments WHERE room = $1 AND row_id <= (
         SELECT row_id FROM danmaku_comments WHERE room = $1 ORDER BY row_id DESC LIMIT 1 OFFSET $2)`,
      [room, this.#retention.maxComments],
    );
  }

  /**
   * Refreshes the planner's statistics after a large import. Without them (a table just filled),
   * PostgreSQL guesses that a window holds a dozen rows, reads all of its rows from the table and
   * sorts them, instead of walking `danmaku_comments_by_time` in order and stopping at the limit:
   * window reads of a freshly imported room of 1,000,000 comments were several times slower. A
   * failed `ANALYZE` (e.g. a role that does not own the table) costs only speed: reported, not thrown.
   */
  async #analyzeAfterImport(added: number): Promise<void> {
    this.#importedSinceAnalyze += added;
    if (this.#importedSinceAnalyze < ANALYZE_AFTER) return;
    try {
      const { rows } = await this.#pool.query(
        `SELECT reltuples FROM pg_class WHERE oid = 'danmaku_comments'::regclass`,
      );
      // -1 (or 0 before version 14): never analysed.
      const known = Math.max(0, Number((rows[0] as { reltuples: number | string } | undefined)?.reltuples ?? 0));
      if (this.#importedSinceAnalyze < known / 10) return;
      this.#importedSinceAnalyze = 0;
      await this.#pool.query('ANALYZE danmaku_comments');
    } catch (error) {
      this.#onError(error);
    }
  }

  /** Applies the count limit to a room every {@link TRIM_EVERY} writes of this instance. */
  async #wrote(room: string, n: number): Promise<void> {
    if (this.#retention.maxComments === undefined || n === 0) return;
    const writes = (this.#writes.get(room) ?? 0) + n;
    if (writes < TRIM_EVERY) {
      this.#writes.set(room, writes);
      return;
    }
    this.#writes.delete(room);
    await this.#trim(room);
  }
}
