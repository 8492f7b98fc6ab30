/**
 * The one way optional parts of the widget are fetched (sending, the canvas renderer, hover and
 * click, announcements, media sync, following a target, the composer): a failed fetch is tried
 * once more, then becomes a `DanmakuError` with code `load_failed` that says which file is missing
 * and what to host.
 */
import { ErrorCode } from '../protocol.js';
import { DanmakuError } from '../connection/danmaku-error.js';

/**
 * Wraps `load` (a dynamic `import()`) so that every caller shares one fetch. A failed fetch is
 * retried once; if that fails too, the returned promise rejects with a `load_failed`
 * {@link DanmakuError} and the next call starts afresh (a rejection is never kept). Whether a
 * retry reaches the network is the browser's call: browsers that predate whatwg/html#10327 keep a
 * module's failed fetch for the page's life and reject a second `import()` at once. A retry under
 * another URL (a query added) would get past that, but would also miss the integrity the page's
 * import map gives the file, so it is not done.
 *
 * @example
 * const loadOutbox = chunk(() => import('./outbox.js'));
 * const { Outbox } = await loadOutbox();
 */
export function chunk<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load()
      // A dropped connection or a deploy in progress often clears on a second try.
      .catch(load)
      .catch((error: unknown) => {
        loading = undefined;
        throw loadFailed(error);
      }));
}

/**
 * The `load_failed` error for a fetch that failed with `error`. Browsers name the module's URL in
 * their message (Chromium: "Failed to fetch dynamically imported module: https://…"); when one
 * does not, the error names the folder the file was expected in.
 */
export function loadFailed(error: unknown): DanmakuError {
  const url = /\b(?:https?|file):\/\/\S+/.exec(String(error))?.[0] ?? `a file next to ${import.meta.url}`;
  return new DanmakuError(
    ErrorCode.LoadFailed,
    `danmaku-layer could not load ${url}: host the whole dist/ folder next to danmaku-layer.bundle.js, ` +
      'or use danmaku-layer.standalone.js',
  );
}
