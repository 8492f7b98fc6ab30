/** Styles of `<danmaku-layer>`. Custom properties get their defaults on `:host`. */
import { css } from '@lit/reactive-element';

export const layerStyles = css`
  :host {
    --danmaku-font-family: system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif;
    --danmaku-font-weight: 700;
    --danmaku-opacity: 1;
    --danmaku-stroke: 0 0 1px #000, 0 0 1px #000, 1px 1px 2px rgb(0 0 0 / 0.6);
    --danmaku-own-outline: 1px solid currentColor;
    display: block;
    position: relative;
  }
  :host([hidden]) {
    display: none;
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
    opacity: var(--danmaku-opacity);
  }
  .comment {
    position: absolute;
    white-space: pre;
    line-height: 1.25;
    font-family: var(--danmaku-font-family);
    font-weight: var(--danmaku-font-weight);
    text-shadow: var(--danmaku-stroke);
    will-change: transform;
    user-select: none;
  }
  .comment[part~='own'] {
    outline: var(--danmaku-own-outline);
    outline-offset: 1px;
  }
`;
