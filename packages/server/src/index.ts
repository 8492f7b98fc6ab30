/**
 * danmaku-layer-server: the reference broadcast server for `<danmaku-layer>`.
 *
 * @example
 * import { createDanmakuServer } from 'danmaku-layer-server';
 * const danmaku = await createDanmakuServer({ demo: true });
 * await danmaku.listen(8080);
 */
export { createDanmakuServer, SERVER_DEFAULTS, ServerState } from './server.js';
export type { CloseOptions, DanmakuServer, DanmakuServerOptions } from './server.js';
export { MemoryEngine, ENGINE_DEFAULTS } from './memory-engine.js';
export type { EngineOptions } from './memory-engine.js';
export { AuthError } from './auth.js';
export type { AuthOptions, Identity } from './auth.js';
export type { ModerationContext, ModerationHook } from './moderation.js';
export type { Metrics } from './metrics.js';
export { RedisEngine, REDIS_ENGINE_DEFAULTS } from './redis-engine.js';
export type { RedisEngineOptions } from './redis-engine.js';
export type {
  Engine,
  NewComment,
  PublishResult,
  RoomState,
  HistoryPage,
  CommentListener,
  Unsubscribe,
  ReadinessListener,
  ResetListener,
} from './engine.js';
