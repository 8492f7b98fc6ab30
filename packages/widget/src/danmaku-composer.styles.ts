/** Styles of `<danmaku-composer>`. Custom properties get their defaults on `:host`. */
import { unsafeCSS } from 'lit';

// A constant string, as in styles.ts: lit's css tag would bring only its checks of interpolated
// values, which this sheet does not have.
// Colours come in pairs, light-dark(light, dark): the composer follows the page's `color-scheme`
// (a page that declares none is light). Every text reaches WCAG AA (4.5:1) on its background and
// every control's border and the focus ring 3:1, in both schemes.
export const composerStyles = unsafeCSS(`
  :host {
    --danmaku-composer-background: light-dark(#f6f7f9, #1f2329);
    --danmaku-composer-field: light-dark(#fff, #15181d);
    --danmaku-composer-color: light-dark(#1f2329, #f1f3f5);
    --danmaku-composer-muted: light-dark(#5b616b, #aab1bc);
    --danmaku-composer-border: light-dark(#7a808a, #858c97);
    --danmaku-composer-accent: light-dark(#0a6cb0, #4cc2ff);
    --danmaku-composer-accent-text: light-dark(#fff, #0b1a24);
    --danmaku-composer-error: light-dark(#c42b2b, #ff8a8a);
    --danmaku-composer-radius: 6px;
    --danmaku-composer-gap: 6px;
    --danmaku-composer-font: 400 15px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'PingFang SC', 'Microsoft YaHei', sans-serif;
    display: block;
    font: var(--danmaku-composer-font);
    color: var(--danmaku-composer-color);
    background: var(--danmaku-composer-background);
    border-radius: var(--danmaku-composer-radius);
    padding: var(--danmaku-composer-gap);
  }
  :host([hidden]) {
    display: none;
  }
  form {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--danmaku-composer-gap);
  }
  input,
  select,
  button {
    font: inherit;
    color: inherit;
    background: var(--danmaku-composer-field);
    border: 1px solid var(--danmaku-composer-border);
    border-radius: var(--danmaku-composer-radius);
    padding: 4px 8px;
    min-height: 2.25em;
    box-sizing: border-box;
  }
  ::placeholder {
    color: var(--danmaku-composer-muted);
    opacity: 1;
  }
  [part='input'] {
    flex: 1 1 12em;
    min-width: 0;
  }
  [part='color'] {
    inline-size: 2.75em;
    padding: 2px;
  }
  button {
    background: var(--danmaku-composer-accent);
    border-color: var(--danmaku-composer-accent);
    color: var(--danmaku-composer-accent-text);
    font-weight: 600;
    padding-inline: 14px;
    cursor: pointer;
  }
  :disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  :focus-visible {
    outline: 2px solid var(--danmaku-composer-accent);
    outline-offset: 2px;
  }
  [aria-invalid='true'],
  [part~='over'] {
    color: var(--danmaku-composer-error);
    border-color: var(--danmaku-composer-error);
  }
  [part~='counter'],
  [part='viewers'] {
    font-variant-numeric: tabular-nums;
    color: var(--danmaku-composer-muted);
    font-size: 0.875em;
  }
  [part~='counter'][part~='over'] {
    color: var(--danmaku-composer-error);
  }
  [part='feedback'] {
    margin: 4px 2px 0;
    min-height: 1.4em;
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
