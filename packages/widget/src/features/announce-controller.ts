/**
 * Announcements as a Lit reactive controller: while its host's `announce` is set, the comments it
 * is told about are read to screen readers (`announce.ts`, loaded the first time it is turned on).
 */
import type { ReactiveController, ReactiveControllerHost } from '@lit/reactive-element';
import type { DanmakuError } from '../connection/danmaku-error.js';
import { chunk } from './load-chunk.js';

const loadAnnounce = chunk(() => import('./announce.js'));

/** What the controller reads from its host element. */
export interface AnnounceHost extends ReactiveControllerHost, HTMLElement {
  announce: boolean;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

/**
 * Reads what {@link AnnounceController.shown} is given through a live region in the host's shadow
 * root while `host.announce` is set; `failed` hears a module that could not be loaded.
 *
 * @example
 * readonly #announcer = new AnnounceController(this, (error) => this.report(error));
 * stage.onShow = (comment) => this.#announcer.shown(comment.text);
 */
export class AnnounceController implements ReactiveController {
  readonly #host: AnnounceHost;
  readonly #failed: (error: DanmakuError) => void;
  /** Puts a text in the live region; there once the module has arrived. */
  #say?: (text: string) => void;
  /** The latest comment shown while that module was on its way: read once it arrives. */
  #heard?: string;
  #on = false;

  constructor(host: AnnounceHost, failed: (error: DanmakuError) => void) {
    this.#host = host;
    this.#failed = failed;
    host.addController(this);
  }

  /** A comment was shown: read it (at most one every 3 s, see `announce.ts`) if `announce` is set. */
  shown(text: string): void {
    if (!this.#host.announce) return;
    if (this.#say) this.#say(text);
    else this.#heard = text;
  }

  hostUpdated(): void {
    const host = this.#host;
    if (host.announce === this.#on) return;
    this.#on = host.announce;
    if (!this.#on) return this.#say?.('');
    if (this.#say) return;
    // Loaded on first use; it adds the live region.
    loadAnnounce().then(({ announcer }) => {
      this.#say ??= announcer(host.renderRoot, () => host.announce && host.isConnected);
      if (this.#heard) this.#say(this.#heard);
    }, this.#failed);
  }
}
