/**
 * Comment archives of other players, mapped onto the protocol's comments: bilibili XML
 * (`<d p="time,mode,size,color,…">text</d>`), DPlayer v3 JSON (`[time, type, color, author, text]`)
 * and this protocol's own JSON. Shared by the server's `import` and the widget's `load()`, so both
 * map a file the same way. Pure: no DOM, no Node.js, no XML parser (the `<d>` format is flat; it
 * is read with one bounded pattern and the five XML entities and numeric references, never with
 * entity expansion or a DTD).
 *
 * @module
 */
import {
  AUTHOR_LIMITS,
  CommentMode,
  CommentSize,
  DEFAULT_LIMITS,
  cutText,
  normalizeText,
  parseClientMessage,
  textLength,
  type Author,
  type CommentMode as Mode,
  type CommentSize as Size,
} from './index.js';

/** Formats {@link parseArchive} reads. */
export const ArchiveFormat = {
  /** bilibili XML: `<i><d p="time,mode,size,color,…">text</d>…</i>`. */
  Bilibili: 'bilibili',
  /** DPlayer v3 JSON: `{"code":0,"data":[[time, type, color, author, text], …]}` or the bare array. */
  DPlayer: 'dplayer',
  /** This protocol's comments: an array of `{ text, time, color?, mode?, size?, id? }`, or `{ "comments": […] }`. */
  Json: 'json',
} as const;
/** One of {@link ArchiveFormat}. */
export type ArchiveFormat = (typeof ArchiveFormat)[keyof typeof ArchiveFormat];

/** A comment read from an archive: validated and normalised like a live `send`, with its media time. */
export interface ArchiveComment {
  /** Derived from the source (its row id, or a hash of the entry), so a second import matches the first. */
  id: string;
  text: string;
  color: string;
  mode: Mode;
  size: Size;
  /** Media time in seconds. */
  time: number;
  user?: Author;
}

/**
 * Why an entry was left out: `advanced_mode` (bilibili modes 7 and above: positioned, scripted or
 * code comments), `bad_time` (no finite, non-negative time), `empty`, `too_long` and `invalid` (as a
 * live `send` would be answered), `unreadable` (an entry of the wrong shape).
 */
export type SkipReason = 'advanced_mode' | 'bad_time' | 'empty' | 'too_long' | 'invalid' | 'unreadable';

/** What {@link parseArchive} returns. */
export interface ParsedArchive {
  /** The comments kept, in the order of the source. */
  comments: ArchiveComment[];
  /** How many entries were left out, by reason. */
  skipped: Partial<Record<SkipReason, number>>;
}

/** An entry of a source, mapped but not yet validated. */
export interface ArchiveEntry {
  /** The id derived from the source. */
  id: string;
  text: unknown;
  /** Media time in seconds (finite, non-negative: checked before). */
  time: number;
  color: string;
  mode: Mode;
  size: Size;
  /** The source's author (DPlayer), when it names one. */
  author?: unknown;
}

/**
 * Validates and normalises one entry: the comment to keep, or why it is left out.
 * {@link sendCheck} (what a server must use) and {@link displayCheck} are the two given.
 */
export type EntryCheck = (entry: ArchiveEntry, maxTextLength: number) => ArchiveComment | SkipReason;

/** Options of {@link parseArchive}. */
export interface ArchiveParseOptions {
  /** Longest text in code points; longer comments are skipped as `too_long`. Default {@link DEFAULT_LIMITS}.maxTextLength. */
  maxTextLength?: number;
  /**
   * How each entry is validated. Default {@link displayCheck}; a server storing what it reads must
   * pass {@link sendCheck}, the validation of a live `send`.
   */
  check?: EntryCheck;
}

/**
 * The validation and normalisation of a live `send` (`parseClientMessage`): sanitised text, the
 * length limit, colour, mode and size; the author (DPlayer) becomes `user.id`, sanitised and cut.
 * What the server's import uses.
 */
export const sendCheck: EntryCheck = (entry, maxTextLength) => {
  const { id, text, color, mode, size } = entry;
  const parsed = parseClientMessage(JSON.stringify({ type: 'send', id, text, color, mode, size }), { maxTextLength });
  if (!parsed.ok) {
    const code = parsed.error.code;
    return code === 'empty' || code === 'too_long' ? code : 'invalid';
  }
  if (parsed.value.type !== 'send') return 'invalid';
  const { type: _type, ...fields } = parsed.value;
  const comment: ArchiveComment = { ...fields, time: entry.time };
  if (typeof entry.author === 'string' || typeof entry.author === 'number') {
    const user = cutText(String(entry.author), AUTHOR_LIMITS.maxUserIdLength);
    if (user) comment.user = { id: user };
  }
  return comment;
};

