/**
 * The danmaku wire protocol, version 1: message shapes, limits, error codes and validation.
 *
 * This module is the single source of truth shared by the `<danmaku-layer>` widget and the
 * reference server, as the package `danmaku-layer-protocol`. It has no
 * DOM and no Node.js dependencies, so it runs in both. `docs/protocol.md` describes the same
 * contract for people who write their own client or server.
 *
 * @module
 */

/** The `Sec-WebSocket-Protocol` both sides negotiate. A server that does not echo it is refused. */
export const PROTOCOL = 'danmaku.v1';

/** Display modes of a comment. */
export const CommentMode = {
  /** Flies across the stage (right to left by default). */
  Scroll: 'scroll',
  /** Stays centred at the top for a few seconds. */
  Top: 'top',
  /** Stays centred at the bottom for a few seconds. */
  Bottom: 'bottom',
} as const;
/** A display mode: `scroll`, `top` or `bottom`. */
export type CommentMode = (typeof CommentMode)[keyof typeof CommentMode];

/** Font sizes a viewer may pick. The widget maps them to pixels (see its `--danmaku-font-size`). */
export const CommentSize = {
  Small: 'small',
  Medium: 'medium',
  Large: 'large',
} as const;
/** A font size: `small`, `medium` or `large`. */
export type CommentSize = (typeof CommentSize)[keyof typeof CommentSize];

/** Limits a server applies by default. Servers may configure other values and announce them in `welcome`. */
export const DEFAULT_LIMITS = {
  /** Longest comment text, in Unicode code points, after normalisation and trimming. */
  maxTextLength: 100,
  /** Longest client-generated comment id, in characters. */
  maxIdLength: 64,
  /** Longest room name, in characters. */
  maxRoomLength: 64,
  /** Largest frame a server accepts, in bytes. */
  maxPayload: 4096,
} as const;

/**
 * Longest author fields broadcast with a comment, in code points; longer ones are cut
 * ({@link normalizeAuthor}). Apart from {@link DEFAULT_LIMITS} so the widget's bundle leaves them out.
 */
export const AUTHOR_LIMITS = {
  /** Longest user name. */
  maxNameLength: 64,
  /** Longest user id. */
  maxUserIdLength: 128,
} as const;

/** Limits announced by a server in its `welcome` message. */
export interface Limits {
  maxTextLength: number;
  maxPayload: number;
}

/**
 * Stable error codes. They appear in `error` messages from the server, and the widget uses the
 * same codes for errors it detects itself (`timeout`, `offline`, `closed`).
 */
export const ErrorCode = {
  /** The frame was not valid JSON, or was binary. */
  BadJson: 'bad_json',
  /** Valid JSON, but not a known message (unknown `type`, missing or mistyped field). */
  Invalid: 'invalid',
  /** The text has no visible character once normalised (white space, marks and invisible characters only). */
  Empty: 'empty',
  /** The text is longer than `maxTextLength`. */
  TooLong: 'too_long',
  /** The sender is over its rate limit; retry later. */
  RateLimited: 'rate_limited',
  /** Authentication is required or the token was refused. */
  Unauthorized: 'unauthorized',
  /** The user may not do this (e.g. send in a read-only room). */
  Forbidden: 'forbidden',
  /** The comment was refused by the server's moderation hook or blocklist. */
  Rejected: 'rejected',
  /** The server failed unexpectedly; the request may be retried. */
  Internal: 'internal',
  /** Client side: no acknowledgement arrived in time. */
  Timeout: 'timeout',
  /** Client side: the offline send queue is full. */
  QueueFull: 'queue_full',
  /** Client side: the layer was disconnected for good (element removed, `src` cleared). */
  Closed: 'closed',
  /** Client side: a part of the widget's script-tag bundle could not be fetched (host the whole `dist/` folder). */
  LoadFailed: 'load_failed',
  /** Client side: the browser lacks what was asked for (e.g. picture-in-picture with the comments). */
  Unsupported: 'unsupported',
  /** The comment named by a `retract` or `report` is not (or no longer) in the room. */
  NotFound: 'not_found',
} as const;
/** One of the stable error codes in {@link ErrorCode}. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** WebSocket close codes the server uses (4000–4999 are reserved for applications by RFC 6455). */
export const CloseCode = {
  /** The server is shutting down or restarting; reconnect (standard "going away"). */
  GoingAway: 1001,
  /**
   * The client sent more invalid frames than its budget allows (standard "policy violation"); its
   * address is refused new connections for a while (HTTP 429 with `Retry-After`). Fix the client.
   */
  PolicyViolation: 1008,
  /** The server is restarting; reconnect (standard "service restart"). */
  ServiceRestart: 1012,
  /** The room name is missing or invalid. */
  BadRoom: 4000,
  /** Authentication failed or did not arrive in time. */
  Unauthorized: 4001,
  /** The client did not read fast enough; its buffer exceeded the server's cap. Reconnect and resume. */
  SlowConsumer: 4002,
  /** The server holds as many rooms as it may; this room cannot be opened now. Retry later. */
  TooManyRooms: 4005,
} as const;
/** One of the close codes in {@link CloseCode}. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/** The author of a comment, when the server knows one (authenticated users). */
export interface Author {
  id: string;
  name?: string;
}

