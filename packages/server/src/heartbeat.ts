/**
 * The heartbeat of a whole server: one timer walks every connection each round, rather than a
 * timer per connection (which costs each idle connection its own `Timeout` and, every round, its
 * own encoding of the same message).
 */

import { PreparedFrame } from './prepared-frame.js';

/** A connection the heartbeat walks. */
export interface Beating {
  /** One round: `frame` is the round's encoded `heartbeat` message, the same for every connection. */
  beat(frame: PreparedFrame): void;
}

/**
 * Every `interval` ms, encodes and frames one `heartbeat` message and hands it to each member of `members`
 * (read anew each round, so members may come and go, and leave during a round). `0` or less
 * starts nothing. The timer does not keep the process alive. Returns the function that stops it.
 */
export function startHeartbeat(members: Iterable<Beating>, interval: number): () => void {
  if (interval <= 0) return () => {};
  const timer = setInterval(() => {
    const frame = new PreparedFrame(JSON.stringify({ type: 'heartbeat', ts: Date.now() }));
    for (const member of members) member.beat(frame);
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}
