/**
 * Moderation: a blocklist and a hook that may refuse or rewrite a comment before it is posted.
 */
import { DEFAULT_LIMITS, sanitizeText, textLength } from 'danmaku-layer-protocol';
import type { Author } from 'danmaku-layer-protocol';
import type { NewComment } from './engine.js';

/** What a moderation hook knows about the sender. */
export interface ModerationContext {
  /** The room the comment is posted in. */
  room: string;
  /** The sender's address (see the `trustProxy` option). */
  ip: string;
  /** The authenticated user, when auth is configured. */
  user?: Author;
}

/**
 * A moderation hook. Return `true` to post the comment, `false` to refuse it (the sender gets the
 * error `rejected`), or a string to post that text instead (e.g. with words masked; it is
 * normalised and length-checked again, and refused if it ends up empty).
 */
export type ModerationHook = (
  comment: Readonly<NewComment>,
  context: ModerationContext,
) => boolean | string | Promise<boolean | string>;

/** The outcome of moderation: the text to post, or a refusal. */
export type Verdict = { ok: true; text: string } | { ok: false };

/** Runs the blocklist, then the hook. Returns a promise only when the hook does. */
export type Moderator = (comment: Readonly<NewComment>, context: ModerationContext) => Verdict | Promise<Verdict>;

/**
 * Builds the moderator. Blocklist strings match anywhere in the text, ignoring case and
 * compatibility forms (full-width letters match their ASCII twins); regular expressions are
 * tested as given.
 */
export function createModerator(
  blocklist: ReadonlyArray<string | RegExp> = [],
  hook: ModerationHook | undefined,
  maxTextLength: number = DEFAULT_LIMITS.maxTextLength,
): Moderator {
  const words = blocklist
    .filter((entry): entry is string => typeof entry === 'string')
    .map(fold)
    .filter(Boolean);
  // A global or sticky expression keeps state between tests; a copy without those flags does not.
  const patterns = blocklist
    .filter((entry): entry is RegExp => entry instanceof RegExp)
    .map((re) => new RegExp(re.source, re.flags.replace(/[gy]/g, '')));
  const blocked = (text: string): boolean => {
    if (words.length > 0) {
      const folded = fold(text);
      if (words.some((word) => folded.includes(word))) return true;
    }
    return patterns.some((re) => re.test(text));
  };
  const judge = (answer: boolean | string, original: string): Verdict => {
    if (answer === true) return { ok: true, text: original };
    if (typeof answer !== 'string') return { ok: false };
    const text = sanitizeText(answer);
    if (text.length === 0 || textLength(text) > maxTextLength || blocked(text)) return { ok: false };
    return { ok: true, text };
  };
  return (comment, context) => {
    if (blocked(comment.text)) return { ok: false };
    if (!hook) return { ok: true, text: comment.text };
    const answer = hook(comment, context);
    return isThenable(answer)
      ? Promise.resolve(answer).then((a) => judge(a, comment.text))
      : judge(answer, comment.text);
  };
}

function isThenable(value: unknown): value is PromiseLike<boolean | string> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}
