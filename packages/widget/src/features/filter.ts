/** Viewer-side filtering: a keyword/regex blocklist and a density that thins the flow evenly. */

/** A blocklist entry: a keyword (matched anywhere, ignoring case) or a regular expression. */
export type BlockRule = string | RegExp;

/** Whether `text` matches any rule of `rules`. */
export function isBlocked(text: string, rules: readonly BlockRule[]): boolean {
  const lower = text.toLowerCase();
  for (const rule of rules) {
    if (typeof rule === 'string') {
      if (rule && lower.includes(rule.toLowerCase())) return true;
    } else {
      // A /g or /y expression remembers where it stopped; every comment starts afresh.
      rule.lastIndex = 0;
      if (rule.test(text)) return true;
    }
  }
  return false;
}

/**
 * Keeps a fraction of a stream, evenly spread: at 0.25 every fourth item passes.
 *
 * @example
 * const thin = new Thinner();
 * if (thin.pass(layer.density)) show(comment);
 */
export class Thinner {
  #credit = 0;

  /** Whether the next item passes, at density `density` (0–1). */
  pass(density: number): boolean {
    if (density >= 1) return true;
    this.#credit += Math.max(0, density);
    if (this.#credit < 1) return false;
    this.#credit -= 1;
    return true;
  }
}
