/**
 * The benchmark's workload: a deterministic stream of comments (seeded PRNG), identical for every
 * library. Runs both in Node (for the report) and in the page (to feed the libraries).
 */

/** Stage size in CSS px. */
export const STAGE = Object.freeze({ width: 1280, height: 720 });

/** Speed of scroll comments in px/s, given to every library that lets us set it. */
export const SPEED = 160;

/** How long top/bottom comments stay, in ms (ours; danmaku fixes it to the scroll duration). */
export const FIXED_MS = 4000;

/** Font sizes in px, the same as the element's `small`/`medium`/`large`. */
export const FONT_PX = Object.freeze({ small: 18, medium: 25, large: 36 });

/** One font for everyone, so text widths are comparable. */
export const FONT_FAMILY = "'DejaVu Sans', 'Droid Sans Fallback', sans-serif";
export const FONT_WEIGHT = 700;

/** The outline every DOM library gets (the element's default `--danmaku-stroke`). */
export const TEXT_SHADOW = '0 0 1px #000, 0 0 1px #000, 1px 1px 2px rgb(0 0 0 / 0.6)';

const LATIN = 'the quick brown fox jumps over lazy dog wow lol nice gg first again so good haha what yes no'.split(' ');
const CJK = '前方高能弹幕护体哈哈哈哈好厉害太强了这是什么名场面泪目打卡来了完结撒花草生えるすごいかわいい神回'.split(
  '',
);
const EMOJI = ['😂', '👍', '🔥', '❤️', '🎉', '😭', '👀', '🤣', '✨', '🙏'];
const ARABIC = 'مرحبا رائع جميل جدا شكرا هههه يا سلام ممتاز أحسنت الله'.split(' ');
const COLOURS = ['#ff5555', '#ffcc00', '#55ff55', '#55ccff', '#ff88ff', '#ff9500', '#b388ff'];

/**
 * mulberry32: a tiny, fast 32-bit PRNG; good enough to pick words, and the same on every engine.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** @param {() => number} rnd @param {readonly T[]} list @template T */
const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];

/**
 * Text of `length` code points (2–40) in one script, sometimes with an emoji mixed in.
 * @param {() => number} rnd
 */
function makeText(rnd) {
  // Skewed towards short comments, as in real traffic: most are a few characters, some are long.
  const length = 2 + Math.floor(38 * rnd() ** 2);
  const script = rnd();
  const parts = [];
  let count = 0;
  const push = (s) => {
    parts.push(s);
    count += [...s].length;
  };
  while (count < length) {
    if (rnd() < 0.08) push(pick(rnd, EMOJI));
    else if (script < 0.4) push((count ? ' ' : '') + pick(rnd, LATIN));
    else if (script < 0.8) push(pick(rnd, CJK));
    else if (script < 0.9) push((count ? ' ' : '') + pick(rnd, ARABIC));
    else push(pick(rnd, EMOJI));
  }
  let text = [...parts.join('')].slice(0, length).join('').trim();
  while ([...text].length < 2) text += pick(rnd, CJK);
  return text;
}

/**
 * @typedef {{ text: string, color: string, mode: 'scroll' | 'top' | 'bottom', size: 'small' | 'medium' | 'large' }} BenchComment
 */

/**
 * The first `count` comments of the stream for `seed`.
 * Mix: 80% scroll, 10% top, 10% bottom; 70% white; sizes 10% small, 80% medium, 10% large; no text twice.
 * @param {number} count
 * @param {number} [seed]
 * @returns {BenchComment[]}
 */
export function generateComments(count, seed = 20241125) {
  const rnd = prng(seed);
  const out = [];
  const used = new Set();
  for (let i = 0; i < count; i++) {
    // Every text is unique, so a comment seen on the stage can be told apart by its text alone.
    let text = makeText(rnd);
    for (let tries = 0; used.has(text); tries++) text = tries < 20 ? makeText(rnd) : text + pick(rnd, EMOJI);
    used.add(text);
    const m = rnd();
    const mode = m < 0.1 ? 'top' : m < 0.2 ? 'bottom' : 'scroll';
    const color = rnd() < 0.7 ? '#ffffff' : pick(rnd, COLOURS);
    const s = rnd();
    const size = s < 0.1 ? 'small' : s < 0.9 ? 'medium' : 'large';
    out.push({ text, color, mode, size });
  }
  return out;
}
