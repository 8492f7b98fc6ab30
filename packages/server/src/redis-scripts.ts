/**
 * The Redis engine's key layout and Lua scripts. Each script runs atomically inside Redis, so
 * sequence, history, deduplication and publication never disagree, whichever instance calls them.
 */

/**
 * Keys of one room. Every key carries the room in a `{hash tag}`, so all of a room's keys live in
 * one slot and the scripts also run on Redis Cluster.
 */
export interface RoomKeys {
  /** Hash: `epoch` (random id of the sequence), `seq` (latest assigned) and `events` (latest event number). */
  meta: string;
  /** List of stored comments (JSON), oldest first; always the contiguous range `seq - LLEN + 1 … seq`. */
  history: string;
  /** Hash: instance id → that instance's viewer count in the room. */
  viewers: string;
  /** Sorted set: instance id → last time (ms, Redis clock) the instance confirmed its count. */
  viewersSeen: string;
  /** Pub/sub channel of the room's new comments. */
  channel: string;
  /** Prefix of the per-send deduplication keys; append the client id. */
  dedupe: string;
  /** Hash: seq → sender key of the comments the history holds (never broadcast). */
  senders: string;
  /** List of the room's latest events as published (JSON), oldest first: what a subscriber that missed one reads. */
  events: string;
}

/**
 * How many of a room's events its log keeps. A subscriber whose pub/sub connection was away longer
 * than it takes a room to have this many retractions, clears and slow-mode changes cannot catch up
 * on them and starts over instead.
 */
export const EVENT_LOG_SIZE = 100;

/** Builds the keys of `room` under `prefix`. */
export function roomKeys(prefix: string, room: string): RoomKeys {
  const base = `${prefix}{${room}}`;
  return {
    meta: `${base}:meta`,
    history: `${base}:history`,
    viewers: `${base}:viewers`,
    viewersSeen: `${base}:viewers-seen`,
    channel: `${base}:comments`,
    dedupe: `${base}:sent:`,
    senders: `${base}:senders`,
    events: `${base}:events`,
  };
}

/**
 * Ensures the room has an epoch (a new room, or a Redis that lost its data, gets the candidate),
 * then reads it. Shared preamble of the scripts below.
 * KEYS[1] meta, KEYS[2] history; ARGV[1] candidate epoch; ARGV[2] room TTL (ms).
 */
const ENSURE_EPOCH = `
if redis.call('HSETNX', KEYS[1], 'epoch', ARGV[1]) == 1 then
  -- A history left without its meta (evicted) belongs to the old sequence.
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'seq', 0)
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local epoch = redis.call('HGET', KEYS[1], 'epoch')
`;

/** Current Redis time in ms: one clock for every instance, so `ts` and ages agree across them. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Posts a comment. Returns `{1, storedJson}` for a duplicate id, else `{0, storedJson}` after
 * assigning the next seq, storing, and publishing `{"e":epoch,"c":comment}` on the room channel.
 * The comment JSON is assembled by concatenation rather than cjson, which would round numbers
 * such as `time` to 14 digits.
 * The sender, when given, is kept by seq beside the history, and leaves with its comment.
 * KEYS[1] meta, KEYS[2] history, KEYS[3] dedupe key of this id, KEYS[4] senders.
 * ARGV[1] candidate epoch, ARGV[2] room TTL (ms), ARGV[3] comment JSON without seq/ts (an object),
 * ARGV[4] history size, ARGV[5] dedupe window (ms), ARGV[6] channel, ARGV[7] sender key or ''.
 */
export const PUBLISH_SCRIPT = `
local earlier = redis.call('GET', KEYS[3])
if earlier then return {1, earlier} end
${ENSURE_EPOCH}
${NOW}
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
local comment = '{"seq":' .. string.format('%d', seq) .. ',"ts":' .. string.format('%d', now) .. ',' .. string.sub(ARGV[3], 2)
redis.call('SET', KEYS[3], comment, 'PX', ARGV[5])
redis.call('RPUSH', KEYS[2], comment)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[4]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[4], seq, ARGV[7])
  redis.call('HDEL', KEYS[4], seq - tonumber(ARGV[4]))
  redis.call('PEXPIRE', KEYS[4], ARGV[2])
end
redis.call('PUBLISH', ARGV[6], '{"e":"' .. epoch .. '","c":' .. comment .. '}')
return {0, comment}
`;

