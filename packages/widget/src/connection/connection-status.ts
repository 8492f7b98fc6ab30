/** The states of a connection to a danmaku server. */

/** Connection state, as shown by the layer's `status` property. */
export const ConnectionStatus = {
  /** No `src`: nothing to connect to. */
  Idle: 'idle',
  /** Opening, or waiting to reconnect. */
  Connecting: 'connecting',
  /** Joined the room; comments flow. */
  Open: 'open',
  /** Closed for good (`close()` was called). */
  Closed: 'closed',
} as const;
/** One of the values in {@link ConnectionStatus}. */
export type ConnectionStatus = (typeof ConnectionStatus)[keyof typeof ConnectionStatus];
