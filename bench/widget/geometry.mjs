/**
 * Overlap of comment boxes, shared by the page (sampling) and the tests.
 */

/**
 * Two boxes overlap when they share more than `tolerance` px both across and down: touching edges,
 * sub-pixel rounding and anti-aliased outlines do not count.
 */
export const OVERLAP_TOLERANCE_PX = 1;

/**
 * The overlapping pairs among `boxes` ({x, y, w, h} in px), as index pairs into `boxes`.
 * Sweeps over x so that dense stages stay cheap.
 * @template {{ x: number, y: number, w: number, h: number }} B
 * @param {readonly B[]} boxes
 * @param {number} [tolerance]
 * @returns {Array<[number, number]>}
 */
export function overlappingPairs(boxes, tolerance = OVERLAP_TOLERANCE_PX) {
  const order = boxes.map((_, i) => i).sort((i, j) => boxes[i].x - boxes[j].x);
  const pairs = [];
  for (let i = 0; i < order.length; i++) {
    const a = boxes[order[i]];
    for (let j = i + 1; j < order.length; j++) {
      const b = boxes[order[j]];
      if (b.x >= a.x + a.w - tolerance) break;
      const across = Math.min(a.x + a.w, b.x + b.w) - b.x;
      const down = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
      if (across > tolerance && down > tolerance) pairs.push([order[i], order[j]]);
    }
  }
  return pairs;
}

/**
 * Number of overlapping pairs among `boxes`.
 * @param {ReadonlyArray<{ x: number, y: number, w: number, h: number }>} boxes
 * @param {number} [tolerance]
 */
export function countOverlaps(boxes, tolerance = OVERLAP_TOLERANCE_PX) {
  return overlappingPairs(boxes, tolerance).length;
}
