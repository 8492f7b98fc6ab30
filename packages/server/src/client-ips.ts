/**
 * Per-address bookkeeping: every limit that applies to an address (its raw sockets, its WebSocket
 * connections, its shared comment bucket, its new-room bucket, its penalty for invalid frames),
 * keyed by {@link addressKey} so an IPv6 client is one address per /64.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { TokenBucket } from './rate-limit.js';

/** The state kept for one address while it is connected (and a little after). */
export interface IpEntry {
  /** The limit key ({@link addressKey}): an IPv4 address, or an IPv6 /64 prefix. */
  readonly ip: string;
  /** Open WebSocket connections. */
  connections: number;
  /** Open TCP sockets, counted from the first byte (before any HTTP parsing). */
  sockets: number;
  /** Comments shared by every connection of the address. */
  readonly bucket: TokenBucket;
  /** Rooms the address may open (join while no local connection holds them). */
  readonly roomBucket: TokenBucket;
  /** Until when (ms since the epoch) new connections are refused after a 1008. */
  penaltyUntil: number;
  /** Penalties in a row; each doubles the next one. */
  strikes: number;
}

/** Options of {@link ClientIps}. */
export interface ClientIpsOptions {
  /** Most simultaneous WebSocket connections per address; `0` means no limit. */
  maxConnections: number;
  /** Most simultaneous TCP sockets per address (checked on `connection`); `0` means no limit. */
  maxSockets?: number;
  /** Comments per second shared by all connections of an address; `0` means no limit. */
  rate: number;
  /** Comments an address may post at once. */
  burst: number;
  /** New rooms per second one address may open; `0` means no limit. */
  newRoomRate?: number;
  /** New rooms an address may open at once. */
  newRoomBurst?: number;
}

/** Why an address may not connect now. */
export interface Refusal {
  reason: 'ip_limit' | 'ip_penalty';
  /** Seconds to wait, for `Retry-After`. */
  retryAfter: number;
}

/** How often idle entries are swept, in milliseconds. */
const SWEEP_INTERVAL = 30_000;
/** First penalty after a connection spent its invalid-frame budget, in ms; doubles per strike. */
export const PENALTY_BASE = 10_000;
/** Longest penalty, in ms. */
export const PENALTY_MAX = 300_000;
/** How long strikes are remembered after a penalty ends, in ms. */
const STRIKE_MEMORY = 600_000;

/**
 * Tracks addresses. An entry outlives its last connection until its buckets have refilled and its
 * penalty (and the memory of it) has passed, so reconnecting is no way around a per-address limit,
 * yet memory follows the connected addresses.
 */
export class ClientIps {
  readonly #options: ClientIpsOptions;
  readonly #entries = new Map<string, IpEntry>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: ClientIpsOptions) {
    this.#options = options;
    this.#sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL);
    this.#sweeper.unref();
  }

  /** Whether `key` may open one more WebSocket connection; a {@link Refusal} when not. */
  admit(key: string, now: number = Date.now()): Refusal | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.penaltyUntil > now)
      return { reason: 'ip_penalty', retryAfter: Math.ceil((entry.penaltyUntil - now) / 1000) };
    const max = this.#options.maxConnections;
    if (max > 0 && entry.connections >= max) return { reason: 'ip_limit', retryAfter: 10 };
    return undefined;
  }

  /** Whether `ip` may open one more connection. */
  canConnect(ip: string): boolean {
    return this.admit(ip) === undefined;
  }

  /** Counts a new WebSocket connection from `key`. Pair with {@link release}. */
  acquire(key: string): IpEntry {
    const entry = this.#entry(key);
    entry.connections++;
    return entry;
  }

  /** Counts a WebSocket connection as gone. */
  release(entry: IpEntry): void {
    entry.connections = Math.max(0, entry.connections - 1);
  }

  /**
   * Counts a new TCP socket from `key`, or returns `undefined` when the address holds as many as it
   * may. Pair a returned entry with {@link closeSocket}.
   */
  openSocket(key: string): IpEntry | undefined {
    const max = this.#options.maxSockets ?? 0;
    const existing = this.#entries.get(key);
    if (max > 0 && existing && existing.sockets >= max) return undefined;
    const entry = existing ?? this.#entry(key);
    entry.sockets++;
    return entry;
  }

  /** The entry of `key`, if it is tracked. */
  get(key: string): IpEntry | undefined {
    return this.#entries.get(key);
  }

  /** Counts a TCP socket as closed. */
  closeSocket(entry: IpEntry): void {
    entry.sockets = Math.max(0, entry.sockets - 1);
  }

  /**
   * Refuses new connections from the entry's address for a while: 10 s, doubling with each strike
   * in a row up to 5 minutes. Connections already open are left alone.
   */
  penalize(entry: IpEntry, now: number = Date.now()): number {
    const wait = Math.min(PENALTY_MAX, PENALTY_BASE * 2 ** Math.min(entry.strikes, 10));
    entry.strikes++;
    entry.penaltyUntil = now + wait;
    // The entry may have been swept while the connection was open; it must hold the penalty.
    if (!this.#entries.has(entry.ip)) this.#entries.set(entry.ip, entry);
    return wait;
  }

  /** Number of addresses tracked (`danmaku_limiter_keys`). */
  get size(): number {
    return this.#entries.size;
  }

  /** Stops the sweeper. */
  close(): void {
    clearInterval(this.#sweeper);
  }

  /** Forgets every entry that no longer limits anything. Runs every 30 s by itself. */
  sweep(now: number = Date.now()): void {
    for (const [key, entry] of this.#entries) {
      const idle =
        entry.connections === 0 && entry.sockets === 0 && entry.bucket.full(now) && entry.roomBucket.full(now);
      if (idle && now > entry.penaltyUntil + (entry.strikes > 0 ? STRIKE_MEMORY : 0)) this.#entries.delete(key);
    }
  }

  #entry(key: string): IpEntry {
    let entry = this.#entries.get(key);
    if (!entry) {
      const o = this.#options;
      entry = {
        ip: key,
        connections: 0,
        sockets: 0,
        bucket: new TokenBucket(o.rate, o.burst),
        roomBucket: new TokenBucket(o.newRoomRate ?? 0, o.newRoomBurst ?? 1),
        penaltyUntil: 0,
        strikes: 0,
      };
      this.#entries.set(key, entry);
    }
    return entry;
  }
}

/**
 * The key every per-address limit counts under. IPv4 addresses stand for themselves (an
 * IPv4-mapped IPv6 address, `::ffff:192.0.2.1` or `::ffff:c000:201`, is its IPv4 address); an IPv6
 * address stands for its /64, the smallest block a provider hands one customer, so one client
 * cannot multiply its limits by picking addresses from its own prefix. Anything else (a garbled
 * forwarded header) is kept as is, cut to 64 characters.
 *
 * @example
 * addressKey('2001:db8:1:2:aaaa::1') // '2001:db8:1:2::/64'
 * addressKey('::ffff:127.0.0.1') // '127.0.0.1'
 */
export function addressKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const bare = address.replace(/%.*$/, '');
  if (isIPv4(bare)) return bare;
  if (!isIPv6(bare)) return address.slice(0, 64);
  const groups = expandIPv6(bare);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted IPv4 part included). */
function expandIPv6(address: string): number[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined): number[] => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  if (tail === undefined) return left;
  const right = parse(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The client's address. Behind a reverse proxy (`trustProxy`), the last `X-Forwarded-For` entry:
 * the one the proxy itself appended, which a client cannot forge (the entries before it can be).
 */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const value = Array.isArray(header) ? header.at(-1) : header;
    const last = value?.split(',').at(-1)?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
