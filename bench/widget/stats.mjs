/**
 * Pure arithmetic over what a run recorded: percentiles, frame and sampling summaries, lane capacity.
 */
import { STAGE } from './workload.mjs';

/** A frame counts as janky when it took longer than this: at 60 Hz, at least one frame was missed. */
export const JANK_MS = 20;

/**
 * Nearest-rank percentile of `values` (0–100); NaN when empty.
 * @param {readonly number[]} values
 * @param {number} p
 */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}

const mean = (values) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);

/**
 * Frame intervals (requestAnimationFrame deltas, ms) → p50/p95/p99, fps and janky frames.
 * @param {readonly number[]} frames
 * @param {number} windowMs
 */
export function summarizeFrames(frames, windowMs) {
  const janky = frames.filter((d) => d > JANK_MS).length;
  return {
    frames: frames.length,
    fps: (frames.length * 1000) / windowMs,
    p50: percentile(frames, 50),
    p95: percentile(frames, 95),
    p99: percentile(frames, 99),
    max: frames.length ? Math.max(...frames) : NaN,
    janky,
    jankyPct: frames.length ? (100 * janky) / frames.length : NaN,
  };
}

/**
 * Sampled boxes → comments on screen and overlapping pairs.
 * @param {ReadonlyArray<{ onScreen: number, scroll: number, pairs: number, scrollPairs?: number }>} samples
 */
export function summarizeSamples(samples) {
  if (samples.some((s) => s.pairs === null)) {
    // A library whose boxes cannot be read: comments on screen only.
    const counts = samples.map((s) => s.onScreen);
    return {
      samples: samples.length,
      onScreenAvg: mean(counts),
      onScreenPeak: Math.max(0, ...counts),
      scrollAvg: NaN,
      overlapAvg: NaN,
      overlapPeak: NaN,
      scrollOverlapAvg: NaN,
      samplesWithOverlapPct: NaN,
    };
  }
  return {
    samples: samples.length,
    onScreenAvg: mean(samples.map((s) => s.onScreen)),
    onScreenPeak: Math.max(0, ...samples.map((s) => s.onScreen)),
    scrollAvg: mean(samples.map((s) => s.scroll)),
    overlapAvg: mean(samples.map((s) => s.pairs)),
    overlapPeak: Math.max(0, ...samples.map((s) => s.pairs)),
    scrollOverlapAvg: mean(samples.map((s) => s.scrollPairs ?? NaN)),
    samplesWithOverlapPct: samples.length ? (100 * samples.filter((s) => s.pairs > 0).length) / samples.length : NaN,
  };
}

/**
 * Theoretical lane capacity for scroll comments, from the comments' own measured boxes.
 * A lane is as high as the mean comment box, so `lanes = floor(stage height / mean height)`.
 * A lane admits one comment per `(mean width + gap) / speed` seconds, so the stage admits
 * `lanes × speed ÷ (mean width + gap)` comments/s, and each stays `(stage width + width) / speed` s,
 * which gives the number a full stage holds at once.
 * @param {ReadonlyArray<{ w: number, h: number }>} scroll one box per distinct scroll comment drawn
 * @param {{ speed: number, gap: number }} lane px/s and px
 * @param {number} rate comments/s offered (all modes)
 * @param {number} scrollShare share of the workload that scrolls (0–1)
 */
export function laneCapacity(scroll, { speed, gap }, rate, scrollShare) {
  const width = mean(scroll.map((b) => b.w));
  const height = mean(scroll.map((b) => b.h));
  const lanes = Math.floor(STAGE.height / height);
  const perSecond = (lanes * speed) / (width + gap);
  const lifetime = (STAGE.width + width) / speed;
  return {
    meanWidth: width,
    meanHeight: height,
    lanes,
    perSecond,
    onScreen: perSecond * lifetime,
    // What the workload could put on screen with unlimited room: the capacity only binds above this.
    offeredOnScreen: rate * scrollShare * lifetime,
  };
}
