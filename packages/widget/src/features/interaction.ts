/**
 * Hovering and clicking comments, for layers with `interactive`. A module of its own, loaded the
 * first time a layer turns `interactive` on: most layers are click-through and never need it.
 */
import { emit } from '../events.js';
import { hold, release } from '../render/hold.js';
import type { Shown } from '../render/renderer.js';
import type { Stage } from '../render/stage.js';

/**
 * Follows the pointer over `host` while `host.interactive` is set: hovering a comment of `stage`
 * holds it (and whatever would run into it), clicking one fires `danmaku-comment-click` from
 * `host`. Which comment is under the pointer comes from the placement (`Stage.at`), not from the
 * elements, so it works the same with the DOM and the canvas renderer; `root` is the element the
 * stage's coordinates start from. Returns a function that lets a held comment go, for when
 * `interactive` is turned off.
 */
export function interact(
  host: HTMLElement & { interactive: boolean },
  stage: () => Stage | undefined,
  root: HTMLElement,
): () => void {
  let hovered: Shown | undefined;
  let held: Stage | undefined;
  const unhover = (): void => {
    const shown = hovered;
    if (shown) held?.rearrange((lanes, now) => release(lanes, shown.slot, now));
    hovered = held = undefined;
  };
  const under = (event: MouseEvent): Shown | undefined => {
    const box = root.getBoundingClientRect();
    return stage()?.at(event.clientX - box.left, event.clientY - box.top);
  };
  // On the host: pointer events over the content it overlays, and over the comment elements of the
  // DOM renderer (in its shadow root), reach it; the canvas renderer's canvas never takes them.
  host.addEventListener('click', (event) => {
    const shown = host.interactive ? under(event) : undefined;
    if (shown) emit(host, 'danmaku-comment-click', { comment: shown.comment, count: shown.count });
  });
  host.addEventListener('pointermove', (event) => {
    if (!host.interactive) return;
    const shown = under(event);
    if (shown === hovered) return;
    unhover();
    const current = stage();
    if (!shown || !current) return;
    hovered = shown;
    held = current;
    current.rearrange((lanes, now) => hold(lanes, shown.slot, now));
  });
  host.addEventListener('pointerleave', () => host.interactive && unhover());
  // The DOM renderer's comments take the pointer (styles.ts) only from now on: none is hovered or clicked unheard.
  root.classList.add('interactive');
  return unhover;
}
