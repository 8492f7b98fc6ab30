/**
 * `createDanmakuServer`: the reference broadcast server, attachable to any `http.Server`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, DEFAULT_LIMITS, PROTOCOL, isValidRoom } from 'danmaku-layer/protocol.js';
import { ClientSession, type Cursor, type JoinRequest } from './client-session.js';
import type { Engine } from './engine.js';
import { MemoryEngine } from './memory-engine.js';
import { RoomHub } from './room-hub.js';
import { createStaticHandler, defaultDemoDir } from './static-files.js';

/** Options of {@link createDanmakuServer}. Every one is optional. */
export interface DanmakuServerOptions {
  /**
   * An existing HTTP server to attach to (e.g. the one under an Express or Fastify app). The
   * danmaku server then only handles upgrades on `path` and, through {@link DanmakuServer.handleRequest},
   * the requests you pass it. Without one, a server of its own is created; call `listen()`.
   */
  server?: Server;
  /** URL path of the WebSocket endpoint. Default `'/ws'`. */
  path?: string;
  /** Room engine. Default: a new {@link MemoryEngine}. */
  engine?: Engine;
  /** Longest comment, in code points. Default `100`. */
  maxTextLength?: number;
  /** Largest frame accepted from a client, in bytes; larger ones close the connection (1009). Default `4096`. */
  maxPayload?: number;
  /** Comments of a room are collected this long, in ms, and sent as one frame. `0` sends at once. Default `25`. */
  flushInterval?: number;
  /** Interval of pings and heartbeat messages, in ms; a client silent for one interval is dropped. `0` disables. Default `15000`. */
  heartbeatInterval?: number;
  /** Most comments replayed to a client on recovery or late join. Default `500`. */
  replayLimit?: number;
  /**
   * Serve the demo page at `/`: `true` for the bundled demo, a folder path for your own page,
   * `false` for none. The widget bundle is always served at `/danmaku-layer.bundle.js`. Default `false`.
   */
  demo?: boolean | string;
}

/** Defaults of {@link DanmakuServerOptions}. */
export const SERVER_DEFAULTS = {
  path: '/ws',
  maxTextLength: DEFAULT_LIMITS.maxTextLength,
  maxPayload: DEFAULT_LIMITS.maxPayload,
  flushInterval: 25,
  heartbeatInterval: 15_000,
  replayLimit: 500,
} as const;

/** A running danmaku server. */
export interface DanmakuServer {
  /** The HTTP server (yours, or the one created). */
  readonly server: Server;
  /** The room engine in use. */
  readonly engine: Engine;
  /** Number of open client connections. */
  readonly connections: number;
  /**
   * Handles the server's own HTTP routes (`/healthz`, the bundle, the demo). Resolves `false`
   * when the request is not one of them. Only needed when you attached to your own server.
   */
  handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Starts listening (own server only). Resolves with the bound address. */
  listen(port?: number, host?: string): Promise<AddressInfo>;
  /** Closes every connection and, for an own server, the server. Safe to call twice. */
  close(): Promise<void>;
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
 * await createDanmakuServer({ server });
 * server.listen(3000);
 */
export async function createDanmakuServer(options: DanmakuServerOptions = {}): Promise<DanmakuServer> {
  const settings = { ...SERVER_DEFAULTS, ...withoutUndefined(options) };
  checkOptions(settings);
  const engine = options.engine ?? new MemoryEngine();
  const ownsEngine = !options.engine;
  const hub = new RoomHub(engine, { flushInterval: settings.flushInterval });
  const demoDir = options.demo === true ? defaultDemoDir() : options.demo || undefined;
  if (options.demo === true && !demoDir) throw new Error('The demo page was not found next to the server package.');
  const serveStatic = await createStaticHandler(demoDir);
  const sessions = new Set<ClientSession>();

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: settings.maxPayload,
    perMessageDeflate: false,
    // Prefer our subprotocol; a plain client that offers none is still served.
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return true;
    }
    if (path === '/readyz') {
      // Not ready while the engine's store is unreachable: a load balancer sends new clients elsewhere.
      const ready = engine.ready;
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: ready ? 'ready' : 'not ready' }));
      return true;
    }
    return serveStatic(req, res);
  }

  const ownsServer = !options.server;
  const server =
    options.server ??
    createServer((req, res) => {
      handleRequest(req, res).then(
        (handled) => {
          if (!handled) res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
        },
        () => {
          if (!res.headersSent) res.writeHead(500).end();
        },
      );
    });

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== settings.path) {
      // Another endpoint on a shared server may want this upgrade.
      if (ownsServer) rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    socket.on('error', () => socket.destroy());
    const join = parseJoinRequest(url);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (!join) {
        ws.close(CloseCode.BadRoom, 'room must be 1-64 characters from A-Z a-z 0-9 _ . : ~ -');
        return;
      }
      const session = new ClientSession(ws, join, {
        engine,
        hub,
        maxTextLength: settings.maxTextLength,
        maxPayload: settings.maxPayload,
        replayLimit: settings.replayLimit,
        heartbeatInterval: settings.heartbeatInterval,
        onClose: (s) => sessions.delete(s),
      });
      sessions.add(session);
    });
  }
  server.on('upgrade', onUpgrade);

  let closing: Promise<void> | undefined;
  return {
    server,
    engine,
    get connections() {
      return wss.clients.size;
    },
    handleRequest,
    listen(port = 0, host?: string) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    close() {
      closing ??= (async () => {
        server.off('upgrade', onUpgrade);
        for (const ws of wss.clients) ws.close(CloseCode.GoingAway, 'server shutting down');
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        // Give close frames a moment, then cut whatever did not answer.
        await new Promise((resolve) => setTimeout(resolve, 50));
        for (const ws of wss.clients) ws.terminate();
        await hub.close();
        if (ownsEngine) await engine.close();
        if (ownsServer && server.listening) {
          server.closeAllConnections?.();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
      })();
      return closing;
    },
  };
}

/** Reads `room`, the resume cursor (`epoch` + `seq`) and `last` from the upgrade URL. */
function parseJoinRequest(url: URL): JoinRequest | undefined {
  const room = url.searchParams.get('room');
  if (!isValidRoom(room)) return undefined;
  const epoch = url.searchParams.get('epoch');
  const seq = Number(url.searchParams.get('seq'));
  const cursor: Cursor | undefined =
    epoch && /^[\w-]{1,64}$/.test(epoch) && Number.isSafeInteger(seq) && seq >= 0 ? { epoch, seq } : undefined;
  const last = Number(url.searchParams.get('last') ?? 0);
  return { room, ...(cursor ? { cursor } : {}), last: Number.isSafeInteger(last) && last > 0 ? last : 0 };
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkOptions(settings: Required<Pick<DanmakuServerOptions, keyof typeof SERVER_DEFAULTS>>): void {
  const positive = ['maxTextLength', 'maxPayload', 'replayLimit'] as const;
  for (const name of positive) {
    const value = settings[name];
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`Option "${name}" must be a positive integer; got ${value}.`);
  }
  const nonNegative = ['flushInterval', 'heartbeatInterval'] as const;
  for (const name of nonNegative) {
    const value = settings[name];
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`Option "${name}" must be a number ≥ 0; got ${value}.`);
  }
  if (!settings.path.startsWith('/')) throw new TypeError(`Option "path" must start with "/"; got ${settings.path}.`);
}
