/**
 * The moderation service: every action a moderator, an author or a back-office tool may take on a
 * room after the fact (retract, mute, unmute, slow mode, clear, report) and what can be read back
 * (mutes, most reported comments, recent actions). Client sockets call it now; the HTTP admin API
 * calls the same functions, so both are audited, counted and applied to the archive alike.
 */
import type { Comment } from 'danmaku-layer-protocol';
import type { Counter } from 'prom-client';
import type { Archive } from '../archive/archive.js';
import type { Engine } from '../engine.js';
import type { Logger } from '../logger.js';
import { AUDIT_RING_SIZE, type ModerationStore } from './store.js';

/**
 * Who acted, as written to the audit trail: a moderator's user id (the token's `sub`), `'author'`
 * for an author taking back their own comment, or `'admin-api'` for the HTTP admin API.
 */
export type Actor = string;

/**
 * Whom a mute names: a user id (the token's `sub`), the author of a comment still known to the
 * room (`seq`: by user id when they were signed in, else by the address they sent from), or a
 * sender key as {@link MuteEntry.target} shows it (`user:<id>`, `addr:<address key>`).
 */
export type MuteTarget = { user: string } | { seq: number } | { sender: string };

/** One mute in force. */
export interface MuteEntry {
  /** The muted sender: `user:<id>` for a signed-in user, `addr:<address key>` for an anonymous one. */
  target: string;
  /** The room it applies to, or `undefined` for every room. */
  room?: string;
  /** When it ends, in milliseconds since the epoch. */
  until: number;
}

/** A comment with the reports it received. */
export interface ReportedComment {
  seq: number;
  /** Distinct viewers who reported it. */
  count: number;
  /** The reasons given, most recent first (at most a few). */
  reasons: string[];
  /** The comment itself, when the room's history (or archive) still holds it. */
  comment?: Comment;
}

/** One entry of the audit trail (also written as one JSON log line). */
export interface AuditEntry {
  /** Who acted (see {@link Actor}). */
  actor: Actor;
  action: 'retract' | 'mute' | 'unmute' | 'slow_mode' | 'clear' | 'report';
  room: string;
  /** The comment acted on (retract, report; mute and unmute by seq). */
  seq?: number;
  /** The user acted on (mute, unmute), as in {@link MuteEntry.target}. */
  target?: string;
  /** Seconds: of a mute, or the slow-mode interval. */
  duration?: number;
  /** Whether a mute or unmute applies to every room. */
  everywhere?: boolean;
  /** When, in milliseconds since the epoch. */
  at: number;
}

/** Why an action was refused; callers map it to the protocol's `error` codes or HTTP statuses. */
export type ModerationFailure =
  /** The comment is not (or no longer) in the room's history or archive. HTTP 404. */
  | { ok: false; code: 'not_found'; message: string }
  /** The actor may not do this (e.g. an author past the retract window). HTTP 403. */
  | { ok: false; code: 'forbidden'; message: string }
  /** Too many requests; retry after `retryAfter` ms. HTTP 429. (Not returned by the service itself today: for callers that rate-limit.) */
  | { ok: false; code: 'rate_limited'; message: string; retryAfter: number };

/** The outcome of an action: success with its details, or a {@link ModerationFailure}. */
export type ModerationResult<T = object> = ({ ok: true } & T) | ModerationFailure;

/** What a send check answers: the sender may post, or must wait `retryAfter` ms (muted or slow mode). */
export type SendCheck = { ok: true } | { ok: false; reason: 'muted' | 'slow_mode'; retryAfter: number };

/**
 * Who a sender is for mutes, slow mode and author retraction: `user:<id>` when signed in, else
 * `addr:<address key>` (see `addressKey` in client-ips.ts: IPv6 by /64). Never broadcast.
 */
export function senderKey(user: { id: string } | undefined, addressKey: string): string {
  return user ? `user:${user.id}` : `addr:${addressKey}`;
}

/**
 * The moderation actions of one server (shared state on Redis, process state in memory).
 * Every action that changes something writes one audit JSON line through the server's logger
 * (`{ audit: true, actor, action, room, seq | target, duration, at }`), increments
 * `danmaku_moderation_actions_total{action}`, and is added to the room's audit ring
 * ({@link ModerationService.recentActions}). None of them throws for bad input: they resolve to a
 * {@link ModerationFailure}; they reject only when the store itself fails.
 */
export interface ModerationService {
  /**
   * Retracts a comment: removed from the room's history and the archive, and a `retract` event
   * reaches every client of the room on every instance. With `author`, only that sender's own
   * comment, and only within the server's `retractWindow` (else `forbidden`). A comment neither the
   * history nor the archive holds is `not_found`.
   *
   * @param author The sender key of an author retracting their own comment ({@link senderKey}).
   */
  retract(room: string, seq: number, actor: Actor, author?: string): Promise<ModerationResult<{ seq: number }>>;

