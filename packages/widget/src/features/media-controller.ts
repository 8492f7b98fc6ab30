/**
 * Media sync as a Lit reactive controller: the host follows the `<video>`/`<audio>` its `media`
 * names (an id) or holds (the element), through `media-sync.ts`, loaded the first time one is bound.
 */
import type { ReactiveController, ReactiveControllerHost } from '@lit/reactive-element';
import type { DanmakuError } from '../connection/danmaku-error.js';
import type { MediaSync, MediaTarget } from './media-sync.js';
import type { Timed } from './timed-store.js';
import { chunk } from './load-chunk.js';

const loadMediaSync = chunk(() => import('./media-sync.js'));

/** What the controller reads from its host element. */
export interface MediaHost extends ReactiveControllerHost, HTMLElement {
  media: string | HTMLMediaElement | null;
  /** The archive to play along the media (see `archive-feed.ts`). */
  archive?: string | null;
  src?: string;
  room?: string;
  readonly hasUpdated: boolean;
}

/**
 * Binds `host` to its media: `target` hears the comments of `timed` as they fall due, and the
 * media's pauses, rate and seeks. {@link MediaController.bind} looks the media up again (e.g. when
 * the host's children change).
 */
export class MediaController<T extends Timed> implements ReactiveController {
  readonly #host: MediaHost;
  readonly #timed: readonly T[];
  readonly #target: MediaTarget<T>;
  readonly #failed: (error: DanmakuError) => void;
  #sync?: MediaSync<T>;
  /** The media element asked for (the sync module may still be loading). */
  #bound?: Element | null;

  constructor(host: MediaHost, timed: readonly T[], target: MediaTarget<T>, failed: (error: DanmakuError) => void) {
    this.#host = host;
    this.#timed = timed;
    this.#target = target;
    this.#failed = failed;
    host.addController(this);
  }

  /** Binds the media `host.media` names now, if it is not the one bound. */
  bind(): void {
    const host = this.#host;
    const { media } = host;
    const element =
      typeof media === 'string'
        ? media
          ? ((host.getRootNode() as Document | ShadowRoot).getElementById?.(media) ?? document.getElementById(media))
          : null
        : media;
    if (this.#bound === element) return;
    this.#unbind();
    this.#bound = element;
    if (!(element instanceof HTMLMediaElement) || !host.isConnected) return;
    // Loaded on first use: pages without a bound <video> or <audio> never download it.
    loadMediaSync().then(({ MediaSync }) => {
      if (this.#bound !== element || this.#sync || !host.isConnected) return;
      this.#sync = new MediaSync(element, this.#timed, this.#target, host);
    }, this.#failed);
  }

  /** The comments given to the host changed: the next one due may be another. */
  reload(): void {
    this.#sync?.reload();
  }

  /** The bound media's current time, for a comment sent now. */
  get time(): number | undefined {
    return this.#sync?.media.currentTime;
  }

  /** Skips the comments that fell due while the page was hidden. */
  skip(): void {
    this.#sync?.skip();
  }

  hostConnected(): void {
    if (this.#host.hasUpdated) this.bind();
  }

  hostUpdated(): void {
    this.bind();
    // A changed `archive` (or `src`, `room`) takes effect at once, not at the next bind.
    this.#sync?.updateArchive();
  }

  hostDisconnected(): void {
    this.#unbind();
  }

  #unbind(): void {
    this.#sync?.detach();
    this.#sync = undefined;
    this.#bound = undefined;
    // Unbound, the media no longer holds the host's comments.
    this.#target.pause(false);
  }
}
