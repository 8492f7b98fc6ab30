/**
 * The in-page half of the benchmark: mounts one library, feeds it the workload at a fixed rate,
 * and records either frame timings (timing pass) or sampled boxes (sampling pass).
 * Node drives it through `window.bench` (see ../run.mjs).
 */
import { ADAPTERS } from '/page/adapters.mjs';
import { generateComments } from '/bench/workload.mjs';
import { overlappingPairs } from '/bench/geometry.mjs';

const stage = document.getElementById('stage');
let adapter;
let comments = [];
let feedTimer = 0;
let fed = 0;
let frames = null;
/** Whether the page runs its frame-timing loop (see `start`). */
let timingFrames = true;
let sampler = null;
/** The measured window: when it began and the counters then. */
let win;

/** Mounts `lib`. */
async function init(lib, { seed, count }) {
  comments = generateComments(count, seed);
  adapter = await ADAPTERS[lib](stage);
  return { lane: adapter.lane ?? null, version: adapter.version ?? null };
}

/**
 * Feeds comments at `rate` per second from now on. A 10 ms timer adds whatever is due by the clock,
 * so a busy main thread receives a burst afterwards, as it would from a socket.
 *
 * `frameLoop: false` leaves out the `requestAnimationFrame` loop that times the frames: the page
 * then asks for no frames of its own, like a page that only plays a video, and no frames are timed.
 * Chromium runs the main thread's frame work (style, layout, paint) for every frame some script asks
 * for, and then also brings the styles of running animations up to date, even those the compositor
 * moves: with the loop, a renderer that animates on the compositor pays for frames the page asked for.
 */
function start(rate, { frameLoop = true } = {}) {
  const t0 = performance.now();
  fed = 0;
  feedTimer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) * rate) / 1000);
    // The stream repeats if a stalled page ever gets this far behind, so the rate never runs dry.
    while (fed < due) adapter.add(comments[fed++ % comments.length]);
  }, 10);
  timingFrames = frameLoop;
  if (!frameLoop) return;
  // rAF runs for the whole run so the first frames of a window are not special.
  let last = 0;
  const frame = (t) => {
    if (frames && last) frames.push(t - last);
    last = t;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/** Starts a measured window. `sampleMs` > 0 makes it a sampling pass, otherwise a timing pass. */
function begin(sampleMs) {
  win = { t0: performance.now(), fed0: fed, displayed0: adapter.displayed() };
  if (!(sampleMs > 0)) {
    // null: nothing timed the frames (no frame loop), not a page that drew none.
    frames = timingFrames ? [] : null;
    return;
  }
  const textToComment = new Map(comments.map((c) => [c.text, c]));
  const seen = new Map(); // drawn comment → its text, so each one is measured once
  sampler = { samples: [], scroll: [], timer: 0 };
  sampler.timer = setInterval(() => {
    if (!adapter.boxes) {
      // Nothing to measure: only the count is sampled; overlap stays unknown (null), not 0.
      sampler.samples.push({ onScreen: adapter.onScreen(), scroll: null, pairs: null, scrollPairs: null });
      return;
    }
    const boxes = adapter.boxes();
    const isScroll = boxes.map((b) => textToComment.get(b.text)?.mode === 'scroll');
    let scroll = 0;
    for (const [i, b] of boxes.entries()) {
      if (!isScroll[i]) continue;
      scroll++;
      // Elements may be recycled: the same element with a new text is a new comment.
      const key = b.el ?? b.text;
      if (seen.get(key) === b.text) continue;
      seen.set(key, b.text);
      sampler.scroll.push({ w: b.w, h: b.h });
    }
    const pairs = overlappingPairs(boxes);
    // Scroll against scroll is the lane allocator's business; a pair with a top/bottom comment is
    // about how fixed comments share the stage with scrolling ones.
    const scrollPairs = pairs.filter(([i, j]) => isScroll[i] && isScroll[j]).length;
    sampler.samples.push({ onScreen: boxes.length, scroll, pairs: pairs.length, scrollPairs });
  }, sampleMs);
}

/**
 * Animations in effect in `root` and in the open shadow trees under it (running, or finished and
 * holding their end): the running ones Chromium brings up to date in every frame the page draws.
 * `document.getAnimations()` leaves shadow trees out.
 */
function runningAnimations(root) {
  let count = root.getAnimations().length;
  for (const el of root.querySelectorAll('*')) if (el.shadowRoot) count += runningAnimations(el.shadowRoot);
  return count;
}

/** Ends the window and returns what it recorded. */
function end() {
  const result = {
    ms: performance.now() - win.t0,
    fed: fed - win.fed0,
    displayed: adapter.displayed() - win.displayed0,
    animations: runningAnimations(document),
  };
  if (sampler) {
    clearInterval(sampler.timer);
    result.samples = sampler.samples;
    result.scroll = sampler.scroll;
    sampler = null;
  } else {
    result.frames = frames;
    frames = null;
  }
  return result;
}

/** Stops feeding (the page is navigated away afterwards). */
function stop() {
  clearInterval(feedTimer);
}

window.bench = { init, start, begin, end, stop };
