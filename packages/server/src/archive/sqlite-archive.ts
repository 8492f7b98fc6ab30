/**
 * The SQLite archive: one file in `--data-dir`, through better-sqlite3 (an optional dependency,
 * loaded only when an archive in a data directory is asked for). WAL mode, one writer: this process.
 * better-sqlite3 is synchronous, so each write is done by the time its promise exists; a write that
 * fails (disk full, file locked) rejects, and the send it belongs to fails with `internal`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
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

/** The part of better-sqlite3's API used here. */
interface Statement {
  run(...params: unknown[]): { changes: number };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface Database {
  prepare(sql: string): Statement;
  exec(sql: string): void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  transaction<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R;
  close(): void;
}
type DatabaseConstructor = new (path: string, options?: { timeout?: number }) => Database;

/** Options of {@link openSqliteArchive}. */
export interface SqliteArchiveOptions extends RetentionOptions {
  /** Directory of the database file (`danmaku.sqlite`); created when missing. */
  dataDir: string;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** Name of the database file inside the data directory. */
export const SQLITE_FILE = 'danmaku.sqlite';

/** Schema versions, applied in order; `PRAGMA user_version` records the last one applied. */
const MIGRATIONS = [
  `CREATE TABLE comments (
     row INTEGER PRIMARY KEY,
     room TEXT NOT NULL,
     id TEXT NOT NULL,
     seq INTEGER NOT NULL DEFAULT 0,
     ts INTEGER NOT NULL,
     time REAL,
     text TEXT NOT NULL,
     color TEXT NOT NULL,
     mode TEXT NOT NULL,
     size TEXT NOT NULL,
     user_id TEXT,
     user_name TEXT,
     UNIQUE (room, id)
   );
   CREATE INDEX comments_by_time ON comments (room, time, row) WHERE time IS NOT NULL;
   CREATE INDEX comments_by_row ON comments (room, row);
   CREATE INDEX comments_by_ts ON comments (ts);`,
  // Window reads return every column of ~1,000 rows. Through an index of (room, time, row) alone,
  // each row was one more page of the table, scattered (rows are written in the order people send
  // them, not in media-time order): 1,000 page reads per window. An index that holds every column
  // answers from its own pages, in media-time order (the file grows by about half).
  `DROP INDEX comments_by_time;
   CREATE INDEX comments_window ON comments
     (room, time, row, id, seq, ts, text, color, mode, size, user_id, user_name) WHERE time IS NOT NULL;`,
];

const COLUMNS = 'row, id, seq, ts, time, text, color, mode, size, user_id, user_name';

/**
 * Opens (creating or migrating) the archive in `dataDir`.
 *
 * @throws {Error} when better-sqlite3 is not installed (the message says how to install it), or the
 *   file cannot be opened.
 */
export async function openSqliteArchive(options: SqliteArchiveOptions): Promise<Archive> {
  checkRetention(options);
  const module = await loadOptional<{ default: DatabaseConstructor }>(
    'better-sqlite3',
    '--data-dir (an archive in SQLite)',
    'better-sqlite3@12',
  );
  mkdirSync(options.dataDir, { recursive: true });
  const db = new module.default(join(options.dataDir, SQLITE_FILE), { timeout: 5000 });
  try {
    return new SqliteArchive(db, options);
  } catch (error) {
    db.close();
    throw error;
  }
}

class SqliteArchive implements Archive {
  readonly kind = 'sqlite';
  readonly #db: Database;
  readonly #now: () => number;
  readonly #retention: RetentionOptions;
  readonly #writes = new Map<string, number>();
  readonly #timer?: NodeJS.Timeout;
  readonly #insert: Statement;
  readonly #find: Statement;
  readonly #confirm: Statement;
  readonly #discard: Statement;
  readonly #count: Statement;
  readonly #window: Statement;
  readonly #windowAfter: Statement;
  readonly #trim: Statement;
  readonly #expire: Statement;
  readonly #importMany: (room: string, comments: readonly ArchiveComment[], ts: number) => number;
  readonly #findBySeq: Statement;
  readonly #removeMany: (room: string, ids: readonly string[]) => number;
  #closed = false;

