/**
 * Overlap of comment boxes, shared by the page (sampling) and the tests.
 */

/**
 * Two boxes overlap when they share more than `tolerance` px both across and down: touching edges,
 * sub-pixel rounding and anti-aliased outlines do not count.
 */
export const OVERLAP_TOLERANCE_PX = 1;

/**
 * Number of overlapping pairs among `boxes` ({x, y, w, h} in px). Sweep over x so dense stages stay cheap.
 * @param {ReadonlyArray<{ x: number, y: number, w: number, h: number }>} boxes
 * @param {number} [tolerance]
 */
export function countOverlaps(boxes, tolerance = OVERLAP_TOLERANCE_PX) {
  const sorted = [...boxes].sort((a, b) => a.x - b.x);
  let pairs = 0;
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i];
    for (let j = i + 1; j < sorted.length; j++) {
      const b = sorted[j];
      if (b.x >= a.x + a.w - tolerance) break;
      const across = Math.min(a.x + a.w, b.x + b.w) - b.x;
      const down = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (across > tolerance && down > tolerance) pairs++;
    }
  }
  return pairs;
}