/** A comment as broadcast by the server: what every viewer in the room receives. */
export interface Comment {
  /** Per-room sequence number, assigned by the server, strictly increasing, starting at 1. */
  seq: number;
  /** The sender's client-generated id (unique per sender); lets a sender recognise its own comment. */
  id: string;
  /** The text, to be rendered as text (never as HTML). */
  text: string;
  /** `#rrggbb`. */
  color: string;
  mode: CommentMode;
  size: CommentSize;
  /** Server time the comment was accepted, in milliseconds since the epoch. */
  ts: number;
  /** Media time in seconds the comment belongs to (VOD / time-coded comments), when given. */
  time?: number;
  /** The author, when known. */
  user?: Author;
}

// ---------------------------------------------------------------------------------------------
// Client → server
// ---------------------------------------------------------------------------------------------

/** Posts a comment. The server answers `ack` (or `error` with the same `id`). */
export interface SendMessage {
  type: 'send';
  /** Client-generated id, 1–64 characters; resends with the same id are posted once. */
  id: string;
  text: string;
  /** `#rrggbb`; defaults to `#ffffff`. */
  color?: string;
  /** Defaults to `scroll`. */
  mode?: CommentMode;
  /** Defaults to `medium`. */
  size?: CommentSize;
  /** Media time in seconds, for time-coded comments. */
  time?: number;
}

/** Authenticates the connection (when the server requires it). Must be the first message. */
export interface AuthMessage {
  type: 'auth';
  token: string;
}

/**
 * Takes a comment back: a moderator may retract any comment of the room, an author their own
 * within the server's `retractWindow` (see {@link WelcomeMessage}). Answered with `ack` (its `seq`
 * is the retracted one) or `error` (`forbidden`, `not_found`), with the same `id`.
 */
export interface RetractMessage {
  type: 'retract';
  /** Request id, chosen by the client like a comment id; echoed by the answer. */
  id: string;
  /** The comment to retract. */
  seq: number;
}

/** Flags a comment for the room's moderators. Any viewer; once per viewer and comment. Answered with `ack` or `error`. */
export interface ReportMessage {
  type: 'report';
  id: string;
  seq: number;
  /** Why, in a few words (at most {@link MODERATION_LIMITS}.maxReasonLength code points; sanitised like text). */
  reason?: string;
}

/**
 * Moderators only: mutes a user for `duration` seconds, in this room or (`everywhere`) in every room.
 * The target is a user id (`user`, the token's `sub`) or the author of a comment of the room
 * (`seq`: by user id when signed in, else by the address it was sent from). Answered with `ack` or `error`.
 */
export interface MuteMessage {
  type: 'mute';
  id: string;
  user?: string;
  seq?: number;
  /** Seconds, 1 to {@link MODERATION_LIMITS}.maxMuteSeconds. */
  duration: number;
  everywhere?: boolean;
}

