/**
 * The archive interface: where a room's comments are kept for good, by media time, for viewers
 * who watch later. Two implementations: SQLite in a file (`sqlite-archive.ts`, one process) and
 * PostgreSQL (`postgres-archive.ts`, many instances). Without an archive the server keeps only
 * the engine's bounded history, as before.
 */
import type { Comment } from 'danmaku-layer-protocol';
import type { ArchiveComment } from 'danmaku-layer-protocol/formats';
import type { NewComment } from '../engine.js';

/** How long and how much an archive keeps, per room. Unlimited by default. */
export interface RetentionOptions {
  /** Most comments kept per room; past it, the oldest written go first. Default unlimited. */
  maxComments?: number;
  /** Longest time a comment is kept, in milliseconds since it was written. Default unlimited. */
  maxAge?: number;
}

/** A window of media time to read, for {@link Archive.window}. */
export interface WindowQuery {
  /** Media time in seconds, inclusive. Default `0`. */
  from?: number;
  /** Media time in seconds, exclusive. Default: no end. */
  to?: number;
  /** Most comments in the page. */
  limit: number;
  /** Where the previous page ended ({@link WindowPage.next}). */
  after?: WindowCursor;
}

/** A position in a room's media-time order: the time and the row that were last returned. */
export interface WindowCursor {
  time: number;
  row: number;
}

/** What {@link Archive.window} returns. */
export interface WindowPage {
  /** Time-coded comments in media-time order (ties in the order they were written). */
  comments: Comment[];
  /** Where to go on from, when more comments follow in the window. */
  next?: WindowCursor;
}

/** What {@link Archive.reserve} returns. */
export interface Reservation {
  /** `true` when the row was written now; `false` when the (room, id) pair was there already. */
  created: boolean;
  /** The stored comment when it was there already; its `seq` is `0` until a publish confirmed it. */
  existing?: Comment;
  /** Whether the existing row was published live and confirmed (so a resend must not be published again). */
  published: boolean;
}

/**
 * A durable store of comments by room. Writes of the live path are three steps around the engine's
 * publish (see `archived-engine.ts`): {@link reserve} before it, {@link confirm} or {@link discard}
 * after it. Every method may be called concurrently; each rejects when the store fails.
 */
export interface Archive {
  /** `sqlite` or `postgres`, for logs. */
  readonly kind: string;
  /**
   * Writes a comment about to be published, unless the (room, id) pair is stored already. The row
   * is visible to readers at once (with `seq` 0) so that a comment a viewer saw live is never missing.
   */
  reserve(room: string, comment: NewComment, ts: number): Promise<Reservation>;
  /** Records the `seq` and timestamp the engine gave the reserved comment. */
  confirm(room: string, id: string, seq: number, ts: number): Promise<void>;
  /** Removes a reserved comment whose publish failed (nobody saw it). */
  discard(room: string, id: string): Promise<void>;
  /**
   * Adds comments read from a file, skipping every (room, id) pair already stored. Resolves with
   * how many were added.
   */
  importComments(room: string, comments: readonly ArchiveComment[], ts: number): Promise<number>;
  /** Reads time-coded comments of a room in media-time order. */
  window(room: string, query: WindowQuery): Promise<WindowPage>;
  /** Number of comments stored for a room (time-coded or not). */
  count(room: string): Promise<number>;
  /**
   * Deletes comments of a room by id (retracted or cleared by moderators): readers never see them
   * again. Ids not stored are ignored. Resolves with how many rows were deleted.
   */
  remove(room: string, ids: readonly string[]): Promise<number>;
  /**
   * The comment most recently stored in a room with this (confirmed) `seq`, if any: how a
   * retraction finds a comment the engine's history no longer holds. (After an in-memory server
   * restarted, an older comment may share its `seq`; the newest is the one a viewer can name.)
   */
  findBySeq(room: string, seq: number): Promise<Comment | undefined>;
  /** Applies the retention limits to every room now (also done by the archive on its own). */
  prune(): Promise<void>;
  /** Releases the store. Safe to call twice. */
  close(): Promise<void>;
}

/** How often the archives apply the age limit, in milliseconds. */
export const PRUNE_INTERVAL = 60_000;
/** Every this many writes to a room, the count limit is applied to it. */
export const TRIM_EVERY = 64;

/** Checks retention options; throws a `RangeError` naming the bad one. */
export function checkRetention(options: RetentionOptions): void {
  for (const [name, value] of [
    ['archiveMaxComments', options.maxComments],
    ['archiveMaxAge', options.maxAge],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1))
      throw new RangeError(`Option "${name}" must be a positive integer; got ${String(value)}.`);
  }
}

/** A stored row as both stores return it. */
export interface ArchiveRow {
  row: number | string;
  id: string;
  seq: number | string;
  ts: number | string;
  time: number | null;
  text: string;
  color: string;
  mode: string;
  size: string;
  user_id: string | null;
  user_name: string | null;
}

/** The protocol's comment of a stored row (a reserved but unconfirmed row has `seq` 0). */
export function rowToComment(row: ArchiveRow): Comment {
  const comment: Comment = {
    seq: Math.max(0, Number(row.seq)),
    id: row.id,
    text: row.text,
    color: row.color,
    mode: row.mode as Comment['mode'],
    size: row.size as Comment['size'],
    ts: Number(row.ts),
  };
  if (row.time !== null) comment.time = Number(row.time);
  if (row.user_id !== null)
    comment.user = row.user_name !== null ? { id: row.user_id, name: row.user_name } : { id: row.user_id };
  return comment;
}

/** `seq` of a reserved row not yet confirmed: it is shown as 0, and a resend of it may still be published. */
export const PENDING_SEQ = -1;

/**
 * Column values of a comment for both stores' INSERT, in the order of their column lists:
 * room, id, seq, ts, time, text, color, mode, size, user_id, user_name.
 */
export function columnValues(room: string, c: NewComment | ArchiveComment, seq: number, ts: number): unknown[] {
  return [
    room,
    c.id,
    seq,
    ts,
    typeof c.time === 'number' ? c.time : null,
    c.text,
    c.color,
    c.mode,
    c.size,
    c.user?.id ?? null,
    c.user?.name ?? null,
  ];
}
