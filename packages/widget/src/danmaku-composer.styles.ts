/** Styles of `<danmaku-composer>`. Custom properties get their defaults on `:host`. */
import { unsafeCSS } from 'lit';

// A constant string, as in styles.ts: lit's css tag would bring only its checks of interpolated
// values, which this sheet does not have.
export const composerStyles = unsafeCSS(`
  :host {
    --danmaku-composer-background: #1f2329;
    --danmaku-composer-color: #f5f6f7;
    --danmaku-composer-accent: #00a1d6;
    --danmaku-composer-error: #ff6b6b;
    --danmaku-composer-radius: 6px;
    --danmaku-composer-gap: 6px;
    --danmaku-composer-font: inherit;
    display: block;
    font: var(--danmaku-composer-font);
    color: var(--danmaku-composer-color);
  }
  :host([hidden]) {
    display: none;
  }
  form {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--danmaku-composer-gap);
    padding: var(--danmaku-composer-gap);
    background: var(--danmaku-composer-background);
    border-radius: var(--danmaku-composer-radius);
  }
  input,
  select,
  button {
    font: inherit;
    color: inherit;
    background: transparent;
    border: 1px solid rgb(255 255 255 / 0.25);
    border-radius: var(--danmaku-composer-radius);
    padding: 4px 8px;
    min-height: 2em;
  }
  select option {
    color: #000;
  }
  [part='input'] {
    flex: 1 1 12em;
    min-width: 0;
  }
  [part='color'] {
    inline-size: 2.5em;
    padding: 2px;
  }
  button {
    background: var(--danmaku-composer-accent);
    border-color: transparent;
    color: #fff;
    cursor: pointer;
  }
  :disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: 2px solid var(--danmaku-composer-accent);
    outline-offset: 1px;
  }
  [aria-invalid='true'],
  [part~='over'] {
    color: var(--danmaku-composer-error);
    border-color: var(--danmaku-composer-error);
  }
  [part~='counter'] {
    font-variant-numeric: tabular-nums;
    opacity: 0.8;
  }
  [part='feedback'] {
    margin: 4px 0 0;
    min-height: 1.25em;
    font-size: 0.875em;
  }
  [part='feedback'].error {
    color: var(--danmaku-composer-error);
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`);
