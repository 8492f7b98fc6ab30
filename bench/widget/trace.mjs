/**
 * Arithmetic over a Chromium trace (the JSON DevTools' Performance panel reads): per-thread self
 * times, for `profile.mjs`.
 */

/**
 * Self time (ms) per event name on one thread: an event's time less that of the events nested in
 * it; `topMs` is the time covered by outermost events (the thread's busy time). The time is the
 * thread's CPU time (`tdur`) where the trace has it, as the benchmark's figures are: on a busy
 * machine an event's wall time also counts the moments the thread waited for a core.
 */
export function selfTimes(events) {
  const spans = events
    .filter((e) => e.ph === 'X' && typeof e.dur === 'number')
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const byName = new Map();
  let topUs = 0;
  const stack = [];
  const close = (span) => byName.set(span.name, (byName.get(span.name) ?? 0) + span.self / 1000);
  for (const e of spans) {
    while (stack.length && stack.at(-1).end <= e.ts) close(stack.pop());
    const parent = stack.at(-1);
    const time = e.tdur ?? e.dur;
    if (parent) parent.self -= Math.min(time, parent.self);
    else topUs += time;
    stack.push({ name: e.name, end: e.ts + e.dur, self: time });
  }
  while (stack.length) close(stack.pop());
  return { byName, topMs: topUs / 1000 };
}
