/**
 * Reading comments to screen readers, for layers with `announce`. A module of its own, loaded the
 * first time a layer turns `announce` on.
 */

/** Least time between two announcements, ms: a live region cannot keep up with a busy room. */
const EVERY = 3000;

/**
 * Returns a function that puts a comment's text into the polite live region `region`, at most one
 * every 3 s; of the comments shown in between, only the latest is read. Nothing is written while
 * `enabled()` is false.
 */
export function announcer(region: Element, enabled: () => boolean): (text: string) => void {
  let last = -Infinity;
  let next = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (text) => {
    next = text;
    if (timer !== undefined) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        last = performance.now();
        if (enabled()) region.textContent = next;
      },
      Math.max(0, last + EVERY - performance.now()),
    );
  };
}
