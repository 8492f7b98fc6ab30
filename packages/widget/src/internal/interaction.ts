/**
 * Hovering and clicking comments, for layers with `interactive`. A module of its own, loaded the
 * first time a layer turns `interactive` on: most layers are click-through and never need it.
 */
import { emit, type LayerComment } from '../events.js';
import { hold, release } from './hold.js';
import type { Shown, Stage } from './stage.js';

/**
 * Follows the pointer on the comments of `stage` while `host.interactive` is set: hovering a
 * comment holds it (and whatever would run into it), clicking one fires `danmaku-comment-click`
 * from `host`. Returns a function that lets a held comment go, for when `interactive` is turned off.
 */
export function interact(host: HTMLElement & { interactive: boolean }, stage: Stage): () => void {
  let hovered: Shown | undefined;
  const unhover = (): void => {
    if (hovered) stage.rearrange((lanes, now) => release(lanes, hovered!.slot, now));
    hovered = undefined;
  };
  const root = stage.root;
  // A lookup on hover and click only: not worth a map kept up to date for every comment.
  const find = (el: EventTarget | null): Shown | undefined => {
    for (const shown of stage.shown.values()) if (shown.el === el) return shown;
  };
  root.addEventListener('click', (event) => {
    const shown = find(event.target);
    if (shown && host.interactive) {
      emit(host, 'danmaku-comment-click', { comment: shown.comment as LayerComment, count: shown.count });
    }
  });
  root.addEventListener('pointerover', (event) => {
    const shown = find(event.target);
    if (!host.interactive || !shown || shown === hovered) return;
    unhover();
    hovered = shown;
    stage.rearrange((lanes, now) => hold(lanes, shown.slot, now));
  });
  root.addEventListener('pointerout', () => host.interactive && unhover());
  // Comments take the pointer (styles.ts) only from now on: none is hovered or clicked unheard.
  root.classList.add('interactive');
  return unhover;
}
