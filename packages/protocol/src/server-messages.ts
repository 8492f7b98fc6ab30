/**
 * Reading what a server sends: {@link parseServerMessage}, and {@link isComment}, which feeds and
 * archives use too. Re-exported by `index.ts`.
 */
import type { AckMessage, Comment, ErrorMessage, ServerMessage, WelcomeMessage } from './index.js';

/** The comment modes (`CommentMode`'s values), spelled out: importing the constant would be a cycle. */
const MODES: ReadonlySet<unknown> = /* @__PURE__ */ new Set(['scroll', 'top', 'bottom']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses one frame from a server. Used by the widget; lenient about extra fields (a newer
 * server may add some) but strict about the ones it reads. Returns `undefined` for anything it
 * does not understand, which the widget ignores.
 */
export function parseServerMessage(data: string): ServerMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isPlainObject(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'comments':
      if (!Array.isArray(raw.comments)) return undefined;
      return {
        type: 'comments',
        comments: raw.comments.filter(isComment),
        ...(raw.replay === true ? { replay: true } : {}),
      };
    case 'welcome':
      return typeof raw.epoch === 'string' && typeof raw.seq === 'number'
        ? (raw as unknown as WelcomeMessage)
        : undefined;
    case 'ack':
      return typeof raw.id === 'string' && (raw.seq === undefined || typeof raw.seq === 'number')
        ? (raw as unknown as AckMessage)
        : undefined;
    case 'retract':
      return Array.isArray(raw.seqs)
        ? { type: 'retract', seqs: raw.seqs.filter((seq): seq is number => typeof seq === 'number') }
        : undefined;
    case 'clear':
      return typeof raw.seq === 'number' ? { type: 'clear', seq: raw.seq } : undefined;
    case 'slow_mode':
      return typeof raw.interval === 'number' ? { type: 'slow_mode', interval: raw.interval } : undefined;
    case 'presence':
      return typeof raw.viewers === 'number' ? { type: 'presence', viewers: raw.viewers } : undefined;
    case 'error':
      return typeof raw.code === 'string' ? (raw as unknown as ErrorMessage) : undefined;
    case 'heartbeat':
      return raw as unknown as ServerMessage;
    default:
      return undefined;
  }
}

/** Whether `value` has the shape of a {@link Comment} (used on input from servers and feeds). */
export function isComment(value: unknown): value is Comment {
  if (!isPlainObject(value)) return false;
  return (
    typeof value.seq === 'number' &&
    typeof value.text === 'string' &&
    typeof value.color === 'string' &&
    MODES.has(value.mode)
  );
}
