/**
 * Following a target as a Lit reactive controller: while its host's `for` names an element of the
 * document, the host is laid over that element (`follow.ts`, loaded the first time it is needed).
 */
import type { ReactiveController, ReactiveControllerHost } from '@lit/reactive-element';
import type { DanmakuError } from '../connection/danmaku-error.js';
import type { Box } from './follow.js';
import { chunk } from './load-chunk.js';

const loadFollow = chunk(() => import('./follow.js'));

/** What the controller reads from its host element. */
export interface FollowHost extends ReactiveControllerHost, HTMLElement {
  htmlFor: string;
}

/**
 * Lays `host` over the element its `htmlFor` names, on the page and whenever `htmlFor` changes;
 * `resize` hears the target's box, `failed` a module that could not be loaded.
 */
export class FollowController implements ReactiveController {
  readonly #host: FollowHost;
  readonly #resize: (box: Box) => void;
  readonly #failed: (error: DanmakuError) => void;
  /** The `htmlFor` followed (or tried) last; `undefined` off the page. */
  #for?: string;
  #target?: Element;
  #stop?: () => void;

  constructor(host: FollowHost, resize: (box: Box) => void, failed: (error: DanmakuError) => void) {
    this.#host = host;
    this.#resize = resize;
    this.#failed = failed;
    host.addController(this);
  }

  /** The element followed, or `undefined` (the host then takes its own box). */
  get target(): Element | undefined {
    return this.#target;
  }

  hostConnected(): void {
    this.#follow();
  }

  hostUpdated(): void {
    if (this.#host.htmlFor !== this.#for) this.#follow();
  }

  hostDisconnected(): void {
    this.#unfollow();
    this.#for = undefined;
  }

  #follow(): void {
    const host = this.#host;
    this.#unfollow();
    this.#for = host.htmlFor;
    const target = host.htmlFor ? host.ownerDocument.getElementById(host.htmlFor) : null;
    if (!target) return;
    this.#target = target;
    // Loaded on first use: most layers overlay their own children and never need it.
    loadFollow().then(({ overlay }) => {
      if (this.#target !== target || this.#stop) return;
      this.#stop = overlay(host, target, this.#resize);
    }, this.#failed);
  }

  #unfollow(): void {
    this.#stop?.();
    this.#stop = undefined;
    this.#target = undefined;
  }
}
