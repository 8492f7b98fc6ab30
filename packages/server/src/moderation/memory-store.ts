/**
 * Moderation state in this process: it lives as long as the process, like the memory engine's rooms.
 */
import { AUDIT_RING_SIZE, MAX_REASONS, MAX_REPORTED, type ModerationStore, type ReportTally } from './store.js';
import type { AuditEntry, MuteEntry, SendCheck } from './service.js';

/** Scope key of mutes that apply to every room (room names cannot contain `*`). */
const EVERYWHERE = '*';

interface RoomState {
  slowMode: number;
  /** Sender → time of the last accepted send (ms), only while slow mode is on. */
  lastSend: Map<string, number>;
  /** Seq → reporters and reasons. */
  reports: Map<number, { reporters: Set<string>; reasons: string[] }>;
  audit: AuditEntry[];
}

/**
 * Mutes, slow mode, reports and audit in `Map`s. Bounded: expired mutes are dropped when read,
 * last sends older than the interval are dropped as they are passed, the audit ring is capped.
 */
export class MemoryModerationStore implements ModerationStore {
  /** Scope (room or {@link EVERYWHERE}) → target → until (ms). */
  readonly #mutes = new Map<string, Map<string, number>>();
  readonly #rooms = new Map<string, RoomState>();

  async checkSend(room: string, sender: string, exempt: boolean, now: number): Promise<SendCheck> {
    const until = Math.max(this.#muteUntil(room, sender, now), this.#muteUntil(EVERYWHERE, sender, now));
    if (until > now) return { ok: false, reason: 'muted', retryAfter: until - now };
    const state = this.#rooms.get(room);
    if (!state || state.slowMode === 0 || exempt) return { ok: true };
    const interval = state.slowMode * 1000;
    const last = state.lastSend.get(sender);
    if (last !== undefined && now - last < interval) {
      return { ok: false, reason: 'slow_mode', retryAfter: interval - (now - last) };
    }
    // Re-inserted at the end: the map stays in time order, so the stale head can be cut cheaply.
    state.lastSend.delete(sender);
    state.lastSend.set(sender, now);
    for (const [key, at] of state.lastSend) {
      if (now - at < interval) break;
      state.lastSend.delete(key);
    }
    return { ok: true };
  }

  async mute(entry: MuteEntry): Promise<void> {
    const scope = entry.room ?? EVERYWHERE;
    let targets = this.#mutes.get(scope);
    if (!targets) this.#mutes.set(scope, (targets = new Map<string, number>()));
    targets.set(entry.target, entry.until);
  }

  async unmute(target: string, room: string | undefined): Promise<void> {
    const scope = room ?? EVERYWHERE;
    const targets = this.#mutes.get(scope);
    targets?.delete(target);
    if (targets?.size === 0) this.#mutes.delete(scope);
  }

  async mutes(room: string | undefined, now: number): Promise<MuteEntry[]> {
    const scopes = room === undefined ? [...this.#mutes.keys()] : [room, EVERYWHERE];
    const list: MuteEntry[] = [];
    for (const scope of scopes) {
      for (const [target, until] of this.#mutes.get(scope) ?? []) {
        if (until <= now) continue;
        list.push(scope === EVERYWHERE ? { target, until } : { target, room: scope, until });
      }
    }
    return list;
  }

  async setSlowMode(room: string, interval: number): Promise<void> {
    const state = this.#room(room);
    state.slowMode = interval;
    if (interval === 0) state.lastSend.clear();
  }

  async slowMode(room: string): Promise<number> {
    return this.#rooms.get(room)?.slowMode ?? 0;
  }

  async report(room: string, seq: number, reporter: string, reason: string | undefined): Promise<number> {
    const state = this.#room(room);
    let entry = state.reports.get(seq);
    if (!entry) {
      state.reports.set(seq, (entry = { reporters: new Set(), reasons: [] }));
      if (state.reports.size > MAX_REPORTED) state.reports.delete(Math.min(...state.reports.keys()));
    }
    if (entry.reporters.has(reporter)) return 0;
    entry.reporters.add(reporter);
    if (reason) entry.reasons = [reason, ...entry.reasons].slice(0, MAX_REASONS);
    return entry.reporters.size;
  }

  async topReports(room: string, limit: number): Promise<ReportTally[]> {
    const reports = this.#rooms.get(room)?.reports;
    if (!reports) return [];
    return [...reports.entries()]
      .map(([seq, entry]) => ({ seq, count: entry.reporters.size, reasons: [...entry.reasons] }))
      .sort((a, b) => b.count - a.count || b.seq - a.seq)
      .slice(0, limit);
  }

  async forgetReports(room: string, seqs: readonly number[]): Promise<void> {
    const reports = this.#rooms.get(room)?.reports;
    for (const seq of seqs) reports?.delete(seq);
  }

  async audit(entry: AuditEntry): Promise<void> {
    const ring = this.#room(entry.room).audit;
    ring.push(entry);
    if (ring.length > AUDIT_RING_SIZE) ring.splice(0, ring.length - AUDIT_RING_SIZE);
  }

  async recent(room: string, limit: number): Promise<AuditEntry[]> {
    return (this.#rooms.get(room)?.audit ?? []).slice(-limit).reverse();
  }

  async close(): Promise<void> {
    this.#mutes.clear();
    this.#rooms.clear();
  }

  #muteUntil(scope: string, target: string, now: number): number {
    const targets = this.#mutes.get(scope);
    const until = targets?.get(target);
    if (until === undefined) return 0;
    if (until <= now) {
      targets!.delete(target);
      if (targets!.size === 0) this.#mutes.delete(scope);
      return 0;
    }
    return until;
  }

  #room(room: string): RoomState {
    let state = this.#rooms.get(room);
    if (!state) {
      state = { slowMode: 0, lastSend: new Map(), reports: new Map(), audit: [] };
      this.#rooms.set(room, state);
    }
    return state;
  }
}