/** Moderators only: lifts a mute (same target rules as {@link MuteMessage}). */
export interface UnmuteMessage {
  type: 'unmute';
  id: string;
  user?: string;
  seq?: number;
  everywhere?: boolean;
}

/** Moderators only: sets the room's slow mode, one comment per `interval` seconds per user; `0` turns it off. */
export interface SlowModeMessage {
  type: 'slow_mode';
  id: string;
  interval: number;
}

/** Moderators only: clears the room: every comment so far leaves every screen and the history. */
export interface ClearMessage {
  type: 'clear';
  id: string;
}

/** A moderation request: the messages that carry a request `id` answered by `ack` or `error`. */
export type ModerationMessage =
  RetractMessage | ReportMessage | MuteMessage | UnmuteMessage | SlowModeMessage | ClearMessage;

/** Any message a client may send. */
export type ClientMessage = SendMessage | AuthMessage | ModerationMessage;

/** A `send` message after validation: normalised text, every default filled in. */
export type ValidSendMessage = SendMessage & Required<Pick<SendMessage, 'color' | 'mode' | 'size'>>;

/** A client message after validation. */
export type ValidClientMessage = ValidSendMessage | AuthMessage | ModerationMessage;

/** Bounds of moderation requests. */
export const MODERATION_LIMITS = {
  /** Longest `reason` of a report, in code points. */
  maxReasonLength: 200,
  /** Longest mute, in seconds (30 days). */
  maxMuteSeconds: 30 * 24 * 3600,
  /** Longest slow-mode interval, in seconds (1 hour). */
  maxSlowModeSeconds: 3600,
} as const;

/** Roles a token may grant (its `role` claim). */
export type Role = 'moderator' | 'admin';

// ---------------------------------------------------------------------------------------------
// Server → client
// ---------------------------------------------------------------------------------------------

/** First message on every connection: where the room stands and whether the cursor was honoured. */
export interface WelcomeMessage {
  type: 'welcome';
  room: string;
  /** Random id of the room's current sequence; changes whenever `seq` restarts. */
  epoch: string;
  /** The room's latest `seq` at the moment of joining (0 when empty). */
  seq: number;
  /**
   * `true` when the client sent a cursor and every comment after it follows (replay, then live).
   * `false` when it sent a cursor that cannot be honoured (other epoch, or older than the history):
   * the client must treat its view as reset. Absent when no cursor was sent.
   */
  recovered?: boolean;
  /** Limits the server enforces. */
  limits: Limits;
  /** Whether this connection may send comments. */
  canSend: boolean;
  /** Interval of the server's heartbeat messages, in milliseconds; silence for much longer means a dead link. */
  heartbeat: number;
  /** The connection's role, when its token grants one: it may send moderation requests. */
  role?: Role;
  /** Seconds after posting during which an author may retract their own comment; `0` or absent: never. */
  retractWindow?: number;
  /** The room's slow mode: one comment per this many seconds per user; `0` or absent: off. */
  slowMode?: number;
  /** Viewers in the room (every instance) when the client joined. */
  viewers?: number;
}

/** One or more comments, in `seq` order (the server batches comments that arrive close together). */
export interface CommentsMessage {
  type: 'comments';
  comments: Comment[];
  /** `true` when these comments are a replay of history (recovery or late join), not live. */
  replay?: boolean;
}

/**
 * Acknowledges a request with the same `id`: a `send` (the comment was accepted with this `seq`),
 * or a moderation request (`seq` is the retracted comment's for `retract`, absent otherwise).
 */
export interface AckMessage {
  type: 'ack';
  id: string;
  seq?: number;
}

/** A request failed. The connection stays open. */
export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  /** The `id` of the `send` that failed, when the error answers one. */
  id?: string;
  /** For `rate_limited`, and `forbidden` for a muted sender: milliseconds until a retry may succeed. */
  retryAfter?: number;
}

