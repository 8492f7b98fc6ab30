/**
 * `createDanmakuServer`: the reference broadcast server, attachable to any `http.Server`. This
 * file wires the parts together; each concern lives in a module of its own.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, PROTOCOL, isValidRoom } from 'danmaku-layer-protocol';
import { createAuthenticator } from './auth.js';
import { ClientIps, addressKey, clientIp } from './client-ips.js';
import { connectionLimit, openFileLimit } from './connection-limit.js';
import { ClientSession, SessionSocket, type JoinRequest, type SessionSettings } from './client-session.js';
import type { Engine } from './engine.js';
import { createLogger, type Logger } from './logger.js';
import { MemoryEngine } from './memory-engine.js';
import { createMetrics, type Metrics } from './metrics.js';
import { startHeartbeat } from './heartbeat.js';
import { showWritableLayout } from './writable-layout.js';
import { releasePeerAddress } from './peer-address.js';
import { createModerator } from './moderation.js';
import { MemoryModerationStore } from './moderation/memory-store.js';
import { createModerationService, type ModerationService } from './moderation/service.js';
import { createAdminApi } from './moderation/admin-api.js';
import { resolveOptions, type DanmakuServerOptions } from './options.js';
import { sendJson } from './http-json.js';
import { createOriginCheck } from './origin.js';
import { RoomHub } from './room-hub.js';
import { createStaticHandler, defaultDemoDir } from './static-files.js';
import { archivedEngine } from './archive/archived-engine.js';
import { createReadApi } from './archive/read-api.js';

export { SERVER_DEFAULTS, type DanmakuServerOptions } from './options.js';

/** Lifecycle of a server: serving, draining connections on `close()`, closed. */
export const ServerState = {
  Running: 'running',
  Draining: 'draining',
  Closed: 'closed',
} as const;
/** One of {@link ServerState}. */
export type ServerState = (typeof ServerState)[keyof typeof ServerState];

/** Options of {@link DanmakuServer.close}. */
export interface CloseOptions {
  /** Close code sent to clients: `1012` (service restart, the default) or `1001` (going away). */
  code?: typeof CloseCode.ServiceRestart | typeof CloseCode.GoingAway;
}

/** A running danmaku server. */
export interface DanmakuServer {
  /** The HTTP server (yours, or the one created). */
  readonly server: Server;
  /** The room engine in use. */
  readonly engine: Engine;
  /** The logger in use. */
  readonly logger: Logger;
  /**
   * Moderation after the fact (retract, mute, slow mode, clear, reports, audit), as moderator
   * sockets use it; for back-office tools of your own.
   */
  readonly moderation: ModerationService;
  /** The metrics; `metrics.registry` can be merged into your own Prometheus registry. */
  readonly metrics: Metrics;
  /** Number of open client connections. */
  readonly connections: number;
  /** `running`, `draining` (inside `close()`) or `closed`. */
  readonly state: ServerState;
  /** Whether the server takes new connections: running, and its engine is ready. Same as `/readyz`. */
  readonly ready: boolean;
  /**
   * Handles the server's own HTTP routes (`/healthz`, `/readyz`, `/metrics` unless it moved to the
   * internal port, the bundle, the demo).
   * Resolves `false` when the request is not one of them. Only needed when you attached to your own server.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /**
   * Starts listening (own server only), and the internal server when `internalPort` is set.
   * Resolves with the bound (public) address.
   */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Where the internal server listens, once `listen()` has started it; otherwise `undefined`. */
  readonly internalAddress: AddressInfo | undefined;
  /**
   * Shuts down gracefully: reports not ready, refuses new connections (HTTP 503), closes every
   * connection at a random moment within `shutdownWindow`, terminates what is left after
   * `shutdownTimeout`, then releases the hub, an engine it created, and a server it created.
   * Safe to call twice: later calls return the same promise.
   */
  close(options?: CloseOptions): Promise<void>;
}

