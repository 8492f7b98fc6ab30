/**
 * Import of an existing archive (bilibili XML, DPlayer JSON, this protocol's JSON) into a room of
 * the durable archive, with the same validation and normalisation as a live comment.
 */
import { isValidRoom } from 'danmaku-layer-protocol';
import { parseArchive, sendCheck, type ArchiveFormat, type SkipReason } from 'danmaku-layer-protocol/formats';
import type { Archive } from './archive.js';

/** Options of {@link importArchive}. */
export interface ImportOptions {
  /** The file's format; guessed from its text when not given. */
  format?: ArchiveFormat;
  /** Longest text in code points, as the server's `maxTextLength`. Default the protocol's (100). */
  maxTextLength?: number;
}

/** What {@link importArchive} reports. */
export interface ImportReport {
  /** Comments added to the archive. */
  added: number;
  /** Valid comments already in the archive (an earlier import of the same file): not added twice. */
  duplicates: number;
  /** Entries left out, by reason. */
  skipped: Partial<Record<SkipReason, number>>;
}

/**
 * Reads `text` (an archive file's contents) and adds its comments to `room` of `archive`. Ids
 * are derived from the source, so importing the same file again adds nothing.
 *
 * @example
 * const report = await importArchive(archive, 'talk', await readFile('talk.xml', 'utf8'), { format: 'bilibili' });
 * @throws {TypeError} for an invalid room; {@link ArchiveFormatError} when the text is not the format.
 */
export async function importArchive(
  archive: Archive,
  room: string,
  text: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  if (!isValidRoom(room))
    throw new TypeError(`Invalid room "${String(room)}": 1–64 characters from A-Z a-z 0-9 _ . : ~ -`);
  // Exactly the validation of a live send: what is archived must be what a live comment could be.
  const { comments, skipped } = parseArchive(text, options.format, {
    check: sendCheck,
    ...(options.maxTextLength !== undefined ? { maxTextLength: options.maxTextLength } : {}),
  });
  const added = await archive.importComments(room, comments, Date.now());
  return { added, duplicates: comments.length - added, skipped };
}