/** Application-level heartbeat (browsers cannot see WebSocket pings). */
export interface HeartbeatMessage {
  type: 'heartbeat';
  /** Server time in milliseconds. */
  ts: number;
}

/** The number of viewers in the room changed (at most once every few seconds). */
export interface PresenceMessage {
  type: 'presence';
  viewers: number;
}

/** Comments were retracted: remove them from the stage, the waiting line and any history kept. */
export interface RetractedMessage {
  type: 'retract';
  seqs: number[];
}

/** The room was cleared: every comment with `seq` up to this one goes (stage, waiting line, history). */
export interface ClearedMessage {
  type: 'clear';
  seq: number;
}

/** The room's slow mode changed: one comment per `interval` seconds per user; `0` is off. */
export interface SlowModeChangedMessage {
  type: 'slow_mode';
  interval: number;
}

/** Any message a server may send. */
export type ServerMessage =
  | WelcomeMessage
  | CommentsMessage
  | AckMessage
  | ErrorMessage
  | HeartbeatMessage
  | PresenceMessage
  | RetractedMessage
  | ClearedMessage
  | SlowModeChangedMessage;

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** A validation failure: a stable code and a sentence for people. */
export interface ProtocolError {
  code: ErrorCode;
  message: string;
  id?: string;
}

/** The result of a validation: the value, or an error. Never throws. */
export type Validated<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

const COLOR = /^#[0-9a-fA-F]{6}$/;
// Pure: a bundle that never validates a size (the widget's) leaves that set out.
const MODES: ReadonlySet<unknown> = /* @__PURE__ */ new Set(/* @__PURE__ */ Object.values(CommentMode));
const SIZES: ReadonlySet<unknown> = /* @__PURE__ */ new Set(/* @__PURE__ */ Object.values(CommentSize));
const ID = /^[\w.:-]+$/;
const ROOM = /^[\w.:~-]+$/;

// Removed wherever they appear: lone surrogates (not well-formed Unicode); control characters other
// than white space; format characters (Cf), which include every bidi control (U+061C, U+200E/F,
// U+202A–202E, U+2066–2069, U+206A–206F) that lets text reverse what follows it, zero-width spaces
// and the word joiner; and every other default-ignorable code point (Hangul fillers, tag characters
// U+E0000–E0FFF, ...). Kept for sanitizeText to judge: variation selectors and the zero-width
// (non-)joiner, which real emoji and real scripts need. Private-use and unassigned code points stay
// (a newer emoji is unassigned to an older table).
const STRIPPED = /[^\P{C}\s\p{Co}\p{Cn}\u200c\u200d]|[^\P{DI}\p{VS}\u200c\u200d]/gu;
const WHITESPACE = /\s+/g;
// Printable ASCII, kana, CJK ideographs, the Arabic letters (not their marks), the symbols and
// pictographs of emoji, the emoji variation selector and the zero-width joiner: none of them is
// stripped, none is white space but the space, and NFC leaves any string of them as it is (none
// decomposes into something that composes differently, none composes with what precedes it:
// sanitize.test.ts checks each code point). Most comments are made of nothing else: they skip those
// passes, which cost far more.
const PLAIN =
  // The joiner and the selector are listed one by one, on purpose: they are what is matched.
  // eslint-disable-next-line no-misleading-character-class
  /^[ -~\u3041-\u3096\u309b-\u30ff\u4e00-\u9fff\u0621-\u063a\u0641-\u064a\u2600-\u27bf\ufe0f\u200d\u{1f1e6}-\u{1f1ff}\u{1f300}-\u{1faff}]*$/u;
// A joiner survives only where it joins: U+200D between pictographs of an emoji ZWJ sequence
// (👩‍💻, 🏳️‍🌈), U+200C/D between letters of Arabic or Indic scripts, where they change the shape
// of a word. A variation selector survives only right after a character that is not white space,
// a blank, a joiner or a mark: at the start, after a space, or in a run it shows nothing and can
// smuggle data.
// The classes hold joiners and selectors one by one, on purpose: they are what is matched.
const JOINERS =
  // eslint-disable-next-line no-misleading-character-class
  /(?!(?<=[\p{ExtPict}\p{EMod}\ufe0f])\u200d\p{ExtPict}|(?<=[\p{sc=Arab}\u0900-\u0dff]\p{M}*)[\u200c\u200d][\p{sc=Arab}\u0900-\u0dff])[\u200c\u200d]|(?<![^\s\p{M}\u200c\u200d\u2800])\p{VS}/gu;
