/**
 * Registers `<danmaku-settings>`. Importing this module defines the element (once; a second copy of
 * the library on the page is ignored rather than throwing). Safe to import where there is no DOM.
 */
import { DanmakuSettings } from './danmaku-settings.component.js';

export { DanmakuSettings };

if (typeof customElements !== 'undefined' && !customElements.get('danmaku-settings')) {
  customElements.define('danmaku-settings', DanmakuSettings);
}

declare global {
  interface HTMLElementTagNameMap {
    'danmaku-settings': DanmakuSettings;
  }
}
