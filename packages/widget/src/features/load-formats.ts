/**
 * `load()` of archive text: bilibili XML or DPlayer / JSON text read into time-coded comments with
 * the same mapping and validation as the server's import (`danmaku-layer-protocol/formats`). A part
 * of its own, fetched the first time a page loads text.
 */
import { displayCheck, parseArchive } from 'danmaku-layer-protocol/formats';
import type { Comment } from 'danmaku-layer-protocol';

/**
 * The comments of an archive's text (the format is recognised: XML is bilibili, JSON of arrays
 * DPlayer, other JSON this protocol's comments), and how many of its entries were left out.
 * Unreadable text counts as one entry left out.
 */
export function readArchiveText(
  text: string,
  maxTextLength?: number,
): [Array<Partial<Comment> & { text: string }>, number] {
  try {
    const { comments, skipped } = parseArchive(text, undefined, {
      check: displayCheck,
      ...(maxTextLength ? { maxTextLength } : {}),
    });
    let left = 0;
    for (const n of Object.values(skipped)) left += n ?? 0;
    return [comments, left];
  } catch {
    return [[], 1];
  }
}
