/**
 * Loads an element's code the first time its tag appears in the document, so that the
 * script-tag bundle stays small for pages that never use that element.
 */

/**
 * Calls `load` once, as soon as the document holds a `tag` element (now or later). Does nothing
 * without a DOM (server-side rendering) or when the tag is already defined.
 *
 * @example
 * loadWhenUsed('danmaku-composer', () => import('./danmaku-composer.js'));
 */
export function loadWhenUsed(tag: string, load: () => Promise<unknown>): void {
  if (typeof document === 'undefined' || customElements.get(tag)) return;
  const used = (): boolean => {
    if (!document.querySelector(tag)) return false;
    void load();
    return true;
  };
  if (used()) return;
  // Only the document's own tree is watched: mutations inside shadow roots (the layer's flying
  // comments) never wake this observer.
  const observer = new MutationObserver(() => used() && observer.disconnect());
  observer.observe(document, { childList: true, subtree: true });
}
