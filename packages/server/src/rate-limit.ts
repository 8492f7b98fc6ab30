/**
 * Token buckets: the rate limits on comments, per connection and per IP address.
 */

/**
 * A token bucket holding up to `burst` tokens, refilled at `rate` tokens per second. One comment
 * costs one token, so a sender may post `burst` comments at once and `rate` per second after that.
 * A `rate` of `0` means no limit.
 */
export class TokenBucket {
  readonly #rate: number;
  readonly #burst: number;
  #tokens: number;
  #updated: number;

  constructor(rate: number, burst: number, now: number = Date.now()) {
    this.#rate = rate;
    this.#burst = Math.max(1, burst);
    this.#tokens = this.#burst;
    this.#updated = now;
  }

  /** Milliseconds until one token is available; `0` when one is available now. */
  wait(now: number = Date.now()): number {
    if (this.#rate <= 0) return 0;
    this.#refill(now);
    if (this.#tokens >= 1) return 0;
    return Math.ceil(((1 - this.#tokens) / this.#rate) * 1000);
  }

  /** Takes one token (call only after {@link wait} returned `0`). */
  take(now: number = Date.now()): void {
    if (this.#rate <= 0) return;
    this.#refill(now);
    this.#tokens -= 1;
  }

  /** Whether the bucket is full, i.e. forgetting it would change nothing. */
  full(now: number = Date.now()): boolean {
    if (this.#rate <= 0) return true;
    this.#refill(now);
    return this.#tokens >= this.#burst;
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#updated) / 1000;
    this.#tokens = Math.min(this.#burst, this.#tokens + elapsed * this.#rate);
    this.#updated = now;
  }
}

/**
 * Takes one token from every bucket, or from none: a comment refused by the per-IP limit must not
 * also use up the connection's own allowance. Returns `0` when taken, otherwise the milliseconds
 * until every bucket could give one.
 */
export function takeAll(buckets: readonly TokenBucket[], now: number = Date.now()): number {
  let wait = 0;
  for (const bucket of buckets) wait = Math.max(wait, bucket.wait(now));
  if (wait > 0) return wait;
  for (const bucket of buckets) bucket.take(now);
  return 0;
}

/**
 * Token buckets by key (an address key, say), with at most `maxKeys` remembered: past it, the key
 * seen first is forgotten, so a flood of new keys cannot grow the map.
 */
export class KeyedBuckets {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #rate: number;
  readonly #burst: number;
  readonly #maxKeys: number;

  constructor(rate: number, burst: number, maxKeys: number) {
    this.#rate = rate;
    this.#burst = burst;
    this.#maxKeys = maxKeys;
  }

  /** The bucket of `key`, made (full) when the key is new. */
  get(key: string): TokenBucket {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.#maxKeys) this.#buckets.delete(this.#buckets.keys().next().value!);
      bucket = new TokenBucket(this.#rate, this.#burst);
      this.#buckets.set(key, bucket);
    }
    return bucket;
  }

  /** The bucket of `key` when it is remembered, without making one. */
  peek(key: string): TokenBucket | undefined {
    return this.#buckets.get(key);
  }
}