/**
 * Reads the room's state and the stored comments after a seq, in one consistent snapshot.
 * Returns `{epoch, seq, complete (0/1), now, {comment JSON…}, events}`; `complete` covers trimming by
 * count and by `limit`; the caller applies the age limit with `now`.
 * KEYS[1] meta, KEYS[2] history. ARGV[1] candidate epoch, ARGV[2] room TTL, ARGV[3] after, ARGV[4] limit.
 */
export const HISTORY_SCRIPT = `
${ENSURE_EPOCH}
${NOW}
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local len = redis.call('LLEN', KEYS[2])
local after = tonumber(ARGV[3])
local limit = tonumber(ARGV[4])
-- The list holds seq - len + 1 … seq, so a seq's index is known without scanning.
local start = after + 1 - (seq - len + 1)
local complete = 1
if start < 0 then
  if after < seq then complete = 0 end
  start = 0
end
if len - start > limit then
  complete = 0
  start = len - limit
end
local items = {}
if start < len then items = redis.call('LRANGE', KEYS[2], start, -1) end
return {epoch, seq, complete, now, items, tonumber(redis.call('HGET', KEYS[1], 'events') or '0')}
`;

/**
 * Sets this instance's viewer count in a room and returns the room's total over live instances.
 * Instances that have not confirmed their count for `timeout` ms are dropped first (they died).
 * KEYS[1] viewers, KEYS[2] viewers-seen. ARGV[1] instance id, ARGV[2] count, ARGV[3] timeout (ms).
 */
export const VIEWERS_SCRIPT = `
${NOW}
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[3]))
for _, id in ipairs(stale) do
  redis.call('HDEL', KEYS[1], id)
  redis.call('ZREM', KEYS[2], id)
end
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('ZADD', KEYS[2], now, ARGV[1])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
end
-- Both keys outlive the last live instance by one timeout, then vanish on their own.
redis.call('PEXPIRE', KEYS[1], ARGV[3] * 2)
redis.call('PEXPIRE', KEYS[2], ARGV[3] * 2)
local total = 0
for _, n in ipairs(redis.call('HVALS', KEYS[1])) do total = total + tonumber(n) end
return total
`;

/**
 * Keeps a watched room alive and reports where it stands: extends the TTL of its keys and
 * returns `{epoch, seq, events}` (creating the epoch when Redis lost the room).
 * KEYS[1] meta, KEYS[2] history. ARGV[1] candidate epoch, ARGV[2] room TTL (ms).
 */
export const TOUCH_SCRIPT = `
${ENSURE_EPOCH}
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return {epoch, tonumber(redis.call('HGET', KEYS[1], 'seq') or '0'), tonumber(redis.call('HGET', KEYS[1], 'events') or '0')}
`;

/**
 * Gives a room a new epoch when its sequence went backwards under the same epoch (Redis restarted
 * from a persistence file or failed over to a replica that had not received the latest writes):
 * reusing those seq numbers would make clients drop new comments as already seen.
 * Returns the room's epoch afterwards.
 * KEYS[1] meta. ARGV[1] the epoch seen, ARGV[2] the highest seq seen in it, ARGV[3] new epoch.
 */
export const ROLLBACK_SCRIPT = `
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if epoch == ARGV[1] and tonumber(redis.call('HGET', KEYS[1], 'seq') or '0') < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], 'epoch', ARGV[3])
  return ARGV[3]
end
return epoch
`;

/**
 * A removed comment stays in the history list as a tombstone (`{"seq","ts","gone":1}`), so the list
 * keeps holding the contiguous range its readers index by seq, and a removal is not a hole.
 */
const TOMBSTONE = `
local function tombstone(item)
  local c = cjson.decode(item)
  if c.gone then return nil end
  return c.id, '{"seq":' .. string.format('%d', c.seq) .. ',"ts":' .. string.format('%d', c.ts) .. ',"gone":1}'
end
`;

/**
 * Reads one stored comment and its sender: `{comment JSON or false, sender or false, now}`.
 * KEYS[1] meta, KEYS[2] history, KEYS[3] senders. ARGV[1] seq.
 */
export const FIND_SCRIPT = `
${NOW}
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local len = redis.call('LLEN', KEYS[2])
local index = tonumber(ARGV[1]) - (seq - len + 1)
if index < 0 or index >= len then return {false, false, now} end
return {redis.call('LINDEX', KEYS[2], index), redis.call('HGET', KEYS[3], ARGV[1]), now}
`;

