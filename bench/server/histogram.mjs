/**
 * A latency histogram that load-generator processes fill and the runner merges: fixed 10 µs buckets
 * up to 10 s (exact enough for p50/p99 at any load this benchmark produces), one overflow bucket.
 */

const BUCKET_US = 10;
const BUCKETS = 1_000_000;

export class Histogram {
  counts = new Uint32Array(BUCKETS + 1);
  count = 0;
  max = 0;

  /** Records one latency, in microseconds. */
  record(us) {
    const i = us <= 0 ? 0 : Math.min(Math.floor(us / BUCKET_US), BUCKETS);
    this.counts[i]++;
    this.count++;
    if (us > this.max) this.max = us;
  }

  /** A compact form for IPC: [bucket, count] pairs of the non-empty buckets. */
  toJSON() {
    const pairs = [];
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i]) pairs.push([i, this.counts[i]]);
    return { pairs, count: this.count, max: this.max };
  }

  /** Adds a histogram received from {@link Histogram.toJSON}. */
  merge(json) {
    for (const [i, n] of json.pairs) this.counts[i] += n;
    this.count += json.count;
    if (json.max > this.max) this.max = json.max;
  }

  /** The `q` quantile (0–1), in milliseconds (bucket midpoint); `NaN` when empty. */
  quantileMs(q) {
    if (this.count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return i === BUCKETS ? this.max / 1000 : ((i + 0.5) * BUCKET_US) / 1000;
    }
    return this.max / 1000;
  }
}

/** Monotonic time in microseconds. CLOCK_MONOTONIC is system-wide, so processes can compare it. */
export function nowUs() {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}
