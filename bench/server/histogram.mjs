/**
 * A latency histogram that load-generator processes fill and the runner merges: 10 µs buckets up to
 * 10 s, then 1 ms buckets up to 130 s (an overloaded run can lag that far), then one overflow bucket.
 */

const FINE_US = 10;
const FINE = 1_000_000;
const COARSE_US = 1000;
const COARSE = 120_000;
const OVERFLOW = FINE + COARSE;

function bucketOf(us) {
  if (us <= 0) return 0;
  if (us < FINE * FINE_US) return Math.floor(us / FINE_US);
  return Math.min(FINE + Math.floor((us - FINE * FINE_US) / COARSE_US), OVERFLOW);
}

/** Midpoint of a bucket, in microseconds. */
function midpointOf(i) {
  return i < FINE ? (i + 0.5) * FINE_US : FINE * FINE_US + (i - FINE + 0.5) * COARSE_US;
}

export class Histogram {
  counts = new Uint32Array(OVERFLOW + 1);
  count = 0;
  max = 0;

  /** Records one latency, in microseconds. */
  record(us) {
    this.counts[bucketOf(us)]++;
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
      if (seen >= rank) return i === OVERFLOW ? this.max / 1000 : Math.min(midpointOf(i), this.max) / 1000;
    }
    return this.max / 1000;
  }
}

/** Monotonic time in microseconds. CLOCK_MONOTONIC is system-wide, so processes can compare it. */
export function nowUs() {
  const [s, ns] = process.hrtime();
  return s * 1e6 + ns / 1e3;
}
