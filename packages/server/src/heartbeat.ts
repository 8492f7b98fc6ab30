/**
 * The heartbeat of a whole server: one timer walks every connection each round, rather than a
 * timer per connection (which costs each idle connection its own `Timeout` and, every round, its
 * own encoding of the same message). A round is walked in slices, yielding to the event loop
 * between them: with tens of thousands of connections, one uninterrupted walk would hold back
 * every comment for the hundreds of milliseconds it takes.
 */

import { PreparedFrame } from './prepared-frame.js';

/** A connection the heartbeat walks. */
export interface Beating {
  /**
   * One round: `frame` is the round's `heartbeat` message with a ping in front (one write), the
   * same for every connection.
   */
  beat(frame: PreparedFrame): void;
}

/** Connections beaten before the round yields to the event loop. */
export const HEARTBEAT_SLICE = 500;

/**
 * Every `interval` ms, encodes and frames one `heartbeat` message (ping included) and hands it to
 * each member of `members`, {@link HEARTBEAT_SLICE} at a time with the event loop's other work in
 * between. `members` is read as the round goes, so members may come and go, and leave during a
 * round; a round still running when the next is due is finished first. `0` or less starts
 * nothing. The timer does not keep the process alive. Returns the function that stops it.
 */
export function startHeartbeat(members: Iterable<Beating>, interval: number): () => void {
  if (interval <= 0) return () => {};
  let round: Iterator<Beating> | undefined;
  let frame: PreparedFrame;
  let pending: NodeJS.Immediate | undefined;
  const slice = (): void => {
    pending = undefined;
    for (let i = 0; i < HEARTBEAT_SLICE; i++) {
      const next = round!.next();
      if (next.done) {
        round = undefined;
        return;
      }
      next.value.beat(frame);
    }
    pending = setImmediate(slice);
  };
  const timer = setInterval(() => {
    if (round) return;
    frame = new PreparedFrame(JSON.stringify({ type: 'heartbeat', ts: Date.now() }), { ping: true });
    round = members[Symbol.iterator]();
    slice();
  }, interval);
  timer.unref();
  return () => {
    clearInterval(timer);
    if (pending) clearImmediate(pending);
    round = undefined;
  };
}