/**
 * The display-safe part of {@link sendCheck}, small enough for a page: the text through
 * `normalizeText` (what the widget applies to everything it draws), the same length limit and
 * `empty` rule; colours as the mapping gave them. No author. What the widget's `load()` uses.
 */
export const displayCheck: EntryCheck = (entry, maxTextLength) => {
  if (typeof entry.text !== 'string') return 'invalid';
  const text = normalizeText(entry.text);
  if (!text) return 'empty';
  if (textLength(text) > maxTextLength) return 'too_long';
  if (!/^#[0-9a-f]{6}$/i.test(entry.color)) return 'invalid';
  return { id: entry.id, text, color: entry.color.toLowerCase(), mode: entry.mode, size: entry.size, time: entry.time };
};

/** The source could not be read at all (not XML with `<d>` elements, not JSON, not the shape named). */
export class ArchiveFormatError extends Error {
  override name = 'ArchiveFormatError';
}

/** bilibili font sizes (px) → sizes; others go to the nearest. */
const BILIBILI_SIZES: ReadonlyArray<[number, Size]> = [
  [18, CommentSize.Small],
  [25, CommentSize.Medium],
  [36, CommentSize.Large],
];

/**
 * bilibili modes 1–3 scroll (3 is a bottom-to-top scroll in old players), 4 bottom, 5 top, 6
 * reverse scroll (shown as a scroll: the protocol has one direction per layer). 7 and above are
 * skipped.
 */
function bilibiliMode(mode: number): Mode | undefined {
  if (mode === 4) return CommentMode.Bottom;
  if (mode === 5) return CommentMode.Top;
  if (mode >= 1 && mode <= 6) return CommentMode.Scroll;
  return undefined;
}

/** Nearest of small / medium / large to a bilibili font size in px. */
export function bilibiliSize(px: number): Size {
  let best: Size = CommentSize.Medium;
  let distance = Infinity;
  for (const [size, name] of BILIBILI_SIZES) {
    if (Math.abs(px - size) < distance) {
      distance = Math.abs(px - size);
      best = name;
    }
  }
  return best;
}

/** `#rrggbb` of a decimal RGB integer (bilibili, DPlayer); white when it is not one. */
export function colorOfInteger(value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) return '#ffffff';
  return `#${(value & 0xffffff).toString(16).padStart(6, '0')}`;
}

/** Decodes the XML entities and character references of an attribute or text. */
function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }[name] ?? whole;
  });
}

/**
 * A short, stable hash of a string (53 bits, base 36), for ids derived from an entry's content.
 * Not cryptographic: it only tells entries of one source apart.
 */