  /**
   * Mutes a sender for `duration` seconds (1 to `MODERATION_LIMITS.maxMuteSeconds`) in `room`, or
   * in every room with `everywhere`. A `seq` target the room no longer knows is `not_found`.
   */
  mute(
    room: string,
    target: MuteTarget,
    duration: number,
    actor: Actor,
    everywhere?: boolean,
  ): Promise<ModerationResult<{ mute: MuteEntry }>>;

  /** Lifts a mute (same target rules as {@link mute}); unmuting someone not muted succeeds. */
  unmute(room: string, target: MuteTarget, actor: Actor, everywhere?: boolean): Promise<ModerationResult>;

  /**
   * Sets the room's slow mode: one comment per `interval` seconds per sender (0 = off, at most
   * `MODERATION_LIMITS.maxSlowModeSeconds`); a `slow_mode` event reaches every client of the room.
   */
  slowMode(room: string, interval: number, actor: Actor): Promise<ModerationResult<{ interval: number }>>;

  /**
   * Clears the room: every comment so far leaves every screen, the history and the archive (a
   * `clear` event with the room's latest seq). The sequence goes on: the next comment is seq + 1.
   */
  clear(room: string, actor: Actor): Promise<ModerationResult<{ seq: number; removed: number }>>;

  /**
   * Records a viewer's report of a comment: once per reporter and comment (a repeat succeeds and
   * changes nothing), `not_found` for an unknown seq. Callers bound how often a viewer may report
   * (sockets: per connection, answered `rate_limited`); this function does not.
   * The moderation hook's `onReport` is told of each new report.
   *
   * @param reporter The reporter's sender key ({@link senderKey}).
   */
  report(room: string, seq: number, reporter: string, reason?: string): Promise<ModerationResult>;

  /** Mutes in force for `room` (its own and those everywhere), or with no room, every mute. */
  listMutes(room?: string): Promise<MuteEntry[]>;

  /** The room's most reported comments, most reports first, at most `limit` (default 20). */
  topReports(room: string, limit?: number): Promise<ReportedComment[]>;

  /** The room's recent actions, newest first, at most `limit` (default and most: the ring's size, 100). */
  recentActions(room: string, limit?: number): Promise<AuditEntry[]>;

  /**
   * The per-send check, called before every comment is posted: refuses a muted sender, and (unless
   * `exempt`, for moderators) a sender inside the room's slow-mode interval, whose send is then
   * recorded as their last. One store round trip.
   */
  checkSend(room: string, sender: string, exempt: boolean): Promise<SendCheck>;

  /** The room's slow-mode interval in seconds (0 = off), for `welcome`. */
  slowModeOf(room: string): Promise<number>;

  /** Seconds an author may retract their own comment (0 = never), for `welcome`. */
  readonly retractWindow: number;
}

/** What {@link createModerationService} needs. */
export interface ModerationServiceOptions {
  /** The room engine (the archive-less one: removals reach the archive through `archive`). */
  engine: Engine;
  /** Where mutes, slow mode, reports and the audit ring live. */
  store: ModerationStore;
  /** The durable archive, when there is one: retracted and cleared comments leave it too. */
  archive?: Archive;
  /** Receives the audit lines (`info`, with `audit: true`). */
  logger: Logger;
  /** Counts actions by name. */
  actions: Counter<'action'>;
  /** Seconds an author may retract their own comment; `0` = never. */
  retractWindow: number;
  /** Told of every new report (a repeat is not told); its failures are logged, never answered. */
  onReport?: ReportHook;
  /** Clock, for tests. Default `Date.now`. */
  now?: () => number;
}

/** What the moderation hook's `onReport` receives. */
export interface ReportEvent {
  room: string;
  seq: number;
  /** The reporter's sender key ({@link senderKey}). */
  reporter: string;
  reason?: string;
  /** How many distinct viewers have reported this comment, this one included. */
  count: number;
  /** The comment, while the room's history holds it. */
  comment?: Comment;
}

/** Receives reports (see {@link ModerationServiceOptions.onReport}). */
export type ReportHook = (report: ReportEvent) => void | Promise<void>;