const ALL_JOINERS = /[\u200c\u200d]|\p{VS}/gu;
// White space, and the braille blank that renders as nothing, collapse to one space.
const BLANK = /[\s\u2800]+/g;
// What a person can see: anything but white space and marks (joiners left are between visible characters).
const VISIBLE = /[^\s\p{M}]/u;

/**
 * The display-safe part of {@link sanitizeText}, small enough for the widget to apply to everything
 * it draws: Unicode NFC; control, format, bidi, tag and other invisible characters removed (joiners
 * and variation selectors kept); runs of white space collapsed to one space; trimmed.
 *
 * @example
 * normalizeText(' a\u202eb\u200b ') // 'ab'
 */
export function normalizeText(text: string): string {
  if (PLAIN.test(text)) return text.replace(/ +/g, ' ').trim();
  return text.normalize('NFC').replace(STRIPPED, '').replace(WHITESPACE, ' ').trim();
}

/**
 * The one sanitiser for text that is broadcast: comment text, and user names and ids from tokens.
 * {@link normalizeText}, then: joiners kept only inside emoji sequences and joining scripts, one
 * variation selector after a visible character, the braille blank counted as white space, and NFC
 * again (stripping can bring a letter and its mark together). Applying it twice changes nothing. Text with no visible character left (only
 * white space, marks, invisible characters) becomes `''`, which a server answers with `empty`.
 *
 * @example
 * sanitizeText('\u200b\u2060\u3164') // ''
 * sanitizeText('👩\u200d💻\u200d') // '👩‍💻'
 */
export function sanitizeText(text: string): string {
  let clean = normalizeText(text);
  // Removing one joiner or selector can strand the next one, so the rule runs until nothing
  // changes; a text that still changes after a few passes is built to, and loses them all.
  for (let pass = 0; ; pass++) {
    const next = clean.replace(JOINERS, '');
    if (next === clean) break;
    clean = pass < 3 ? next : next.replace(ALL_JOINERS, '');
  }
  // NFC last: a removed character may have stood between a letter and its mark.
  clean = clean.replace(BLANK, ' ').normalize('NFC').trim();
  return VISIBLE.test(clean) ? clean : '';
}

/**
 * Sanitises `text` ({@link sanitizeText}) and cuts it to at most `max` code points, at a grapheme
 * boundary where one is close enough: a cut never splits a code point (a surrogate pair), and never
 * leaves half an emoji sequence or a dangling joiner.
 */
export function cutText(text: string, max: number): string {
  let clean = sanitizeText(text);
  if (textLength(clean) <= max) return clean;
  let end = 0;
  let n = 0;
  const segments = typeof Intl.Segmenter === 'function' ? new Intl.Segmenter().segment(clean) : undefined;
  for (const part of segments ? Array.from(segments, (s) => s.segment) : clean) {
    const length = textLength(part);
    // A cluster longer than the whole limit (marks piled on one letter) is cut by code point.
    if (n + length > max) {
      if (end === 0) for (const c of part) if (n++ < max) end += c.length;
      break;
    }
    n += length;
    end += part.length;
  }
  clean = sanitizeText(clean.slice(0, end));
  return clean;
}

/**
 * Sanitises an author before it is broadcast: `id` and `name` through {@link sanitizeText}, cut to
 * `maxUserIdLength` and `maxNameLength` code points ({@link cutText}). A name with nothing visible
 * is left out; an id with nothing visible makes the author unusable (`undefined`).
 */
