/**
 * Moderation state in Redis: shared by every instance and kept across restarts. Room state lives
 * under the room's `{hash tag}` like the engine's keys; mutes that apply everywhere in one hash.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { AUDIT_RING_SIZE, MAX_REASONS, type ModerationStore, type ReportTally } from './store.js';
import type { AuditEntry, MuteEntry, SendCheck } from './service.js';

/** Options of {@link RedisModerationStore}. */
export interface RedisModerationStoreOptions {
  /** Redis URL, as for the Redis engine. Default `'redis://127.0.0.1:6379'`. */
  url?: string;
  /** Further ioredis options. Default none. */
  redis?: RedisOptions;
  /** Prefix of every key: the Redis engine's. Default `'danmaku:'`. */
  prefix?: string;
  /** How long reports of a comment are kept after the last one, in ms. Default one day. */
  reportTtl?: number;
  /** Receives Redis connection failures; ioredis reconnects by itself. Default: ignored. */
  onError?: (error: unknown) => void;
}

/**
 * The room's own check, one script: the room mute, then slow mode (a key per sender holding the
 * time of their last send, expiring after the interval, so last sends clean themselves up; the
 * current interval is what counts, so a shorter one applies at once). Returns `{0}` ok, `{1, ms}` muted,
 * `{2, ms}` slow. KEYS[1] room mutes, KEYS[2] slow-mode interval, KEYS[3] the sender's slow-mode key.
 * ARGV[1] sender, ARGV[2] now (ms), ARGV[3] '1' when exempt from slow mode.
 */
const CHECK_SCRIPT = `
local now = tonumber(ARGV[2])
local muted = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if muted > now then return {1, muted - now} end
if ARGV[3] == '1' then return {0, 0} end
local interval = tonumber(redis.call('GET', KEYS[2]) or '0')
if interval <= 0 then return {0, 0} end
local last = tonumber(redis.call('GET', KEYS[3]) or '-1')
if last >= 0 and now - last < interval * 1000 then return {2, interval * 1000 - (now - last)} end
redis.call('SET', KEYS[3], ARGV[2], 'PX', interval * 1000)
return {0, 0}
`;

/**
 * Adds a mute; the hash lives as long as its longest mute. KEYS[1] mutes. ARGV[1] target,
 * ARGV[2] until (ms), ARGV[3] now (ms).
 */
const MUTE_SCRIPT = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
local left = tonumber(ARGV[2]) - tonumber(ARGV[3])
if redis.call('PTTL', KEYS[1]) < left then redis.call('PEXPIRE', KEYS[1], left) end
`;

/**
 * Records a report once per reporter. Returns the comment's reporters now, 0 for a repeat. KEYS[1] reporters of the comment,
 * KEYS[2] the room's tallies (sorted set seq → count), KEYS[3] reasons of the comment.
 * ARGV[1] reporter, ARGV[2] seq, ARGV[3] reason or '', ARGV[4] TTL (ms), ARGV[5] most reasons.
 */
const REPORT_SCRIPT = `
if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
local count = redis.call('ZINCRBY', KEYS[2], 1, ARGV[2])
if ARGV[3] ~= '' then
  redis.call('LPUSH', KEYS[3], ARGV[3])
  redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[5]) - 1)
  redis.call('PEXPIRE', KEYS[3], ARGV[4])
