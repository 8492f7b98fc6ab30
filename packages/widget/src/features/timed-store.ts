/**
 * Time-coded comments (VOD): the layer keeps them in one array sorted by media time
 * ({@link addTimed}); once a media element is bound, `media-sync.ts` walks that array with a
 * play cursor (`timed-cursor.ts`). Pure; no DOM.
 */

/** Anything with a media time in seconds. */
export interface Timed {
  time?: number;
}

/**
 * Adds the items that carry a finite, non-negative `time` to `list`, which stays sorted by time
 * (equal times keep their order) and holds at most `limit`: the earliest. Returns how many of
 * `items` were left out, for want of a valid time or over the limit.
 *
 * @example
 * const left = addTimed(timed, comments, 50_000);
 */
export function addTimed<T extends Timed>(list: T[], items: Iterable<T>, limit: number): number {
  const before = list.length;
  let offered = 0;
  for (const item of items) {
    offered++;
    if (typeof item.time === 'number' && item.time >= 0 && Number.isFinite(item.time)) list.push(item);
  }
  // Stable sort: comments with equal times keep their order.
  list.sort((a, b) => a.time! - b.time!);
  if (list.length > limit) list.length = limit;
  return offered - (list.length - before);
}