  constructor(db: Database, options: SqliteArchiveOptions) {
    this.#db = db;
    this.#now = options.now ?? Date.now;
    this.#retention = { ...options };
    db.pragma('journal_mode = WAL');
    // WAL with NORMAL sync is durable against a crash of the process, and far faster than FULL.
    db.pragma('synchronous = NORMAL');
    migrate(db);
    this.#insert = db.prepare(
      `INSERT INTO comments (room, id, seq, ts, time, text, color, mode, size, user_id, user_name)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (room, id) DO NOTHING`,
    );
    this.#find = db.prepare(`SELECT ${COLUMNS} FROM comments WHERE room = ? AND id = ?`);
    this.#confirm = db.prepare('UPDATE comments SET seq = ?, ts = ? WHERE room = ? AND id = ?');
    this.#discard = db.prepare(`DELETE FROM comments WHERE room = ? AND id = ? AND seq = ${PENDING_SEQ}`);
    this.#count = db.prepare('SELECT count(*) AS n FROM comments WHERE room = ?');
    const window = `SELECT ${COLUMNS} FROM comments WHERE room = ? AND time IS NOT NULL AND time >= ? AND time < ?`;
    this.#window = db.prepare(`${window} ORDER BY time, row LIMIT ?`);
    // A row value: the index search starts at the cursor, not at the window's start.
    this.#windowAfter = db.prepare(`${window} AND (time, row) > (?, ?) ORDER BY time, row LIMIT ?`);
    this.#trim = db.prepare(
      `DELETE FROM comments WHERE room = ? AND row <= (
         SELECT row FROM comments WHERE room = ? ORDER BY row DESC LIMIT 1 OFFSET ?)`,
    );
    this.#expire = db.prepare('DELETE FROM comments WHERE ts < ?');
    this.#importMany = db.transaction((room: string, comments: readonly ArchiveComment[], ts: number) => {
      let added = 0;
      for (const c of comments) added += this.#insert.run(...columnValues(room, c, 0, ts)).changes;
      return added;
    });
    this.#findBySeq = db.prepare(
      `SELECT ${COLUMNS} FROM comments WHERE room = ? AND seq = ? ORDER BY row DESC LIMIT 1`,
    );
    const removeOne = db.prepare('DELETE FROM comments WHERE room = ? AND id = ?');
    this.#removeMany = db.transaction((room: string, ids: readonly string[]) => {
      let removed = 0;
      for (const id of ids) removed += removeOne.run(room, id).changes;
      return removed;
    });
    if (options.maxAge !== undefined) {
      this.#timer = setInterval(() => void this.prune(), Math.min(PRUNE_INTERVAL, options.maxAge));
      this.#timer.unref();
    }
  }

  async reserve(room: string, comment: NewComment, ts: number): Promise<Reservation> {
    const created = this.#insert.run(...columnValues(room, comment, PENDING_SEQ, ts)).changes === 1;
    if (created) {
      this.#wrote(room, 1);
      return { created, published: false };
    }
    const row = this.#find.get(room, comment.id) as ArchiveRow | undefined;
    if (!row) return { created: false, published: false };
    return { created, existing: rowToComment(row), published: Number(row.seq) !== PENDING_SEQ };
  }

  async confirm(room: string, id: string, seq: number, ts: number): Promise<void> {
    this.#confirm.run(seq, ts, room, id);
  }

  async discard(room: string, id: string): Promise<void> {
    this.#discard.run(room, id);
  }

  async importComments(room: string, comments: readonly ArchiveComment[], ts: number): Promise<number> {
    const added = this.#importMany(room, comments, ts);
    this.#wrote(room, added);
    return added;
  }

  async window(room: string, query: WindowQuery): Promise<WindowPage> {
    const from = query.from ?? 0;
    const to = query.to ?? Number.MAX_VALUE;
    // One more than asked: tells whether a next page exists without a second query.
    const rows = (
      query.after
        ? this.#windowAfter.all(room, from, to, query.after.time, query.after.row, query.limit + 1)
        : this.#window.all(room, from, to, query.limit + 1)
    ) as ArchiveRow[];
    const more = rows.length > query.limit;
    if (more) rows.length = query.limit;
    const last = rows[rows.length - 1];
    return {
      comments: rows.map(rowToComment),
      ...(more && last ? { next: { time: Number(last.time), row: Number(last.row) } } : {}),
    };
  }

  async count(room: string): Promise<number> {
    return (this.#count.get(room) as { n: number }).n;
  }

  async remove(room: string, ids: readonly string[]): Promise<number> {
    return this.#removeMany(room, ids);
  }

  async findBySeq(room: string, seq: number): Promise<Comment | undefined> {
    if (!(seq > 0)) return undefined;
    const row = this.#findBySeq.get(room, seq) as ArchiveRow | undefined;
    return row ? rowToComment(row) : undefined;
  }

  async prune(): Promise<void> {
    if (this.#closed) return;
    if (this.#retention.maxAge !== undefined) this.#expire.run(this.#now() - this.#retention.maxAge);
    if (this.#retention.maxComments !== undefined) {
      const rooms = this.#db.prepare('SELECT DISTINCT room FROM comments').all() as Array<{ room: string }>;
      for (const { room } of rooms) this.#trim.run(room, room, this.#retention.maxComments);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#db.close();
  }

  /** Applies the count limit to a room every {@link TRIM_EVERY} writes (and after a large import). */
  #wrote(room: string, n: number): void {
    const max = this.#retention.maxComments;
    if (max === undefined || n === 0) return;
    const writes = (this.#writes.get(room) ?? 0) + n;
    if (writes < TRIM_EVERY) {
      this.#writes.set(room, writes);
      return;
    }
    this.#writes.delete(room);
    this.#trim.run(room, room, max);
  }
}

function migrate(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length)
    throw new Error(
      `The archive's schema (version ${version}) is newer than this server knows (${MIGRATIONS.length}).`,
    );
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