export function contentHash(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** Collects kept comments and counts skips; gives equal derived ids an occurrence suffix. */
class Collector {
  readonly comments: ArchiveComment[] = [];
  readonly skipped: Partial<Record<SkipReason, number>> = {};
  readonly #seen = new Map<string, number>();
  readonly #maxTextLength: number;
  readonly #check: EntryCheck;

  constructor(options: ArchiveParseOptions) {
    this.#maxTextLength = options.maxTextLength ?? DEFAULT_LIMITS.maxTextLength;
    this.#check = options.check ?? displayCheck;
  }

  skip(reason: SkipReason): void {
    this.skipped[reason] = (this.skipped[reason] ?? 0) + 1;
  }

  /** Validates `entry` (the options' `check`) and keeps it under an id made of `key`. */
  add(
    key: string,
    entry: { text: unknown; time: unknown; color: string; mode: Mode; size: Size; author?: unknown },
  ): void {
    if (typeof entry.time !== 'number' || !Number.isFinite(entry.time) || entry.time < 0) return this.skip('bad_time');
    // Identical entries are all kept (two viewers may write the same at the same second), each
    // with its own id; the n-th of them gets the same id in every import of the file.
    const count = (this.#seen.get(key) ?? 0) + 1;
    this.#seen.set(key, count);
    const id = (count === 1 ? key : `${key}.${count}`).slice(0, DEFAULT_LIMITS.maxIdLength);
    const checked = this.#check({ ...entry, id, time: entry.time }, this.#maxTextLength);
    if (typeof checked === 'string') return this.skip(checked);
    this.comments.push(checked);
  }
}

const D_ELEMENT = /<d\s+p\s*=\s*(?:"([^"]*)"|'([^']*)')[^>]*?(?:\/>|>([\s\S]*?)<\/d\s*>)/g;

/**
 * Reads bilibili XML. Each `<d p="time,mode,size,color,sent,pool,user,rowid,…">text</d>` becomes a
 * comment (see {@link ArchiveFormat}); its id is `bili:` and the row id when the source has one,
 * otherwise a hash of the entry.
 *
 * @throws {ArchiveFormatError} when the text holds no `<d>` element and no `<i>` root.
 */
export function parseBilibiliXml(xml: string, options: ArchiveParseOptions = {}): ParsedArchive {
  const out = new Collector(options);
  let found = false;
  for (const match of xml.matchAll(D_ELEMENT)) {
    found = true;
    const p = decodeXml(match[1] ?? match[2] ?? '');
    const text = decodeXml((match[3] ?? '').replace(/^<!\[CDATA\[([\s\S]*)\]\]>$/, '$1'));
    const fields = p.split(',');
    if (fields.length < 4) {
      out.skip('unreadable');
      continue;
    }
    const mode = bilibiliMode(Number(fields[1]));
    if (!mode) {
      out.skip('advanced_mode');
      continue;
    }
    const rowId = fields[7];
    const key = rowId && /^\d{1,30}$/.test(rowId) ? `bili:${rowId}` : `bili:h${contentHash(`${p}\n${text}`)}`;
    out.add(key, {
      text,
      time: fields[0].trim() === '' ? NaN : Number(fields[0]),
      color: colorOfInteger(Number(fields[3])),
      mode,
      size: bilibiliSize(Number(fields[2])),
    });
  }
  if (!found && !/<i[\s>]/.test(xml)) throw new ArchiveFormatError('Not bilibili XML: no <d p="…"> element found.');
  return { comments: out.comments, skipped: out.skipped };
}

/** DPlayer types: 0 right (scroll), 1 top, 2 bottom; also the names DPlayer v3 uses. */
function dplayerMode(type: unknown): Mode | undefined {
  switch (type) {
    case 0:
    case 'right':
    case 'scroll':
      return CommentMode.Scroll;
    case 1:
    case 'top':
      return CommentMode.Top;
    case 2:
    case 'bottom':
      return CommentMode.Bottom;
    default:
      return undefined;
  }
}

function dplayerColor(color: unknown): string {
  if (typeof color === 'number') return colorOfInteger(color);
  if (typeof color === 'string' && /^#?[0-9a-fA-F]{6}$/.test(color)) return `#${color.replace('#', '').toLowerCase()}`;
  if (typeof color === 'string' && /^\d+$/.test(color)) return colorOfInteger(Number(color));
  return '#ffffff';
}

/** The parsed JSON, or an {@link ArchiveFormatError}. */
function readJson(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    throw new ArchiveFormatError('Not JSON.');
  }
}

/**
 * Reads DPlayer v3 JSON: `{"code":0,"data":[[time, type, color, author, text], …]}` (what a DPlayer
 * danmaku API answers) or the bare array. Ids are `dp:` and a hash of the entry.
 *
 * @throws {ArchiveFormatError} when it is not JSON or not that shape.
 */
export function parseDplayerJson(json: unknown, options: ArchiveParseOptions = {}): ParsedArchive {
  const raw = readJson(json);
  const data = Array.isArray(raw)
    ? raw
    : typeof raw === 'object' && raw !== null
      ? (raw as { data?: unknown }).data
      : undefined;
  if (!Array.isArray(data)) throw new ArchiveFormatError('Not DPlayer JSON: expected an array "data" of entries.');
  const out = new Collector(options);
  for (const entry of data) {
    if (!Array.isArray(entry) || entry.length < 5) {
      out.skip('unreadable');
      continue;
    }
    const [time, type, color, author, text] = entry as unknown[];
    const mode = dplayerMode(type);
    if (!mode) {
      out.skip('invalid');
      continue;
    }
    out.add(`dp:${contentHash(JSON.stringify(entry.slice(0, 5)))}`, {
      text,
      time: typeof time === 'string' && time.trim() !== '' ? Number(time) : time,
      color: dplayerColor(color),
      mode,
      size: CommentSize.Medium,
      author,
    });
  }
  return { comments: out.comments, skipped: out.skipped };
}

/**
 * Reads this protocol's comments as JSON: an array of `{ text, time, color?, mode?, size?, id? }`
 * or an object with such an array in `comments` (what the read API answers). An entry's own `id`
 * is kept; without one, the id is `json:` and a hash of the entry.
 *
 * @throws {ArchiveFormatError} when it is not JSON or not that shape.
 */
export function parseCommentsJson(json: unknown, options: ArchiveParseOptions = {}): ParsedArchive {
  const raw = readJson(json);
  const list = Array.isArray(raw)
    ? raw
    : typeof raw === 'object' && raw !== null
      ? (raw as { comments?: unknown }).comments
      : undefined;
  if (!Array.isArray(list))
    throw new ArchiveFormatError('Not a comments array: expected [...] or {"comments": [...]}.');
  const out = new Collector(options);
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      out.skip('unreadable');
      continue;
    }
    const item = entry as Record<string, unknown>;
    const mode = (item.mode ?? CommentMode.Scroll) as Mode;
    const size = (item.size ?? CommentSize.Medium) as Size;
    const key =
      typeof item.id === 'string' && /^[\w.:-]{1,64}$/.test(item.id)
        ? item.id
        : `json:${contentHash(JSON.stringify([item.time, item.mode, item.color, item.text]))}`;
    out.add(key, {
      text: item.text,
      time: item.time,
      color: typeof item.color === 'string' ? item.color : '#ffffff',
      mode,
      size,
      author: typeof item.user === 'object' && item.user !== null ? (item.user as { id?: unknown }).id : undefined,
    });
  }
  return { comments: out.comments, skipped: out.skipped };
}

