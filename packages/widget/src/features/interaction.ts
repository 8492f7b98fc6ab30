/**
 * Hovering, clicking, tapping and long-pressing comments, for layers with `interactive`. A module of
 * its own, loaded the first time a layer turns `interactive` on: most layers are click-through and
 * never need it. It also brings what the other gestures of a viewer need, fullscreen and
 * picture-in-picture with the comments (fetched in the same file the first time a layer hears a
 * `fullscreenchange` or is asked for picture-in-picture).
 */
import { emit } from '../events.js';
import { hold, release } from '../render/hold.js';
import { xAt } from '../render/lanes.js';
import type { Shown } from '../render/renderer.js';
import type { Stage } from '../render/stage.js';
import { adoptCss } from './adopt-css.js';

export { fullscreenChanged } from './fullscreen.js';
export { pictureInPicture } from './picture-in-picture.js';

/** A touch that stays this long on a comment holds it, ms (what Android and iOS call a long press). */
export const LONG_PRESS = 500;

/**
 * What only interactive layers need, added to the layer's shadow root with this module (so a
 * comment takes the pointer only once the code that answers it is there). Comments keep the
 * browser's panning and pinch-zoom (`touch-action: manipulation` only turns off double-tap zoom, so
 * a tap is a click at once); neither text selection nor the iOS callout comes up on a long press.
 */
const INTERACTIVE_CSS =
  ':host([interactive]) .comment{pointer-events:auto;cursor:pointer;touch-action:manipulation;' +
  'user-select:none;-webkit-user-select:none;-webkit-touch-callout:none}';

/**
 * The comment of `stage` drawn at (`x`, `y`), px from the stage's top left, now: hit-testing from
 * the placement, the same whatever draws. The latest placed wins where two touch.
 */
export function commentAt(stage: Stage, x: number, y: number): Shown | undefined {
  const now = stage.clock.now();
  let hit: Shown | undefined;
  for (const shown of stage.comments) {
    const { slot } = shown;
    const left = xAt(slot, Math.min(now, slot.held ?? now));
    if (x >= left && x < left + slot.w && y >= slot.y && y < slot.y + shown.line) hit = shown;
  }
  return hit;
}

/**
 * Follows the pointer over `host` while `host.interactive` is set: hovering a comment of `stage`
 * (with a mouse or pen) or pressing one for {@link LONG_PRESS} ms (with a finger) holds it, and
 * whatever would run into it; clicking or tapping one fires `danmaku-comment-click` from `host`.
 * A comment held by a long press goes on at the next touch anywhere on the page.
 *
 * Which comment is under the pointer comes from the placement, not from the elements, so it works
 * the same with the DOM and the canvas renderer; `root` is the element the stage's coordinates
 * start from. Only pointer events are listened to, and none is ever cancelled: they cannot delay
 * or block scrolling (unlike `touchstart`/`touchmove` listeners), and a touch outside a comment
 * reaches the video as if the layer were not there. Returns a function that lets a held comment
 * go, for when `interactive` is turned off.
 */
export function interact(
  host: HTMLElement & { interactive: boolean },
  stage: () => Stage | undefined,
  root: HTMLElement,
): () => void {
  let hovered: Shown | undefined;
  let held: Stage | undefined;
  let press: ReturnType<typeof setTimeout> | undefined;
  /** The touch that is down held its comment: the click that may follow it is not a tap. */
  let pressed = false;
  const unhover = (): void => {
    const shown = hovered;
    if (shown) held?.rearrange((lanes, now) => release(lanes, shown.slot, now));
    hovered = held = undefined;
  };
  const holdComment = (shown: Shown | undefined): void => {
    if (shown === hovered) return;
    unhover();
    const current = stage();
    if (!shown || !current) return;
    hovered = shown;
    held = current;
    current.rearrange((lanes, now) => hold(lanes, shown.slot, now));
  };
  const under = (event: MouseEvent): Shown | undefined => {
    const box = root.getBoundingClientRect();
    const current = stage();
    return current && commentAt(current, event.clientX - box.left, event.clientY - box.top);
  };
  const touch = (event: PointerEvent): boolean => event.pointerType === 'touch';
  // On the host: pointer events over the content it overlays, and over the comment elements of the
  // DOM renderer (in its shadow root), reach it; the canvas renderer's canvas never takes them.
  host.addEventListener('click', (event) => {
    const shown = host.interactive && !pressed ? under(event) : undefined;
    if (shown) emit(host, 'danmaku-comment-click', { comment: shown.comment, count: shown.count });
  });
  host.addEventListener('pointermove', (event) => {
    // A finger does not hover: moving it scrolls, and it holds only by pressing (below).
    if (host.interactive && !touch(event)) holdComment(under(event));
  });
  host.addEventListener('pointerleave', (event) => host.interactive && !touch(event) && unhover());
  host.addEventListener('pointerdown', (event) => {
    if (!host.interactive) return;
    pressed = false;
    if (!touch(event)) return;
    clearTimeout(press);
    const shown = under(event);
    if (!shown) return;
    press = setTimeout(() => {
      pressed = true;
      holdComment(shown);
      // The next touch anywhere lets it go (one in the layer may then press another).
      host.ownerDocument.addEventListener('pointerdown', unhover, { capture: true, once: true, passive: true });
    }, LONG_PRESS);
  });
  // Lifted before the long press, or taken over by the browser to scroll or zoom: no hold.
  const lift = (): void => clearTimeout(press);
  host.addEventListener('pointerup', lift);
  host.addEventListener('pointercancel', lift);
  adoptCss(root, INTERACTIVE_CSS);
  return unhover;
}
