/** Styles of `<danmaku-layer>`. Custom properties get their defaults on `:host`. */
import { unsafeCSS } from '@lit/reactive-element';

// unsafeCSS of a constant string rather than lit's css tag: the tag adds only checks of
// interpolated values (and their long error message) to the script-tag bundle, and this sheet has
// none. Nothing here comes from outside.
export const layerStyles = unsafeCSS(`
  :host {
    --danmaku-font-family: system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif;
    --danmaku-font-weight: 700;
    --danmaku-opacity: 1;
    --danmaku-stroke: 0 0 1px #000, 0 0 1px #000, 1px 1px 2px #0009;
    --danmaku-gap: 24px;
    --danmaku-lane-gap: 0px;
    --danmaku-own-decoration: underline .1em;
    --danmaku-own-outline: none;
    display: block;
    position: relative;
  }
  /* hidden hides the comments, not what they fly over; they keep going unseen. */
  :host([hidden]) {
    display: block;
  }
  :host([hidden]) .stage,
  :host([hide-modes~=scroll]) [data-mode=scroll],
  :host([hide-modes~=top]) [data-mode=top],
  :host([hide-modes~=bottom]) [data-mode=bottom],
  :host([hide-modes~=color]) [data-colored] {
    visibility: hidden;
  }
  :host([for]:not([for=''])) {
    /* Over another element: placed by script (position: fixed, that element's box). */
    z-index: var(--danmaku-z-index, 10);
  }
  .stage {
    position: absolute;
    inset: 0;
    overflow: hidden;
    /* The layer never takes clicks from what it covers. */
    pointer-events: none;
    contain: strict;
    font-family: var(--danmaku-font-family);
    font-weight: var(--danmaku-font-weight);
  }
  /* Scroll comments ride on belts, one composited layer per velocity, a row per lane on each (see render/belt.ts). */
  .belt,
  .row,
  .comment {
    position: absolute;
    left: 0;
    top: 0;
  }
  .belt {
    will-change: transform;
  }
  /* Laid out on its own when a comment comes or goes; 0 × 0, its comments overflow it. */
  .row {
    contain: size layout;
  }
  .comment {
    white-space: pre;
    text-shadow: var(--danmaku-stroke);
  }
  /* One's own comments are underlined in their own colour; the stroke keeps the line readable too. */
  .comment[part~=own] {
    text-decoration: var(--danmaku-own-decoration);
    text-underline-offset: .18em;
    text-decoration-skip-ink: none;
    outline: var(--danmaku-own-outline);
    outline-offset: 1px;
  }
`);