/**
 * Creates the reference danmaku server.
 *
 * @example
 * // Standalone, demo included:
 * const danmaku = await createDanmakuServer({ demo: true });
 * await danmaku.listen(8080);
 *
 * @example
 * // Inside an existing app: upgrades on /ws are handled, everything else stays yours.
 * const server = http.createServer(app);
 * await createDanmakuServer({ server, allowedOrigins: ['https://example.com'] });
 * server.listen(3000);
 *
 * @throws {TypeError | RangeError} when an option is invalid; the message names it.
 */
export async function createDanmakuServer(options: DanmakuServerOptions = {}): Promise<DanmakuServer> {
  const settings = resolveOptions(options);
  showWritableLayout();
  const originAllowed = createOriginCheck(settings.allowedOrigins);
  const authenticate = settings.auth ? createAuthenticator(settings.auth) : undefined;
  const moderate = createModerator(settings.blocklist, settings.moderate, settings.maxTextLength);
  const demoDir = settings.demo === true ? defaultDemoDir() : settings.demo || undefined;
  if (settings.demo === true && !demoDir) throw new Error('The demo page was not found next to the server package.');
  const serveStatic = await createStaticHandler(demoDir);

  const logger = settings.logger ?? createLogger(settings.logLevel);
  const engine = settings.engine ?? new MemoryEngine();
  const ownsEngine = !settings.engine;
  const hub = new RoomHub(engine, {
    flushInterval: settings.flushInterval,
    onDelivered: (sent, dropped) => {
      if (sent > 0) metrics.commentsOut.inc(sent);
      if (dropped > 0) metrics.dropped.inc(dropped);
    },
  });
  const ips = new ClientIps({
    maxConnections: settings.maxConnectionsPerIp,
    maxSockets: settings.maxSocketsPerIp,
    rate: settings.ipRateLimit,
    burst: settings.ipRateBurst,
    newRoomRate: settings.newRoomRate,
    newRoomBurst: settings.newRoomBurst,
  });
  /** Every session whose socket is still open (closing ones included): what `close()` drains. */
  const sessions = new Set<ClientSession>();
  /** Sockets refused after the handshake (a bad room), until their close handshake ends. */
  const refusedSockets = new Set<WebSocket>();
  /** Sessions not closed yet: the `connections` figure. */
  let openSessions = 0;
  /** Set while `close()` drains: told of each socket that closed. */
  let socketClosed: (() => void) | undefined;
  const metrics = createMetrics({
    connections: () => openSessions,
    rooms: () => hub.roomCount,
    bufferedBytes: () => {
      let total = 0;
      for (const session of sessions) total += session.bufferedAmount;
      return total;
    },
    engine: () => engine.stats?.(),
    limiterKeys: () => ips.size,
  });
  let state: ServerState = ServerState.Running;
  const isReady = (): boolean => state === ServerState.Running && engine.ready;
  const stopWatchingEngine = engine.onReadiness((ready) => {
    if (ready) logger.info('engine ready');
    else logger.warn('engine not ready');
  });

  // With an archive, sends go through it: archived in the step that publishes them.
  const publishing = settings.archive
    ? archivedEngine(engine, settings.archive, (error, room) =>
        logger.error({ err: error, room }, 'archive write after publish failed'),
      )
    : engine;
  const readArchive = settings.archive
    ? createReadApi(settings.archive, {
        rate: settings.readRateLimit,
        burst: settings.readRateBurst,
        addressOf: (req) => addressKey(clientIp(req, settings.trustProxy)),
      })
    : undefined;

  const moderationStore = settings.moderationStore ?? new MemoryModerationStore();
  const moderation = createModerationService({
    engine,
    store: moderationStore,
    ...(settings.archive ? { archive: settings.archive } : {}),
    logger,
    actions: metrics.moderationActions,
    retractWindow: settings.retractWindow,
    ...(settings.onReport ? { onReport: settings.onReport } : {}),
  });

  const adminApi = settings.adminToken
    ? createAdminApi(moderation, {
        token: settings.adminToken,
        addressOf: (req) => addressKey(clientIp(req, settings.trustProxy)),
      })
    : undefined;

  const sessionSettings: SessionSettings = {
    engine: publishing,
    hub,
    maxTextLength: settings.maxTextLength,
    maxPayload: settings.maxPayload,
    replayLimit: settings.replayLimit,
    heartbeatInterval: settings.heartbeatInterval,
    rateLimit: settings.rateLimit,
    rateBurst: settings.rateBurst,
    maxRooms: settings.maxRooms,
    maxBufferedAmount: settings.maxBufferedAmount,
    invalidFrameRate: settings.invalidFrameRate,
    invalidFrameBurst: settings.invalidFrameBurst,
    ...(authenticate ? { authenticate } : {}),
    authTimeout: settings.authTimeout,
    readOnly: settings.readOnly,
    moderate,
    moderation,
    metrics,
    logger,
    penalize: (address) => ips.penalize(address),
    onClose: (_session, address) => {
      openSessions--;
      ips.release(address);
    },
    onSocketClose: (session, address) => {
      sessions.delete(session);
      // A session's socket is counted under its address entry (see onConnection).
      if (countsSockets) ips.closeSocket(address);
      socketClosed?.();
    },
  };

  const wss = new WebSocketServer({
    noServer: true,
    WebSocket: SessionSocket,
    // The server keeps its own set of sessions; ws's would cost every connection a closure more.
    clientTracking: false,
    maxPayload: settings.maxPayload,
    // Off on purpose: per-connection deflate contexts are the classic memory blow-up of busy servers.
    perMessageDeflate: false,
    // Prefer our subprotocol; a plain client that offers none is still served.
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });

  /** `/metrics` leaves the public port when an internal port is set; `metrics: false` serves it nowhere. */
  const publicMetrics = settings.metrics && settings.internalPort === undefined;

  /** Answers the operator endpoints; `false` when the path is not one of them. */
  async function handleOperatorRoute(path: string, res: ServerResponse, withMetrics: boolean): Promise<boolean> {
    switch (path) {
      case '/healthz':
        sendJson(res, 200, { status: 'ok' });
        return true;
      case '/readyz': {
        // Not ready while the engine's store is unreachable or slow: a load balancer sends new clients elsewhere.
        const ready = isReady();
        sendJson(res, ready ? 200 : 503, {
          status: ready ? 'ready' : state === ServerState.Running ? 'engine_not_ready' : state,
        });
        return true;
      }
      case '/metrics':
        if (!withMetrics) return false;
        res
          .writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' })
          .end(await metrics.registry.metrics());
        return true;
      default:
        return false;
    }
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (await handleOperatorRoute(path, res, publicMetrics)) return true;
    // Before the read API: the admin routes include DELETE /rooms/:room/comments/:seq.
    if (adminApi && (await adminApi(req, res))) return true;
    if (readArchive && (await readArchive(req, res))) return true;
    return serveStatic(req, res);
  }

  /** Answers 404 for whatever `handle` does not take, and 500 when it fails. */
  function respond(handle: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>) {
    return (req: IncomingMessage, res: ServerResponse): void => {
      handle(req, res).then(
        (handled) => {
          if (!handled) res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
        },
        (error: unknown) => {
          logger.error({ err: error, url: req.url }, 'request failed');
          if (!res.headersSent) res.writeHead(500).end();
        },
      );
    };
  }

  const ownsServer = !settings.server;
  const serverOptions = {
    // Bounds on sockets that have not finished their request (the upgrade included): a silent or
    // dribbling client is cut, it cannot hold a descriptor for minutes. Checked every second.
    headersTimeout: settings.headersTimeout,
    requestTimeout: Math.max(settings.requestTimeout, settings.headersTimeout),
    connectionsCheckingInterval: Math.min(1000, settings.headersTimeout),
  };
  const server = settings.server ?? createServer(serverOptions, respond(handleRequest));
  /** Whether sockets are counted per address from the first byte (see `onConnection`). */
  const countsSockets = ownsServer && !settings.trustProxy && settings.maxSocketsPerIp > 0;
  if (ownsServer) {
    const maxConnections =
      settings.maxConnections === 'auto' ? connectionLimit(openFileLimit()) : settings.maxConnections;
    if (maxConnections > 0) server.maxConnections = maxConnections;
  }
  /** The operators' server, when `internalPort` is set: health, readiness and metrics only. */
  const internalServer =
    settings.internalPort === undefined
      ? undefined
      : createServer(
          serverOptions,
          respond(
            async (req, res) =>
              (await handleOperatorRoute(
                new URL(req.url ?? '/', 'http://localhost').pathname,
                res,
                settings.metrics,
              )) ||
              (adminApi !== undefined && (await adminApi(req, res))),
          ),
        );

  function refuse(socket: Duplex, reason: string, status: number, text: string, headers = ''): void {
    metrics.refused.inc({ reason });
    logger.debug({ reason, status }, 'upgrade refused');
    rejectUpgrade(socket, status, text, headers);
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = URL.canParse(req.url ?? '/', 'http://localhost')
      ? new URL(req.url ?? '/', 'http://localhost')
      : undefined;
    if (!url || url.pathname !== settings.path) {
      // Another endpoint on a shared server may want this upgrade.
      if (ownsServer) rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    socket.on('error', destroySocket);
    if (state !== ServerState.Running) return refuse(socket, 'shutting_down', 503, 'Service Unavailable');
    if (!originAllowed(req.headers.origin)) return refuse(socket, 'origin', 403, 'Forbidden');
    // The full address goes to logs and the moderation hook; limits count per key (IPv6 per /64).
    const ip = clientIp(req, settings.trustProxy);
    const key = addressKey(ip);
    const refusal = ips.admit(key);
    if (refusal)
      return refuse(socket, refusal.reason, 429, 'Too Many Requests', `Retry-After: ${refusal.retryAfter}\r\n`);
    const join = parseJoinRequest(url);
    // ws completes the handshake synchronously, so the per-IP check above and the count below
    // cannot be separated by another upgrade.
    wss.handleUpgrade(req, socket, head, (ws: SessionSocket) => {
      // From here on ws handles the socket's errors (and closes it on one).
      socket.off('error', destroySocket);
      // A session releases its socket's count itself when the socket closes: one listener less.
      if (join && countsSockets) socket.off('close', closeCountedSocket);
      if (!join) {
        metrics.refused.inc({ reason: 'bad_room' });
        refusedSockets.add(ws);
        ws.on('error', () => {});
        ws.once('close', () => {
          refusedSockets.delete(ws);
          socketClosed?.();
        });
        ws.close(CloseCode.BadRoom, 'room must be 1-64 characters from A-Z a-z 0-9 _ . : ~ -');
        return;
      }
      const session = new ClientSession(ws, socket, join, ip, ips.acquire(key), sessionSettings);
      // The session holds the address; nothing reads the socket's copy again (its close is the session's).
      releasePeerAddress(socket);
      openSessions++;
      sessions.add(session);
    });
  }
  server.on('upgrade', onUpgrade);
  const stopHeartbeat = startHeartbeat(sessions, settings.heartbeatInterval);

  // Per-address socket cap, from the first byte: silent or header-dribbling sockets from one
  // address cannot hold every file descriptor. Behind a trusted proxy every socket is the proxy's.
  function onConnection(socket: Socket): void {
    if (!ips.openSocket(addressKey(socket.remoteAddress))) {
      metrics.refused.inc({ reason: 'socket_limit' });
      socket.destroy();
      return;
    }
    socket.on('close', closeCountedSocket);
  }
  /**
   * Shared by every counted socket (`this` is the socket), rather than a closure per socket. The
   * address was read on connection, so the socket still knows it; its entry stays while counted.
   */
  function closeCountedSocket(this: Socket): void {
    const entry = ips.get(addressKey(this.remoteAddress));
    if (entry) ips.closeSocket(entry);
  }
  if (countsSockets) server.on('connection', onConnection);

  /**
   * Closes every connection at a random moment within `window` ms, so that clients reconnect (to
   * another instance, or to this one restarted) spread out rather than in one stampede. Whatever is
   * still open after `timeout` ms is terminated.
   */
  async function drain(code: number, window: number, timeout: number): Promise<void> {
    const open = (): Array<ClientSession | WebSocket> => [...sessions, ...refusedSockets];
    const timers: NodeJS.Timeout[] = [];
    await new Promise<void>((resolve) => {
      const done = (): void => {
        if (sessions.size + refusedSockets.size > 0) return;
        clearTimeout(deadline);
        resolve();
      };
      const deadline = setTimeout(resolve, timeout);
      socketClosed = () => setImmediate(done);
      for (const connection of open()) {
        timers.push(setTimeout(() => connection.close(code, 'server restarting'), Math.random() * window));
      }
      done();
    });
    for (const timer of timers) clearTimeout(timer);
    // Cut what is left, and wait for those sockets to report closed (they do once destroyed).
    await new Promise<void>((resolve) => {
      const done = (): void => {
        if (sessions.size + refusedSockets.size === 0) resolve();
      };
      socketClosed = () => setImmediate(done);
      for (const connection of open()) connection.terminate();
      done();
    });
    socketClosed = undefined;
  }

  let closing: Promise<void> | undefined;
  return {
    server,
    engine,
    moderation,
    logger,
    metrics,
    get connections() {
      return openSessions;
    },
    get state() {
      return state;
    },
    get ready() {
      return isReady();
    },
    handleRequest,
    async listen(port = 0, host?: string) {
      const address = await listenOn(server, port, host);
      if (internalServer) await listenOn(internalServer, settings.internalPort ?? 0, settings.internalHost);
      return address;
    },
    get internalAddress() {
      return internalServer?.listening ? (internalServer.address() as AddressInfo) : undefined;
    },
    close({ code = CloseCode.ServiceRestart }: CloseOptions = {}) {
      closing ??= (async () => {
        state = ServerState.Draining;
        logger.info(
          { connections: sessions.size + refusedSockets.size, window: settings.shutdownWindow },
          'shutting down',
        );
        await drain(code, settings.shutdownWindow, settings.shutdownTimeout);
        stopHeartbeat();
        server.off('upgrade', onUpgrade);
        server.off('connection', onConnection);
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await hub.close();
        ips.close();
        stopWatchingEngine();
        if (ownsEngine) await engine.close();
        if (!settings.moderationStore) await moderationStore.close();
        for (const own of [ownsServer ? server : undefined, internalServer]) {
          if (!own?.listening) continue;
          own.closeAllConnections?.();
          await new Promise<void>((resolve) => own.close(() => resolve()));
        }
        state = ServerState.Closed;
        logger.info('shut down');
      })();
      return closing;
    },
  };
}

/**
 * Reads `room`, the resume cursor (`epoch` + `seq`) and `last` from the upgrade URL. A cursor is
 * taken only whole and well formed (`epoch` of 1–64 `[A-Za-z0-9_-]`, `seq` a non-negative decimal
 * integer); anything else that names one (one half of it, a malformed `seq`) is an invalid cursor,
 * answered with `recovered: false`, never treated as "from the start".
 */
function parseJoinRequest(url: URL): JoinRequest | undefined {
  const room = url.searchParams.get('room');
  if (!isValidRoom(room)) return undefined;
  const epoch = url.searchParams.get('epoch');
  const seqText = url.searchParams.get('seq');
  let cursor: JoinRequest['cursor'];
  if (epoch !== null || seqText !== null) {
    const seq = seqText !== null && /^\d{1,16}$/.test(seqText) ? Number(seqText) : NaN;
    cursor = epoch !== null && /^[\w-]{1,64}$/.test(epoch) && Number.isSafeInteger(seq) ? { epoch, seq } : 'invalid';
  }
  const last = Number(url.searchParams.get('last') ?? 0);
  return { room, ...(cursor ? { cursor } : {}), last: Number.isSafeInteger(last) && last > 0 ? last : 0 };
}

function listenOn(server: Server, port: number, host?: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Shared `error` listener of sockets not yet handed to ws (`this` is the socket). */
function destroySocket(this: Duplex): void {
  this.destroy();
}

function rejectUpgrade(socket: Duplex, status: number, reason: string, headers = ''): void {
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\n${headers}Content-Length: 0\r\n\r\n`);
}
