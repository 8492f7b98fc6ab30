/**
 * Registers `<danmaku-layer>`. Importing this module defines the element (once; a second copy of
 * the library on the page is ignored rather than throwing). Safe to import where there is no DOM.
 */
import { DanmakuLayer } from './danmaku-layer.component.js';

export { DanmakuLayer };

if (typeof customElements !== 'undefined' && !customElements.get('danmaku-layer')) {
  customElements.define('danmaku-layer', DanmakuLayer);
}

declare global {
  interface HTMLElementTagNameMap {
    'danmaku-layer': DanmakuLayer;
  }
}
