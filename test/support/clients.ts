/** Real widget connections (the browser code, run in Node over `ws`) that record what they get. */
import { WebSocket } from 'ws';
import { DanmakuConnection, type ConnectionOptions, type DanmakuError } from 'danmaku-layer';
import type { Comment, WelcomeMessage } from 'danmaku-layer-protocol';

export interface RecordingClient {
  connection: DanmakuConnection;
  comments: Comment[];
  welcomes: WelcomeMessage[];
  resets: number;
  statuses: string[];
  /** Times (ms, performance.now) at which the connection became open. */
  openedAt: number[];
}

export function recordingClient(
  options: Omit<ConnectionOptions, 'WebSocket'>,
  onError: (error: DanmakuError) => void = () => {},
): RecordingClient {
  const client: RecordingClient = {
    comments: [],
    welcomes: [],
    resets: 0,
    statuses: [],
    openedAt: [],
    connection: undefined as unknown as DanmakuConnection,
  };
  client.connection = new DanmakuConnection(
    { ...options, WebSocket: WebSocket as unknown as typeof globalThis.WebSocket },
    {
      status: (status) => {
        client.statuses.push(status);
        if (status === 'open') client.openedAt.push(performance.now());
      },
      comments: (comments) => client.comments.push(...comments),
      reset: () => client.resets++,
      welcome: (welcome) => client.welcomes.push(welcome),
      error: onError,
    },
  );
  return client;
}

export async function waitFor(check: () => boolean, timeout = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
