/** Styles of `<danmaku-settings>`. Custom properties get their defaults on `:host`. */
import { unsafeCSS } from 'lit';

// A constant string, as in the composer's styles. Colours come in pairs, light-dark(light, dark):
// the panel follows the page's `color-scheme` (a page that declares none is light), with the
// composer's pairs, which reach WCAG AA (text 4.5:1, borders and focus ring 3:1) in both schemes.
export const settingsStyles = unsafeCSS(`
  :host {
    --danmaku-settings-background: light-dark(#f6f7f9, #1f2329);
    --danmaku-settings-field: light-dark(#fff, #15181d);
    --danmaku-settings-color: light-dark(#1f2329, #f1f3f5);
    --danmaku-settings-muted: light-dark(#5b616b, #aab1bc);
    --danmaku-settings-border: light-dark(#7a808a, #858c97);
    --danmaku-settings-accent: light-dark(#0a6cb0, #4cc2ff);
    --danmaku-settings-error: light-dark(#c42b2b, #ff8a8a);
    --danmaku-settings-radius: 6px;
    --danmaku-settings-font: 400 14px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'PingFang SC', 'Microsoft YaHei', sans-serif;
    display: inline-flex;
    gap: 2px;
    vertical-align: middle;
    font: var(--danmaku-settings-font);
    color: var(--danmaku-settings-color);
  }
  :host([hidden]) {
    display: none;
  }
  button,
  input,
  select {
    font: inherit;
    color: inherit;
  }
  [part~='toggle'],
  [part~='button'] {
    display: inline-grid;
    place-items: center;
    inline-size: 2.25em;
    block-size: 2.25em;
    padding: 0;
    border: 1px solid transparent;
    border-radius: var(--danmaku-settings-radius);
    background: none;
    color: inherit;
    cursor: pointer;
  }
  [part~='toggle'][aria-pressed='false'] .on,
  [part~='toggle'][aria-pressed='true'] .off {
    display: none;
  }
  svg {
    inline-size: 1.35em;
    block-size: 1.35em;
    fill: none;
    stroke: currentColor;
    stroke-width: 2;
    stroke-linecap: round;
    stroke-linejoin: round;
  }
  [part~='button'] {
    anchor-name: --danmaku-settings-gear;
  }
  /* Next to the gear: above it, reaching left, or wherever else it fits. Browsers without anchor
     positioning show the popover in the middle of the window. */
  @supports (position-anchor: --a) {
    [part~='panel'] {
      position-anchor: --danmaku-settings-gear;
      position-area: block-start span-inline-start;
      position-try-fallbacks: flip-block, flip-inline, flip-block flip-inline;
      inset: auto;
      margin: 4px 0;
    }
  }
  [part~='panel'] {
    box-sizing: border-box;
    inline-size: min(20rem, calc(100vw - 16px));
    max-block-size: calc(100vh - 16px);
    overflow: auto;
    padding: 10px 12px 12px;
    border: 1px solid var(--danmaku-settings-border);
    border-radius: var(--danmaku-settings-radius);
    background: var(--danmaku-settings-background);
    color: var(--danmaku-settings-color);
    font: var(--danmaku-settings-font);
    box-shadow: 0 6px 24px rgb(0 0 0 / 0.25);
  }
  header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
  }
  h2 {
    margin: 0;
    font-size: 1em;
    font-weight: 600;
  }
  [part~='close'] {
    border: 1px solid var(--danmaku-settings-border);
    border-radius: var(--danmaku-settings-radius);
    background: var(--danmaku-settings-field);
    padding: 2px 8px;
    cursor: pointer;
  }
  .row {
    display: grid;
    grid-template-columns: 7em 1fr 4.5em;
    align-items: center;
    gap: 8px;
    margin-block: 8px;
  }
  .row output {
    font-variant-numeric: tabular-nums;
    color: var(--danmaku-settings-muted);
    text-align: end;
  }
  input[type='range'] {
    inline-size: 100%;
    margin: 0;
    accent-color: var(--danmaku-settings-accent);
  }
  input[type='checkbox'],
  input[type='radio'] {
    accent-color: var(--danmaku-settings-accent);
  }
  label.check {
    display: flex;
    align-items: center;
    gap: 6px;
    margin-block: 6px;
  }
  fieldset {
    border: 0;
    padding: 0;
    margin: 10px 0 0;
    min-inline-size: 0;
  }
  legend {
    padding: 0;
    font-weight: 600;
  }
  .choices {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 12px;
  }
  .choices label {
    display: flex;
    align-items: center;
    gap: 4px;
  }
  form {
    display: flex;
    gap: 4px;
    margin-block: 6px;
  }
  form input,
  form select,
  form button,
  [part~='reset'],
  .rules button {
    box-sizing: border-box;
    min-block-size: 2em;
    padding: 2px 6px;
    border: 1px solid var(--danmaku-settings-border);
    border-radius: var(--danmaku-settings-radius);
    background: var(--danmaku-settings-field);
  }
  form input {
    flex: 1 1 6em;
    min-inline-size: 0;
  }
  ::placeholder {
    color: var(--danmaku-settings-muted);
    opacity: 1;
  }
  form button,
  [part~='reset'] {
    cursor: pointer;
  }
  .rules {
    list-style: none;
    margin: 0;
    padding: 0;
    max-block-size: 8em;
    overflow: auto;
  }
  .rules li {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 6px;
    padding-block: 2px;
    overflow-wrap: anywhere;
  }
  .rules button {
    min-block-size: 1.6em;
    padding: 0 6px;
    cursor: pointer;
  }
  .muted {
    color: var(--danmaku-settings-muted);
    margin: 4px 0;
  }
  .error {
    color: var(--danmaku-settings-error);
  }
  [part~='reset'] {
    margin-block-start: 12px;
  }
  [role='status'] {
    margin: 6px 0 0;
    min-block-size: 1.4em;
    font-size: 0.9em;
  }
  :focus-visible {
    outline: 2px solid var(--danmaku-settings-accent);
    outline-offset: 2px;
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
