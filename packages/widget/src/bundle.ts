/**
 * Entry of the self-contained script-tag bundle (`dist/danmaku-layer.bundle.js`): everything the
 * element needs, lit and reconnecting-websocket included, in one minified ES module.
 */
export * from './index.js';