/** Builds the moderation service (see {@link ModerationService}). */
export function createModerationService(options: ModerationServiceOptions): ModerationService {
  const { engine, store, archive, logger, actions, retractWindow, onReport } = options;
  const now = options.now ?? Date.now;

  const record = async (entry: Omit<AuditEntry, 'at'>): Promise<void> => {
    const full: AuditEntry = { ...entry, at: now() };
    logger.info({ audit: true, ...full }, 'moderation action');
    actions.inc({ action: entry.action });
    await store.audit(full);
  };

  const notFound = (seq: number): ModerationFailure => ({
    ok: false,
    code: 'not_found',
    message: `No comment ${seq} in this room.`,
  });

  /** The sender key of a comment's author: from the history, else (signed in) from the archive. */
  const authorOf = async (room: string, seq: number): Promise<string | undefined> => {
    const stored = await engine.find(room, seq);
    if (stored) return stored.sender ?? (stored.comment.user ? senderKey(stored.comment.user, '') : undefined);
    const archived = await archive?.findBySeq(room, seq);
    return archived?.user ? senderKey(archived.user, '') : undefined;
  };

  const targetOf = async (room: string, target: MuteTarget): Promise<string | ModerationFailure> => {
    if ('user' in target) return `user:${target.user}`;
    if ('sender' in target) return target.sender;
    return (await authorOf(room, target.seq)) ?? notFound(target.seq);
  };

  return {
    retractWindow,

    async retract(room, seq, actor, author) {
      const stored = await engine.find(room, seq);
      if (author !== undefined) {
        // An author may only take back what the history still holds: the window is short.
        if (!stored) return notFound(seq);
        const own = stored.sender === author || (stored.comment.user && senderKey(stored.comment.user, '') === author);
        if (!own)
          return { ok: false, code: 'forbidden', message: 'Only moderators may retract the comments of others.' };
        if (retractWindow <= 0 || now() - stored.comment.ts > retractWindow * 1000) {
          return { ok: false, code: 'forbidden', message: 'The time to retract this comment is over.' };
        }
      }
      let ids: string[];
      if (stored) {
        ids = (await engine.retract(room, [seq])).ids;
        // Retracted meanwhile by someone else: still gone, which is what was asked.
      } else {
        const archived = await archive?.findBySeq(room, seq);
        if (!archived) return notFound(seq);
        ids = [archived.id];
        // Older than the history: no ordering to keep, but a screen may still show it (a replay).
        await engine.signal(room, { type: 'retract', seqs: [seq] });
      }
      if (archive && ids.length > 0) await archive.remove(room, ids);
      await store.forgetReports(room, [seq]);
      await record({ actor, action: 'retract', room, seq });
      return { ok: true, seq };
    },

    async mute(room, target, duration, actor, everywhere = false) {
      const key = await targetOf(room, target);
      if (typeof key !== 'string') return key;
      const mute: MuteEntry = { target: key, ...(everywhere ? {} : { room }), until: now() + duration * 1000 };
      await store.mute(mute);
      await record({
        actor,
        action: 'mute',
        room,
        ...('seq' in target ? { seq: target.seq } : {}),
        target: key,
        duration,
        ...(everywhere ? { everywhere } : {}),
      });
      return { ok: true, mute };
    },

    async unmute(room, target, actor, everywhere = false) {
      const key = await targetOf(room, target);
      if (typeof key !== 'string') return key;
      await store.unmute(key, everywhere ? undefined : room);
      await record({
        actor,
        action: 'unmute',
        room,
        ...('seq' in target ? { seq: target.seq } : {}),
        target: key,
        ...(everywhere ? { everywhere } : {}),
      });
      return { ok: true };
    },

    async slowMode(room, interval, actor) {
      await store.setSlowMode(room, interval);
      await engine.signal(room, { type: 'slow_mode', interval });
      await record({ actor, action: 'slow_mode', room, duration: interval });
      return { ok: true, interval };
    },

    async clear(room, actor) {
      const { seq, seqs, ids } = await engine.clear(room);
      if (archive && ids.length > 0) await archive.remove(room, ids);
      await store.forgetReports(room, seqs);
      await record({ actor, action: 'clear', room, seq });
      return { ok: true, seq, removed: ids.length };
    },

    async report(room, seq, reporter, reason) {
      const stored = await engine.find(room, seq);
      const comment = stored?.comment ?? (await archive?.findBySeq(room, seq));
      if (!comment) return notFound(seq);
      const count = await store.report(room, seq, reporter, reason);
      if (count === 0) return { ok: true };
      await record({ actor: reporter, action: 'report', room, seq });
      if (onReport) {
        const event: ReportEvent = { room, seq, reporter, count, comment, ...(reason ? { reason } : {}) };
        void Promise.resolve()
          .then(() => onReport(event))
          .catch((error: unknown) => logger.error({ err: error, room }, 'report hook failed'));
      }
      return { ok: true };
    },

    listMutes: (room) => store.mutes(room, now()),

    async topReports(room, limit = 20) {
      const tallies = await store.topReports(room, limit);
      return Promise.all(
        tallies.map(async (tally) => {
          const comment = (await engine.find(room, tally.seq))?.comment ?? (await archive?.findBySeq(room, tally.seq));
          return comment ? { ...tally, comment } : tally;
        }),
      );
    },

    recentActions: (room, limit = AUDIT_RING_SIZE) => store.recent(room, Math.min(limit, AUDIT_RING_SIZE)),

    checkSend: (room, sender, exempt) => store.checkSend(room, sender, exempt, now()),

    slowModeOf: (room) => store.slowMode(room),
  };
}