end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
return tonumber(count)
`;

interface ScriptCommands {
  danmakuCheckSend(...args: Array<string | number>): Promise<[number, number]>;
  danmakuMute(...args: Array<string | number>): Promise<null>;
  danmakuReport(...args: Array<string | number>): Promise<number>;
}

/**
 * Mutes, slow mode, reports and the audit ring in Redis. Give it the Redis engine's URL and prefix.
 *
 * @example
 * const engine = new RedisEngine({ url });
 * const danmaku = await createDanmakuServer({ engine, moderationStore: new RedisModerationStore({ url }) });
 */
export class RedisModerationStore implements ModerationStore {
  readonly #redis: Redis & ScriptCommands;
  readonly #prefix: string;
  readonly #reportTtl: number;

  constructor(options: RedisModerationStoreOptions = {}) {
    this.#prefix = options.prefix ?? 'danmaku:';
    if (/[{}]/.test(this.#prefix))
      throw new TypeError(`Option "prefix" must not contain "{" or "}"; got ${this.#prefix}.`);
    this.#reportTtl = options.reportTtl ?? 24 * 3600 * 1000;
    this.#redis = new Redis(options.url ?? 'redis://127.0.0.1:6379', {
      maxRetriesPerRequest: 0,
      commandTimeout: 2000,
      protocol: 2,
      ...options.redis,
    }) as Redis & ScriptCommands;
    const onError = options.onError ?? (() => {});
    this.#redis.on('error', (error: unknown) => onError(error));
    this.#redis.defineCommand('danmakuCheckSend', { numberOfKeys: 3, lua: CHECK_SCRIPT });
    this.#redis.defineCommand('danmakuMute', { numberOfKeys: 1, lua: MUTE_SCRIPT });
    this.#redis.defineCommand('danmakuReport', { numberOfKeys: 3, lua: REPORT_SCRIPT });
  }

  async checkSend(room: string, sender: string, exempt: boolean, now: number): Promise<SendCheck> {
    const base = this.#room(room);
    // Two commands sent together (one round trip): the mutes everywhere live in another slot.
    const [everywhere, [code, wait]] = await Promise.all([
      this.#redis.hget(this.#everywhere, sender),
      this.#redis.danmakuCheckSend(
        `${base}:mutes`,
        `${base}:slow`,
        `${base}:slow:${sender}`,
        sender,
        now,
        exempt ? '1' : '0',
      ),
    ]);
    const until = Number(everywhere ?? 0);
    if (until > now) return { ok: false, reason: 'muted', retryAfter: until - now };
    if (code === 1) return { ok: false, reason: 'muted', retryAfter: wait };
    if (code === 2) return { ok: false, reason: 'slow_mode', retryAfter: wait };
    return { ok: true };
  }

  async mute(entry: MuteEntry): Promise<void> {
    const key = entry.room === undefined ? this.#everywhere : `${this.#room(entry.room)}:mutes`;
    await this.#redis.danmakuMute(key, entry.target, entry.until, Date.now());
  }

  async unmute(target: string, room: string | undefined): Promise<void> {
    await this.#redis.hdel(room === undefined ? this.#everywhere : `${this.#room(room)}:mutes`, target);
  }

  async mutes(room: string | undefined, now: number): Promise<MuteEntry[]> {
    const keys: Array<[string, string | undefined]> = [[this.#everywhere, undefined]];
    if (room !== undefined) {
      keys.push([`${this.#room(room)}:mutes`, room]);
    } else {
      // Every room's mutes: found by pattern, a back-office listing, not a per-send path.
      const pattern = `${escapeGlob(this.#prefix)}{*}:mutes`;
      for await (const batch of this.#redis.scanStream({ match: pattern, count: 500 }) as AsyncIterable<string[]>) {
        for (const key of batch) keys.push([key, key.slice(this.#prefix.length + 1, key.lastIndexOf('}'))]);
      }
    }
    const list: MuteEntry[] = [];
    for (const [key, scope] of keys) {
      for (const [target, value] of Object.entries(await this.#redis.hgetall(key))) {
        const until = Number(value);
        if (until > now) list.push(scope === undefined ? { target, until } : { target, room: scope, until });
      }
    }
    return list;
  }

  async setSlowMode(room: string, interval: number): Promise<void> {
    if (interval === 0) await this.#redis.del(`${this.#room(room)}:slow`);
    else await this.#redis.set(`${this.#room(room)}:slow`, interval);
  }

  async slowMode(room: string): Promise<number> {
    return Number((await this.#redis.get(`${this.#room(room)}:slow`)) ?? 0);
  }

  async report(room: string, seq: number, reporter: string, reason: string | undefined): Promise<number> {
    const base = this.#room(room);
    return this.#redis.danmakuReport(
      `${base}:reporters:${seq}`,
      `${base}:reports`,
      `${base}:reasons:${seq}`,
      reporter,
      seq,
      reason ?? '',
      this.#reportTtl,
      MAX_REASONS,
    );
  }

  async topReports(room: string, limit: number): Promise<ReportTally[]> {
    const base = this.#room(room);
    const flat = await this.#redis.zrevrange(`${base}:reports`, 0, Math.max(0, limit - 1), 'WITHSCORES');
    const tallies: ReportTally[] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const seq = Number(flat[i]);
      tallies.push({
        seq,
        count: Number(flat[i + 1]),
        reasons: await this.#redis.lrange(`${base}:reasons:${seq}`, 0, -1),
      });
    }
    return tallies;
  }

  async forgetReports(room: string, seqs: readonly number[]): Promise<void> {
    if (seqs.length === 0) return;
    const base = this.#room(room);
    const pipeline = this.#redis.pipeline();
    pipeline.zrem(`${base}:reports`, ...seqs.map(String));
    for (const seq of seqs) pipeline.del(`${base}:reporters:${seq}`, `${base}:reasons:${seq}`);
    await pipeline.exec();
  }

  async audit(entry: AuditEntry): Promise<void> {
    const key = `${this.#room(entry.room)}:audit`;
    await this.#redis
      .pipeline()
      .lpush(key, JSON.stringify(entry))
      .ltrim(key, 0, AUDIT_RING_SIZE - 1)
      .exec();
  }

  async recent(room: string, limit: number): Promise<AuditEntry[]> {
    const items = await this.#redis.lrange(`${this.#room(room)}:audit`, 0, limit - 1);
    return items.map((item) => JSON.parse(item) as AuditEntry);
  }

  async close(): Promise<void> {
    this.#redis.disconnect();
  }

  get #everywhere(): string {
    return `${this.#prefix}mutes`;
  }

  #room(room: string): string {
    return `${this.#prefix}{${room}}`;
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