/**
 * Publishes an event and keeps it in the room's event log: pub/sub is at-most-once, and a
 * subscriber that missed an event (its connection was away) sees the gap in the numbers `n` and
 * reads what it missed from the log. `fields` is the message's JSON without its braces and `n`.
 */
const LOG_EVENT = `
local function logEvent(meta, log, channel, ttl, fields)
  local n = redis.call('HINCRBY', meta, 'events', 1)
  local message = '{"n":' .. string.format('%d', n) .. ',' .. fields .. '}'
  redis.call('RPUSH', log, message)
  redis.call('LTRIM', log, -${EVENT_LOG_SIZE}, -1)
  redis.call('PEXPIRE', log, ttl)
  redis.call('PUBLISH', channel, message)
end
`;

/**
 * Retracts comments: each one the history holds becomes a tombstone and loses its sender; when any
 * did, publishes the event `{"n":number,"e":epoch,"s":latest seq,"v":{"type":"retract","seqs":[…]}}`
 * on the room channel (delivered after every comment it names) and logs it. Returns `{{seq…}, {id…}}`.
 * KEYS[1] meta, KEYS[2] history, KEYS[3] senders, KEYS[4] events. ARGV[1] channel, ARGV[2] room TTL
 * (ms), ARGV[3…] seqs.
 */
export const RETRACT_SCRIPT = `
${TOMBSTONE}
${LOG_EVENT}
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then return {{}, {}} end
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local len = redis.call('LLEN', KEYS[2])
local seqs, ids, texts = {}, {}, {}
for i = 3, #ARGV do
  local target = tonumber(ARGV[i])
  local index = target - (seq - len + 1)
  if index >= 0 and index < len then
    local id, stone = tombstone(redis.call('LINDEX', KEYS[2], index))
    if id then
      redis.call('LSET', KEYS[2], index, stone)
      redis.call('HDEL', KEYS[3], target)
      seqs[#seqs + 1] = target
      ids[#ids + 1] = id
      texts[#texts + 1] = string.format('%d', target)
    end
  end
end
if #seqs > 0 then
  logEvent(KEYS[1], KEYS[4], ARGV[1], ARGV[2], '"e":"' .. epoch .. '","s":' .. string.format('%d', seq) ..
    ',"v":{"type":"retract","seqs":[' .. table.concat(texts, ',') .. ']}')
end
return {seqs, ids}
`;

/**
 * Clears a room: every stored comment becomes a tombstone, the senders go, and the event
 * `{"n":number,"e":epoch,"s":seq,"v":{"type":"clear","seq":seq}}` is published and logged. Seq and
 * epoch go on. Returns `{seq, {seq…}, {id…}}`.
 * KEYS[1] meta, KEYS[2] history, KEYS[3] senders, KEYS[4] events. ARGV[1] channel, ARGV[2] room TTL (ms).
 */
export const CLEAR_SCRIPT = `
${TOMBSTONE}
${LOG_EVENT}
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then return {0, {}, {}} end
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local items = redis.call('LRANGE', KEYS[2], 0, -1)
local seqs, ids = {}, {}
for index, item in ipairs(items) do
  local id, stone = tombstone(item)
  if id then
    redis.call('LSET', KEYS[2], index - 1, stone)
    seqs[#seqs + 1] = seq - #items + index
    ids[#ids + 1] = id
  end
end
redis.call('DEL', KEYS[3])
logEvent(KEYS[1], KEYS[4], ARGV[1], ARGV[2], '"e":"' .. epoch .. '","s":' .. string.format('%d', seq) ..
  ',"v":{"type":"clear","seq":' .. string.format('%d', seq) .. '}')
return {seq, seqs, ids}
`;

/**
 * Publishes an event that is not ordered with the comments (slow mode), `{"n":number,"v":event}`,
 * and logs it. KEYS[1] meta, KEYS[2] events. ARGV[1] channel, ARGV[2] room TTL (ms), ARGV[3] the
 * event's JSON.
 */
export const SIGNAL_SCRIPT = `
${LOG_EVENT}
logEvent(KEYS[1], KEYS[2], ARGV[1], ARGV[2], '"v":' .. ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
`;

/**
 * Reads the room's event log: `{events, {message JSON…}}`, the latest event number and the logged
 * messages, oldest first. KEYS[1] meta, KEYS[2] events.
 */
export const EVENTS_SCRIPT = `
return {tonumber(redis.call('HGET', KEYS[1], 'events') or '0'), redis.call('LRANGE', KEYS[2], 0, -1)}
`;