export function normalizeAuthor(author: Author): Author | undefined {
  const id = cutText(String(author.id), AUTHOR_LIMITS.maxUserIdLength);
  if (!id) return undefined;
  const name = typeof author.name === 'string' ? cutText(author.name, AUTHOR_LIMITS.maxNameLength) : '';
  return name ? { id, name } : { id };
}

/** Length in Unicode code points, so that an emoji counts as one character, as people count. */
export function textLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Whether `name` is a valid room name: 1–64 characters from `A-Z a-z 0-9 _ . : ~ -`. */
export function isValidRoom(name: unknown, maxLength: number = DEFAULT_LIMITS.maxRoomLength): name is string {
  return typeof name === 'string' && name.length > 0 && name.length <= maxLength && ROOM.test(name);
}

/** Whether `color` is `#rrggbb`. */
export function isValidColor(color: unknown): color is string {
  return typeof color === 'string' && COLOR.test(color);
}

function fail(code: ErrorCode, message: string, id?: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: id === undefined ? { code, message } : { code, message, id } };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Options of {@link parseClientMessage}. */
export interface ParseOptions {
  /** Longest text in code points. Default {@link DEFAULT_LIMITS}.maxTextLength. */
  maxTextLength?: number;
}

/**
 * Parses and validates one text frame from a client. The returned `send` message has its text
 * normalised and its defaults filled in. Never throws: bad input yields a typed error.
 *
 * @example
 * const result = parseClientMessage('{"type":"send","id":"a1","text":"hi"}');
 * if (result.ok) room.publish(result.value);
 * else socket.send(JSON.stringify({ type: 'error', ...result.error }));
 */
export function parseClientMessage(data: string, options: ParseOptions = {}): Validated<ValidClientMessage> {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return fail(ErrorCode.BadJson, 'Messages must be JSON text.');
  }
  if (!isPlainObject(raw)) return fail(ErrorCode.Invalid, 'A message must be a JSON object.');
  switch (raw.type) {
    case 'send':
      return validateSend(raw, options);
    case 'auth':
      if (typeof raw.token !== 'string' || raw.token.length === 0) {
        return fail(ErrorCode.Invalid, '"auth" needs a non-empty string "token".');
      }
      return { ok: true, value: { type: 'auth', token: raw.token } };
    case 'retract':
    case 'report':
    case 'mute':
    case 'unmute':
    case 'slow_mode':
    case 'clear':
      return validateModeration(raw);
    default:
      return fail(
        ErrorCode.Invalid,
        'Unknown message type; expected "send", "auth", "retract", "report", "mute", "unmute", "slow_mode" or "clear".',
      );
  }
}

function isSeq(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) > 0;
}