/**
 * Guesses the format of an archive's text: XML (starts with `<`) is bilibili; JSON whose entries
 * are arrays is DPlayer; other JSON is this protocol's.
 */
export function detectArchiveFormat(text: string): ArchiveFormat {
  const start = text.trimStart();
  if (start.startsWith('<')) return ArchiveFormat.Bilibili;
  if (/^\{\s*"code"|^\[\s*\[|"data"\s*:\s*\[\s*\[/.test(start.slice(0, 200))) return ArchiveFormat.DPlayer;
  return ArchiveFormat.Json;
}

/**
 * Reads an archive in `format` (guessed from the text when not given) into validated comments.
 *
 * @example
 * const { comments, skipped } = parseArchive(xmlText, 'bilibili');
 * @throws {ArchiveFormatError} when the text is not that format at all.
 */
export function parseArchive(
  text: string,
  format: ArchiveFormat = detectArchiveFormat(text),
  options: ArchiveParseOptions = {},
): ParsedArchive {
  switch (format) {
    case ArchiveFormat.Bilibili:
      return parseBilibiliXml(text, options);
    case ArchiveFormat.DPlayer:
      return parseDplayerJson(text, options);
    case ArchiveFormat.Json:
      return parseCommentsJson(text, options);
    default:
      throw new ArchiveFormatError(`Unknown format "${String(format)}"; expected bilibili, dplayer or json.`);
  }
}

/** Escapes text for XML content and attributes. */
function escapeXml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!,
  );
}

const EXPORT_MODE: Record<Mode, number> = { scroll: 1, bottom: 4, top: 5 };
const EXPORT_SIZE: Record<Size, number> = { small: 18, medium: 25, large: 36 };

/**
 * Writes time-coded comments as bilibili XML (`<d p="time,mode,size,color,sent,0,user,id">`), the
 * format most danmaku tools read. `sent` is the comment's `ts` in seconds.
 */
export function toBilibiliXml(
  comments: ReadonlyArray<{
    text: string;
    color: string;
    mode: Mode;
    size: Size;
    time?: number;
    ts?: number;
    id: string;
    user?: Author;
  }>,
): string {
  const rows = comments
    .filter((c) => typeof c.time === 'number')
    .map((c) => {
      const p = [
        Number(c.time!.toFixed(3)),
        EXPORT_MODE[c.mode] ?? 1,
        EXPORT_SIZE[c.size] ?? 25,
        parseInt(c.color.slice(1), 16) || 0,
        Math.floor((c.ts ?? 0) / 1000),
        0,
        c.user?.id ?? '',
        c.id,
      ].join(',');
      return `<d p="${escapeXml(p)}">${escapeXml(c.text)}</d>`;
    });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<i>\n${rows.join('\n')}${rows.length ? '\n' : ''}</i>\n`;
}
