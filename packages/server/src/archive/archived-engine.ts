/**
 * Puts an archive in front of an engine's publish, so that the archive holds every comment a
 * viewer saw live and nothing a sender was told had failed.
 */
import type { Engine, NewComment, PublishResult } from '../engine.js';
import type { Archive } from './archive.js';

/** Receives a failure that did not fail the send (a confirmation or clean-up the archive missed). */
export type ArchiveErrorListener = (error: unknown, room: string) => void;

/**
 * An engine whose `publish` goes through `archive`, in three steps around the engine's own:
 *
 * 1. `reserve` writes the comment to the archive, keyed by (room, id). If that fails, nothing is
 *    published and the send fails (`internal`): no comment is seen live without being archived.
 *    If the pair is stored and was published already (a resend after the engine's dedupe window,
 *    or an imported comment's id), it is answered as a duplicate without publishing again.
 * 2. The engine publishes it (dedupe, `seq`, history, fan-out). If that fails, the reserved row is
 *    removed again: the sender was told it failed, and nobody saw it.
 * 3. `confirm` records the `seq` and timestamp the engine gave. If only this fails, the comment
 *    stays archived (shown with `seq` 0); the failure is reported to `onError`.
 *
 * Every other method is the engine's own.
 */
export function archivedEngine(engine: Engine, archive: Archive, onError: ArchiveErrorListener = () => {}): Engine {
  const publish = async (room: string, input: NewComment, sender?: string): Promise<PublishResult> => {
    const reservation = await archive.reserve(room, input, Date.now());
    if (reservation.published && reservation.existing) return { comment: reservation.existing, duplicate: true };
    let result: PublishResult;
    try {
      result = await engine.publish(room, input, sender);
    } catch (error) {
      if (reservation.created) await archive.discard(room, input.id).catch((e: unknown) => onError(e, room));
      throw error;
    }
    try {
      await archive.confirm(room, input.id, result.comment.seq, result.comment.ts);
    } catch (error) {
      onError(error, room);
    }
    return result;
  };
  return new Proxy(engine, {
    get(target, property) {
      if (property === 'publish') return publish;
      const value: unknown = Reflect.get(target, property, target);
      // Methods of a class with private fields must run with the engine itself as `this`.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
