/**
 * Fullscreen with the comments. `layer.requestFullscreen()` (the element's own method) already
 * takes the media and the comments together, as both are inside the layer; this module handles the
 * other way in: the wrapped `<video>` going fullscreen by itself (its own controls, or
 * `video.requestFullscreen()`), which would show the video alone and leave the comments behind.
 * Fetched with `interaction.ts` the first time the layer hears a `fullscreenchange`.
 */
import type { Stage } from '../render/stage.js';
import { adoptCss } from './adopt-css.js';

/**
 * Styles for a fullscreen layer and for a stage lifted over fullscreen media. A wrapped `<video>`
 * fills the fullscreen layer (letterboxed), and a `<danmaku-composer>` placed inside the layer lies
 * over the bottom of the picture, above the comments, so one can write without leaving fullscreen.
 * A lifted stage (a popover, in the top layer) covers the screen and stays click-through: the
 * media's own controls under it keep working.
 */
const FULLSCREEN_CSS =
  ':host(:fullscreen) ::slotted(video){width:100%;height:100%;object-fit:contain}' +
  ':host(:fullscreen) ::slotted(danmaku-composer){position:absolute;inset:auto 0 0;z-index:1}' +
  '.stage:popover-open{position:fixed;width:auto;height:auto;margin:0;border:0;padding:0;background:none}';

/** Layers whose styles from this module are in place. */
const styled = new WeakSet<HTMLElement>();
/** Stages lifted over fullscreen media, and what undoes each lift. */
const lifted = new WeakMap<HTMLElement, () => void>();

/**
 * Answers a `fullscreenchange` heard by `host` (the layer), whose stage is drawn in `root`.
 *
 * When an element inside `host` went fullscreen by itself (the wrapped video), asks to fullscreen
 * `host` instead, which shows the media and the comments together. Browsers grant fullscreen only
 * during a user's gesture, and Chromium and Firefox count the media's own request as using that
 * gesture up, so there the switch is refused; the stage is then lifted into the top layer, above
 * the fullscreen video, and covers the screen until the video leaves fullscreen. (iOS Safari's
 * native player, `webkitEnterFullscreen`, fires no `fullscreenchange` and lets nothing over it: the
 * comments cannot follow it there.)
 */
export function fullscreenChanged(host: HTMLElement, root: HTMLElement, stage: () => Stage | undefined): void {
  if (!styled.has(host)) {
    styled.add(host);
    adoptCss(root, FULLSCREEN_CSS);
  }
  const doc = host.ownerDocument;
  const view = doc.defaultView!;
  const element = doc.fullscreenElement;
  const land = lifted.get(root);
  if (land) {
    // Out of fullscreen, or the layer itself fullscreen after all: the stage goes back into it.
    lifted.delete(root);
    land();
  }
  if (!element || element === host || !host.contains(element)) return;
  host.requestFullscreen().catch(() => {
    // Still fullscreen alone (not left in the meantime), and a browser with popovers (2023 onwards).
    if (doc.fullscreenElement !== element || !('showPopover' in root)) return;
    const fitScreen = (): void => stage()?.resize(view.innerWidth, view.innerHeight);
    root.popover = 'manual';
    root.showPopover();
    fitScreen();
    view.addEventListener('resize', fitScreen);
    lifted.set(root, () => {
      view.removeEventListener('resize', fitScreen);
      root.hidePopover();
      root.removeAttribute('popover');
      const box = host.getBoundingClientRect();
      stage()?.resize(box.width, box.height);
    });
  });
}
