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
export { createModerationService, senderKey } from './moderation/service.js';
export type {
  Actor,
  AuditEntry,
  ModerationFailure,
  ModerationResult,
  ModerationService,
  ModerationServiceOptions,
  MuteEntry,
  MuteTarget,
  ReportEvent,
  ReportHook,
  ReportedComment,
  SendCheck,
} from './moderation/service.js';
export { MemoryModerationStore } from './moderation/memory-store.js';
export { RedisModerationStore } from './moderation/redis-store.js';
export type { RedisModerationStoreOptions } from './moderation/redis-store.js';
export type { ModerationStore, ReportTally } from './moderation/store.js';
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
  RoomEvent,
  RoomEventListener,
  StoredComment,
  Removal,
} from './engine.js';
export { openSqliteArchive, SQLITE_FILE } from './archive/sqlite-archive.js';
export type { SqliteArchiveOptions } from './archive/sqlite-archive.js';
export { openPostgresArchive } from './archive/postgres-archive.js';
export type { PostgresArchiveOptions } from './archive/postgres-archive.js';
export { importArchive } from './archive/import.js';
export type { ImportOptions, ImportReport } from './archive/import.js';
export { MissingDependencyError } from './archive/load-optional.js';
export type {
  Archive,
  RetentionOptions,
  WindowQuery,
  WindowPage,
  WindowCursor,
  Reservation,
} from './archive/archive.js';
