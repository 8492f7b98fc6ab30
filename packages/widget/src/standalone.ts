/**
 * Entry of the one-file build (`dist/danmaku-layer.standalone.js`): `<danmaku-layer>`,
 * `<danmaku-composer>` and `<danmaku-settings>` with everything they use inside one file, for sites
 * that copy one file.
 * The canvas renderer's worker is inlined as a `data:` URL; where a Content-Security-Policy
 * refuses it, `renderer="canvas"` draws with the DOM renderer instead.
 */
// First, so that the composer is defined before the entry below looks for one to fetch.
import './danmaku-composer.js';
// The layer before the settings, so that the settings apply the viewer's choices to defined
// layers before their first update; both before the entry looks for settings to fetch.
import './danmaku-layer.js';
import './danmaku-settings.js';

export * from './bundle.js';
