/**
 * The soak's load: senders that post at a steady rate and survive restarts (they resend what was
 * not acknowledged, with the same ids), and a churner that opens a new room, posts once and leaves.
 */
import { WebSocket } from 'ws';
import { ResumingClient } from '../../packages/server/lib/testing/resuming-client.js';

const PROTOCOL = 'danmaku.v1';

/** `count` senders in `room` posting `rate` comments per second between them. */
export async function startSenders(port, room, count, rate) {
  const url = `ws://127.0.0.1:${port}/ws`;
  const senders = Array.from(
    { length: count },
    () => new ResumingClient({ room, pick: () => url, reconnectDelay: 250 }),
  );
  await Promise.all(senders.map((s) => s.start()));
  let sent = 0;
  const started = Date.now();
  // Paced against the clock, so a late timer catches up instead of lowering the rate.
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * rate);
    while (sent < due) {
      senders[sent % count].send(`soak ${sent}`, `s${sent}`);
      sent++;
    }
  }, 50);
  return {
    get sent() {
      return sent;
    },
    /** The `seq` an id was acknowledged with. */
    ackSeq(id) {
      for (const s of senders) if (s.acks.has(id)) return s.acks.get(id);
      return undefined;
    },
    /** Every acknowledged id. */
    acked() {
      return senders.flatMap((s) => [...s.acks.keys()]);
    },
    /** Ids every sender saw broadcast (they resume with their cursor too): a second witness. */
    seenBySenders() {
      const sets = senders.map((s) => new Set(s.received.map((c) => c.id)));
      return (id) => sets.every((set) => set.has(id));
    },
    unacked() {
      return senders.reduce((n, s) => n + s.unacked.size, 0);
    },
    errors() {
      return senders.flatMap((s) => s.errors);
    },
    stopSending() {
      clearInterval(timer);
    },
    stop() {
      clearInterval(timer);
      for (const s of senders) s.stop();
    },
  };
}

/**
 * Opens `perSecond` new rooms a second, each from the next loopback address (127.0.3.1–250, so no
 * address comes near the new-room limit): join, post one comment, wait for the answer, leave.
 */
export function startChurn(port, perSecond) {
  const stats = { opened: 0, acked: 0, failed: 0 };
  let i = 0;
  const timer = setInterval(() => {
    const n = i++;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?room=churn-${n}`, [PROTOCOL], {
      localAddress: `127.0.3.${(n % 250) + 1}`,
    });
    const done = (ok) => {
      if (ok) stats.acked++;
      else stats.failed++;
      ws.terminate();
    };
    const deadline = setTimeout(() => done(false), 5000);
    ws.on('error', () => {});
    ws.on('close', () => clearTimeout(deadline));
    ws.on('message', (data) => {
      const message = JSON.parse(String(data));
      if (message.type === 'welcome') {
        stats.opened++;
        ws.send(JSON.stringify({ type: 'send', id: `c${n}`, text: `churn ${n}` }));
      } else if (message.type === 'ack' || message.type === 'error') {
        clearTimeout(deadline);
        done(message.type === 'ack');
      }
    });
  }, 1000 / perSecond);
  return { stats, stop: () => clearInterval(timer) };
}
