/**
 * Draws comments on the layer's stage: scroll comments fly in rows that never overlap, top and
 * bottom comments stay centred for a few seconds. The compositor moves them (Web Animations on
 * `transform`); no JavaScript runs per frame.
 */
import type { CommentMode, CommentSize } from '../protocol.js';

/** What the stage needs to show a comment. */
export interface DisplayComment {
  text: string;
  color: string;
  mode: CommentMode;
  size: CommentSize;
  /** The viewer's own comment: outlined. */
  own?: boolean;
}

/** Font size in px of each comment size. */
export const FONT_SIZES: Record<CommentSize, number> = { small: 18, medium: 25, large: 36 };

/** Options of {@link Stage}. */
export interface StageOptions {
  /** Speed of scroll comments, in px/s. */
  speed: number;
  /** How long top/bottom comments stay, in ms. */
  fixedDuration: number;
  /** Horizontal gap between two comments in a row, in px. */
  gap: number;
}

interface Row {
  /** Time (ms, performance.now) at which the row's last comment has fully entered plus the gap. */
  freeAt: number;
  /** Time at which a fixed comment in this row expires. */
  fixedUntil: number;
}

/** A line height is the font size times this. */
const LINE = 1.25;
/** Rows are this many px high; a large comment spans several. */
const ROW_HEIGHT = Math.ceil(FONT_SIZES.small * LINE);

/**
 * Places and animates comments inside `root` (absolutely positioned, the size of the host).
 */
export class Stage {
  readonly #root: HTMLElement;
  options: StageOptions;
  #rows: Row[] = [];
  #width = 0;
  #height = 0;

  constructor(root: HTMLElement, options: StageOptions) {
    this.#root = root;
    this.options = options;
  }

  /** Updates the stage size; call on resize. */
  resize(width: number, height: number): void {
    this.#width = width;
    this.#height = height;
    const count = Math.max(1, Math.floor(height / ROW_HEIGHT));
    while (this.#rows.length < count) this.#rows.push({ freeAt: 0, fixedUntil: 0 });
    this.#rows.length = count;
  }

  /** Shows a comment. Returns `false` when no room is free for it now (it is not shown). */
  add(comment: DisplayComment): boolean {
    if (this.#width === 0 || this.#height === 0) return false;
    const el = document.createElement('div');
    el.className = 'comment';
    el.setAttribute('part', comment.own ? 'comment own' : 'comment');
    // textContent, never innerHTML: comment text is data, not markup.
    el.textContent = comment.text;
    el.style.color = comment.color;
    el.style.fontSize = `${FONT_SIZES[comment.size]}px`;
    const span = Math.ceil((FONT_SIZES[comment.size] * LINE) / ROW_HEIGHT);
    const now = performance.now();
    if (comment.mode === 'scroll') {
      const first = this.#findRows(span, (row) => row.freeAt <= now);
      if (first < 0) return false;
      el.style.top = `${first * ROW_HEIGHT}px`;
      el.style.left = `${this.#width}px`;
      this.#root.append(el);
      const width = el.offsetWidth;
      const duration = ((this.#width + width) / this.options.speed) * 1000;
      const enter = ((width + this.options.gap) / this.options.speed) * 1000;
      for (let i = first; i < first + span; i++) this.#rows[i]!.freeAt = now + enter;
      const animation = el.animate(
        [{ transform: 'translateX(0)' }, { transform: `translateX(${-(this.#width + width)}px)` }],
        { duration, easing: 'linear', fill: 'forwards' },
      );
      animation.onfinish = () => el.remove();
      return true;
    }
    const fromBottom = comment.mode === 'bottom';
    const first = this.#findRows(span, (row) => row.fixedUntil <= now, fromBottom);
    if (first < 0) return false;
    for (let i = first; i < first + span; i++) this.#rows[i]!.fixedUntil = now + this.options.fixedDuration;
    el.style.top = `${first * ROW_HEIGHT}px`;
    el.style.left = '50%';
    el.style.transform = 'translateX(-50%)';
    this.#root.append(el);
    setTimeout(() => el.remove(), this.options.fixedDuration);
    return true;
  }

  /** Removes every comment on screen. */
  clear(): void {
    this.#root.replaceChildren();
    for (const row of this.#rows) {
      row.freeAt = 0;
      row.fixedUntil = 0;
    }
  }

  /** First row index of `span` consecutive free rows, from the top (or bottom), or -1. */
  #findRows(span: number, free: (row: Row) => boolean, fromBottom = false): number {
    const last = this.#rows.length - span;
    for (let k = 0; k <= last; k++) {
      const i = fromBottom ? last - k : k;
      let ok = true;
      for (let j = i; j < i + span && ok; j++) ok = free(this.#rows[j]!);
      if (ok) return i;
    }
    return -1;
  }
}
