/**
 * Entry of the one-file build (`dist/danmaku-layer.standalone.js`): `<danmaku-layer>` and
 * `<danmaku-composer>` with everything they use inside one file, for sites that copy one file.
 * The canvas renderer's worker is inlined as a `data:` URL; where a Content-Security-Policy
 * refuses it, `renderer="canvas"` draws with the DOM renderer instead.
 */
// First, so that the composer is defined before the entry below looks for one to fetch.
import './danmaku-composer.js';

export * from './bundle.js';