function isWhole(value: unknown, min: number, max: number): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** Validates the moderation requests; every one carries a request `id` like a comment's. */
function validateModeration(raw: Record<string, unknown>): Validated<ModerationMessage> {
  const { id, type } = raw;
  if (typeof id !== 'string' || id.length === 0 || id.length > DEFAULT_LIMITS.maxIdLength || !ID.test(id)) {
    return fail(ErrorCode.Invalid, '"id" must be 1–64 characters from A-Z a-z 0-9 _ . : -');
  }
  switch (type) {
    case 'retract':
    case 'report': {
      if (!isSeq(raw.seq)) return fail(ErrorCode.Invalid, '"seq" must be a positive integer.', id);
      if (type === 'retract') return { ok: true, value: { type, id, seq: raw.seq } };
      if (raw.reason === undefined) return { ok: true, value: { type, id, seq: raw.seq } };
      if (typeof raw.reason !== 'string') return fail(ErrorCode.Invalid, '"reason" must be a string.', id);
      const reason = cutText(
        raw.reason.slice(0, MODERATION_LIMITS.maxReasonLength * 8),
        MODERATION_LIMITS.maxReasonLength,
      );
      return { ok: true, value: { type, id, seq: raw.seq, ...(reason ? { reason } : {}) } };
    }
    case 'mute':
    case 'unmute': {
      const hasUser = typeof raw.user === 'string' && raw.user.length > 0 && raw.user.length <= 512;
      const hasSeq = isSeq(raw.seq);
      if (hasUser === hasSeq || (raw.user !== undefined && !hasUser) || (raw.seq !== undefined && !hasSeq)) {
        return fail(
          ErrorCode.Invalid,
          'Name exactly one target: "user" (a user id) or "seq" (a comment\'s author).',
          id,
        );
      }
      if (raw.everywhere !== undefined && typeof raw.everywhere !== 'boolean') {
        return fail(ErrorCode.Invalid, '"everywhere" must be true or false.', id);
      }
      const target = hasUser ? { user: raw.user as string } : { seq: raw.seq as number };
      const scope = raw.everywhere === true ? { everywhere: true } : {};
      if (type === 'unmute') return { ok: true, value: { type, id, ...target, ...scope } };
      if (!isWhole(raw.duration, 1, MODERATION_LIMITS.maxMuteSeconds)) {
        return fail(ErrorCode.Invalid, `"duration" must be 1–${MODERATION_LIMITS.maxMuteSeconds} whole seconds.`, id);
      }
      return { ok: true, value: { type, id, ...target, duration: raw.duration, ...scope } };
    }
    case 'slow_mode':
      if (!isWhole(raw.interval, 0, MODERATION_LIMITS.maxSlowModeSeconds)) {
        return fail(
          ErrorCode.Invalid,
          `"interval" must be 0–${MODERATION_LIMITS.maxSlowModeSeconds} whole seconds (0 turns slow mode off).`,
          id,
        );
      }
      return { ok: true, value: { type, id, interval: raw.interval } };
    default:
      return { ok: true, value: { type: 'clear', id } };
  }
}

function validateSend(raw: Record<string, unknown>, options: ParseOptions): Validated<ValidSendMessage> {
  const maxTextLength = options.maxTextLength ?? DEFAULT_LIMITS.maxTextLength;
  const { id } = raw;
  if (typeof id !== 'string' || id.length === 0 || id.length > DEFAULT_LIMITS.maxIdLength || !ID.test(id)) {
    return fail(ErrorCode.Invalid, '"id" must be 1–64 characters from A-Z a-z 0-9 _ . : -');
  }
  if (typeof raw.text !== 'string') return fail(ErrorCode.Invalid, '"text" must be a string.', id);
  // Bound the work before normalising: a huge string is refused without scanning it twice.
  if (raw.text.length > maxTextLength * 8) {
    return fail(ErrorCode.TooLong, `Comments are at most ${maxTextLength} characters.`, id);
  }
  const text = sanitizeText(raw.text);
  if (text.length === 0) return fail(ErrorCode.Empty, 'The comment is empty.', id);
  if (textLength(text) > maxTextLength) {
    return fail(ErrorCode.TooLong, `Comments are at most ${maxTextLength} characters.`, id);
  }
  const color = raw.color ?? '#ffffff';
  if (!isValidColor(color)) return fail(ErrorCode.Invalid, '"color" must be "#rrggbb".', id);
  const mode = raw.mode ?? CommentMode.Scroll;
  if (typeof mode !== 'string' || !MODES.has(mode)) {
    return fail(ErrorCode.Invalid, '"mode" must be "scroll", "top" or "bottom".', id);
  }
  const size = raw.size ?? CommentSize.Medium;
  if (typeof size !== 'string' || !SIZES.has(size)) {
    return fail(ErrorCode.Invalid, '"size" must be "small", "medium" or "large".', id);
  }
  const message: ValidSendMessage = {
    type: 'send',
    id,
    text,
    color: color.toLowerCase(),
    mode: mode as CommentMode,
    size: size as CommentSize,
  };
  if (raw.time !== undefined) {
    if (typeof raw.time !== 'number' || !Number.isFinite(raw.time) || raw.time < 0) {
      return fail(ErrorCode.Invalid, '"time" must be a non-negative number of seconds.', id);
    }
    message.time = raw.time;
  }
  return { ok: true, value: message };
}

// In a module of their own: the widget's script-tag bundle then fetches them with its connection, not
// with the element.
export { parseServerMessage, isComment } from './server-messages.js';
