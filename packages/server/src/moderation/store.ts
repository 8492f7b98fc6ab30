/**
 * Where moderation state lives: mutes, slow mode and the last send of each sender, reports and the
 * audit ring. In memory for one process ({@link MemoryModerationStore}), in Redis for several.
 */
import type { AuditEntry, MuteEntry, SendCheck } from './service.js';

/** Most audit entries kept per room. */
export const AUDIT_RING_SIZE = 100;
/** Most reasons kept per reported comment. */
export const MAX_REASONS = 5;
/** Most reported comments tracked per room (in memory): past it, the oldest comment's reports go. */
export const MAX_REPORTED = 1000;

/** A reported comment as stored: counts and reasons, without the comment. */
export interface ReportTally {
  seq: number;
  count: number;
  reasons: string[];
}

/** The moderation state of a server. Every method may run concurrently for many rooms. */
export interface ModerationStore {
  /**
   * Refuses a muted sender (in the room or everywhere), then, with a slow mode and unless
   * `exempt`, a sender whose last send in the room is less than the interval ago; an accepted
   * send is recorded as the sender's last. `now` in ms.
   */
  checkSend(room: string, sender: string, exempt: boolean, now: number): Promise<SendCheck>;
  /** Adds or replaces a mute. */
  mute(entry: MuteEntry): Promise<void>;
  /** Lifts the mute of `target` in `room` (or everywhere when `room` is undefined). */
  unmute(target: string, room: string | undefined): Promise<void>;
  /** Mutes in force at `now` for `room` (with those everywhere), or every mute without a room. */
  mutes(room: string | undefined, now: number): Promise<MuteEntry[]>;
  /** Sets the slow-mode interval in seconds; `0` turns it off. */
  setSlowMode(room: string, interval: number): Promise<void>;
  /** The slow-mode interval in seconds, `0` when off. */
  slowMode(room: string): Promise<number>;
  /**
   * Records a report. Resolves with the number of distinct reporters of the comment now, or `0`
   * when this reporter had reported it already (nothing changed).
   */
  report(room: string, seq: number, reporter: string, reason: string | undefined): Promise<number>;
  /** The most reported comments, most first. */
  topReports(room: string, limit: number): Promise<ReportTally[]>;
  /** Forgets the reports of comments that are gone (retracted or cleared). */
  forgetReports(room: string, seqs: readonly number[]): Promise<void>;
  /** Appends to the room's audit ring (the oldest entries past {@link AUDIT_RING_SIZE} go). */
  audit(entry: AuditEntry): Promise<void>;
  /** The room's audit ring, newest first. */
  recent(room: string, limit: number): Promise<AuditEntry[]>;
  /** Releases resources. */
  close(): Promise<void>;
}
