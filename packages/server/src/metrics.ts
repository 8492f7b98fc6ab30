/**
 * Prometheus metrics (prom-client), in a registry of the server's own so that several servers,
 * or the host application's metrics, can live in one process.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineStats } from './engine.js';

/** Live values read when `/metrics` is scraped. */
export interface MetricsSources {
  connections: () => number;
  rooms: () => number;
  bufferedBytes: () => number;
  /** What the engine holds in this process; `undefined` when it does not say. */
  engine?: () => EngineStats | undefined;
  /** Addresses with per-address limiter state. */
  limiterKeys?: () => number;
}

/** The server's metrics. */
export interface Metrics {
  readonly registry: Registry;
  /** Comments accepted from local clients and posted. */
  readonly commentsIn: Counter;
  /** Comments sent to local clients (one per comment per recipient). */
  readonly commentsOut: Counter;
  /** Comments not delivered because the recipient was closing or over its buffer cap. */
  readonly dropped: Counter;
  readonly rateLimited: Counter;
  /** Comments refused by the blocklist or the moderation hook. */
  readonly rejected: Counter;
  /** Error replies to clients, by code. */
  readonly errors: Counter<'code'>;
  /** Connections refused or closed by the server, by reason. */
  readonly refused: Counter<'reason'>;
  /** Moderation actions taken (retract, mute, unmute, slow_mode, clear, report), by action. */
  readonly moderationActions: Counter<'action'>;
}

/** Creates the metrics; default Node.js metrics (event-loop lag, memory, CPU) are included. */
export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  };
  gauge('danmaku_connections', 'Open WebSocket connections.', sources.connections);
  gauge('danmaku_rooms', 'Rooms with at least one local connection.', sources.rooms);
  gauge(
    'danmaku_buffered_bytes',
    'Bytes queued for sending to clients, summed over connections.',
    sources.bufferedBytes,
  );
  // Everything a client can name or hold is bounded; these show the bounds at work.
  const engine = sources.engine;
  if (engine?.()) {
    gauge(
      'danmaku_engine_rooms',
      'Rooms the engine holds in this process (with connections, history or recent sends).',
      () => engine()?.rooms ?? 0,
    );
    gauge(
      'danmaku_engine_dedupe_entries',
      'Send ids the engine remembers for deduplication.',
      () => engine()?.dedupeEntries ?? 0,
    );
  }
  if (sources.limiterKeys) {
    gauge('danmaku_limiter_keys', 'Addresses (IPv4, or IPv6 /64) with per-address limiter state.', sources.limiterKeys);
  }
  const counter = <T extends string = never>(name: string, help: string, labelNames: T[] = []): Counter<T> =>
    new Counter<T>({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    commentsIn: counter('danmaku_comments_in_total', 'Comments accepted from clients.'),
    commentsOut: counter('danmaku_comments_out_total', 'Comments delivered to clients (one per recipient).'),
    dropped: counter(
      'danmaku_comments_dropped_total',
      'Comment deliveries dropped: recipient closing or over its buffer cap.',
    ),
    rateLimited: counter('danmaku_rate_limited_total', 'Sends refused by a rate limit.'),
    rejected: counter('danmaku_rejected_total', 'Comments refused by the blocklist or moderation hook.'),
    errors: counter('danmaku_client_errors_total', 'Error replies sent to clients, by code.', ['code']),
    refused: counter('danmaku_connections_refused_total', 'Connections refused or closed by the server, by reason.', [
      'reason',
    ]),
    moderationActions: counter('danmaku_moderation_actions_total', 'Moderation actions taken, by action.', ['action']),
  };
}
