/**
 * Per-IP bookkeeping: how many connections an address holds and its shared comment bucket.
 */
import type { IncomingMessage } from 'node:http';
import { TokenBucket } from './rate-limit.js';

/** The state kept for one address while it is connected (and a little after). */
export interface IpEntry {
  readonly ip: string;
  connections: number;
  readonly bucket: TokenBucket;
}

/** Options of {@link ClientIps}. */
export interface ClientIpsOptions {
  /** Most simultaneous connections per address; `0` means no limit. */
  maxConnections: number;
  /** Comments per second shared by all connections of an address; `0` means no limit. */
  rate: number;
  /** Comments an address may post at once. */
  burst: number;
}

/** How often idle entries are swept, in milliseconds. */
const SWEEP_INTERVAL = 30_000;

/**
 * Tracks addresses. An entry outlives its last connection until its bucket has refilled, so
 * reconnecting is no way around the per-IP limit, yet memory follows the connected addresses.
 */
export class ClientIps {
  readonly #options: ClientIpsOptions;
  readonly #entries = new Map<string, IpEntry>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: ClientIpsOptions) {
    this.#options = options;
    this.#sweeper = setInterval(() => this.#sweep(), SWEEP_INTERVAL);
    this.#sweeper.unref();
  }

  /** Whether `ip` may open one more connection. */
  canConnect(ip: string): boolean {
    const max = this.#options.maxConnections;
    return max <= 0 || (this.#entries.get(ip)?.connections ?? 0) < max;
  }

  /** Counts a new connection from `ip`. Pair with {@link release}. */
  acquire(ip: string): IpEntry {
    let entry = this.#entries.get(ip);
    if (!entry) {
      entry = { ip, connections: 0, bucket: new TokenBucket(this.#options.rate, this.#options.burst) };
      this.#entries.set(ip, entry);
    }
    entry.connections++;
    return entry;
  }

  /** Counts a connection as gone. */
  release(entry: IpEntry): void {
    entry.connections = Math.max(0, entry.connections - 1);
  }

  /** Number of addresses tracked. */
  get size(): number {
    return this.#entries.size;
  }

  /** Stops the sweeper. */
  close(): void {
    clearInterval(this.#sweeper);
  }

  #sweep(): void {
    const now = Date.now();
    for (const [ip, entry] of this.#entries) {
      if (entry.connections === 0 && entry.bucket.full(now)) this.#entries.delete(ip);
    }
  }
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
