/**
 * Reading comments to screen readers, for layers with `announce`. A module of its own, loaded the
 * first time a layer turns `announce` on.
 */

/** Least time between two announcements, ms: a live region cannot keep up with a busy room. */
const EVERY = 3000;
/**
 * Wait before the first announcement, ms: a live region must be in the accessibility tree before
 * it changes, or screen readers miss the change.
 */
const SETTLE = 500;

/**
 * Adds a visually hidden polite live region to `parent` and returns a function that puts a
 * comment's text into it, at most one every 3 s; of the comments shown in between, only the latest
 * is read. Nothing is written while `enabled()` is false; an empty text empties the region at once.
 */
export function announcer(parent: ParentNode, enabled: () => boolean): (text: string) => void {
  const region = document.createElement('div');
  region.setAttribute('aria-live', 'polite');
  // Visually hidden, still read: not display:none, which takes it out of the accessibility tree.
  region.style.cssText =
    'position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap';
  parent.append(region);
  let last = performance.now() - EVERY + SETTLE;
  let next = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (text) => {
    if (!text) {
      clearTimeout(timer);
      timer = undefined;
      region.textContent = '';
      return;
    }
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
