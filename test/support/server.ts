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

export async function startServer(options: DanmakuServerOptions = {}, port = 0): Promise<RunningServer> {
  const danmaku = await createDanmakuServer(options);
  const address = await danmaku.listen(port, '127.0.0.1');
  return {
    danmaku,
    port: address.port,
    http: `http://127.0.0.1:${address.port}`,
    ws: `ws://127.0.0.1:${address.port}/ws`,
    close: () => danmaku.close(),
  };
}
