/**
 * Registers `<danmaku-composer>`. Importing this module defines the element (once; a second copy of
 * the library on the page is ignored rather than throwing). Safe to import where there is no DOM.
 */
import { DanmakuComposer } from './danmaku-composer.component.js';

export { DanmakuComposer };

if (typeof customElements !== 'undefined' && !customElements.get('danmaku-composer')) {
  customElements.define('danmaku-composer', DanmakuComposer);
}

declare global {
  interface HTMLElementTagNameMap {
    'danmaku-composer': DanmakuComposer;
  }
}
