/**
 * The wire protocol, re-exported from `danmaku-layer-protocol` so that `danmaku-layer/protocol.js`
 * keeps working for code that imported it from here.
 *
 * @module
 */
export * from 'danmaku-layer-protocol';
