/**
 * Viewer-side filtering: a keyword/regex/user blocklist, hidden modes and colours, and a density
 * that thins the flow evenly.
 */

/**
 * A blocklist entry: a keyword (matched anywhere, ignoring case), a regular expression, or
 * `{ user: id }`, every comment whose `user.id` is that id.
 */
export type BlockRule = string | RegExp | { user: string };

/** Whether a comment of `text` by the user id `user` matches any rule of `rules`. */
export function isBlocked(text: string, rules: readonly BlockRule[], user?: string): boolean {
  // Lowered once, and only for a keyword: most layers have no blocklist.
  let lower: string | undefined;
  for (const rule of rules) {
    if (typeof rule === 'string') {
      if (rule && (lower ??= text.toLowerCase()).includes(rule.toLowerCase())) return true;
    } else if ('user' in rule) {
      if (rule.user === user) return true;
    } else {
      // A /g or /y expression remembers where it stopped; every comment starts afresh.
      rule.lastIndex = 0;
      if (rule.test(text)) return true;
    }
  }
  return false;
}

/**
 * Whether `hideModes` (the layer's `hide-modes`: modes, and `color` for every comment that is not
 * white) leaves out a comment of this mode and colour.
 */
export function isHidden(hideModes: string | null | undefined, mode: string, color: string): boolean {
  if (!hideModes) return false;
  const hidden = hideModes.split(/\s+/);
  return hidden.includes(mode) || (hidden.includes('color') && isColored(color));
}

/** Whether `color` is other than white (`#fff`, `#ffffff`, any case). */
export function isColored(color: string): boolean {
  return !/^#f{3}(f{3})?$/i.test(color);
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
