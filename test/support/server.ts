/** Starts the real reference server in-process on a free loopback port. */
import { createDanmakuServer, type DanmakuServer, type DanmakuServerOptions } from 'danmaku-layer-server';

export interface RunningServer {
  danmaku: DanmakuServer;
  /** `http://127.0.0.1:PORT` */
  http: string;
  /** `ws://127.0.0.1:PORT/ws` */
  ws: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Abuse limits are off unless a test sets them: these tests are about delivery, and every client
 * here comes from one loopback address. The limits have tests of their own in the server package.
 * Logs stay quiet so that test output stays readable.
 */
const TEST_DEFAULTS: DanmakuServerOptions = {
  rateLimit: 0,
  ipRateLimit: 0,
  maxConnectionsPerIp: 0,
  logLevel: 'silent',
};

export async function startServer(options: DanmakuServerOptions = {}, port = 0): Promise<RunningServer> {
  const danmaku = await createDanmakuServer({ ...TEST_DEFAULTS, ...options });
  const address = await danmaku.listen(port, '127.0.0.1');
  return {
    danmaku,
    port: address.port,
    http: `http://127.0.0.1:${address.port}`,
    ws: `ws://127.0.0.1:${address.port}/ws`,
    close: () => danmaku.close(),
  };
}
