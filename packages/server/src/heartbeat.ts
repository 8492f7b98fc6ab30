/**
 * The heartbeat of a whole server: one timer walks every connection each round, rather than a
 * timer per connection (which costs each idle connection its own `Timeout` and, every round, its
 * own encoding of the same message). A round is walked in slices spread over the first quarter of
 * the interval: with tens of thousands of connections, one uninterrupted walk would hold back every
 * comment for the hundreds of milliseconds it takes, and the pongs of all of them would come back
 * at once.
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
 * each member of `members`, {@link HEARTBEAT_SLICE} at a time, the slices spread evenly over the
 * first quarter of the interval (for `size` members, when given; else one after the other, with
 * the event loop's other work in between). A member is beaten at about the same point of every
 * round, so each gets one ping per interval. `members` is read as the round goes, so members may
 * come and go, and leave during a round; a round still running when the next is due is finished
 * first. `0` or less starts nothing. The timers do not keep the process alive. Returns the
 * function that stops it.
 */
export function startHeartbeat(members: Iterable<Beating> & { readonly size?: number }, interval: number): () => void {
  if (interval <= 0) return () => {};
  let round: Iterator<Beating> | undefined;
  let frame: PreparedFrame;
  /** Wait between slices of this round, ms. */
  let gap = 0;
  let waiting: NodeJS.Timeout | undefined;
  let queued: NodeJS.Immediate | undefined;
  const slice = (): void => {
    waiting = queued = undefined;
    for (let i = 0; i < HEARTBEAT_SLICE; i++) {
      const next = round!.next();
      if (next.done) {
        round = undefined;
        return;
      }
      next.value.beat(frame);
    }
    if (gap >= 1) waiting = setTimeout(slice, gap).unref();
    else queued = setImmediate(slice);
  };
  const timer = setInterval(() => {
    if (round) return;
    frame = new PreparedFrame(JSON.stringify({ type: 'heartbeat', ts: Date.now() }), { ping: true });
    const slices = Math.ceil((members.size ?? 0) / HEARTBEAT_SLICE);
    gap = slices > 1 ? interval / 4 / slices : 0;
    round = members[Symbol.iterator]();
    slice();
  }, interval);
  timer.unref();
  return () => {
    clearInterval(timer);
    clearTimeout(waiting);
    clearImmediate(queued);
    round = undefined;
  };
}
