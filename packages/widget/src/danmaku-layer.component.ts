/**
 * The `DanmakuLayer` class: live comments flying over its children or over another element.
 * Registration of the tag lives in `danmaku-layer.ts`; this file has no side effects.
 */
// ReactiveElement rather than LitElement: the layer's shadow DOM is two fixed nodes, so it needs
// no templates, and leaving lit-html out keeps the script-tag bundle inside its budget.
import { ReactiveElement, type PropertyDeclarations, type PropertyValues } from '@lit/reactive-element';
import { CommentMode, CommentSize, DEFAULT_LIMITS, ErrorCode, normalizeText, type Comment, type Limits } from './protocol.js';
import {
  ConnectionStatus,
  DanmakuConnection,
  DanmakuError,
  randomId,
  type SendOptions,
  type SendReceipt,
} from './internal/connection.js';
import { Stage, type DisplayComment } from './internal/stage.js';
import { followElement } from './internal/follow.js';
import { emit } from './events.js';
import { layerStyles } from './styles.js';

/** What {@link DanmakuLayer.add} accepts: a comment's text plus any of its other fields. */
export type LocalComment = Partial<Comment> & { text: string };

/**
 * Live bullet comments over a video, a canvas, an image or any element.
 *
 * @summary Overlays flying comments on its children, or on the element named by `for`.
 *
 * @slot - The host content the comments fly over (a `<video>`, `<canvas>`, `<img>`, …).
 *
 * @fires danmaku-status - The connection state changed. `detail.status` is the new {@link DanmakuLayer.status}.
 * @fires danmaku-comment - A comment arrived from the server. `detail`: `{ comment, replay, own }`.
 * @fires danmaku-reset - The server could not resume where the layer left off; comments may have been missed.
 * @fires danmaku-error - The server reported an error that answers no particular send. `detail.error` is a `DanmakuError`.
 *
 * @csspart stage - The box the comments fly in.
 * @csspart comment - Each comment.
 * @csspart own - Added to the comments this layer sent.
 *
 * @cssproperty --danmaku-font-family - Font of the comments. Default: the system UI font with CJK fallbacks.
 * @cssproperty --danmaku-font-weight - Default `700`.
 * @cssproperty --danmaku-opacity - Opacity of all comments, 0–1. Default `1`.
 * @cssproperty --danmaku-stroke - `text-shadow` that keeps text readable on any picture. Default: a thin dark outline.
 * @cssproperty --danmaku-own-outline - Outline of the viewer's own comments. Default `1px solid currentColor`.
 *
 * @example
 * <danmaku-layer src="wss://example.com/ws" room="lobby">
 *   <video src="talk.mp4" controls></video>
 * </danmaku-layer>
 */
export class DanmakuLayer extends ReactiveElement {
  static override styles = layerStyles;

  // `static properties` rather than decorators: the decorator helpers cost bytes in the script-tag bundle.
  static override properties: PropertyDeclarations = {
    src: {},
    room: {},
    htmlFor: { attribute: 'for' },
    last: { type: Number },
    speed: { type: Number },
    fixedDuration: { type: Number, attribute: 'fixed-duration' },
    token: { attribute: false },
  };

  /**
   * Credentials for a server that requires authentication: a JWT, or a function returning one
   * (called before every connection, so it can refresh an expired token). A property only, never
   * an attribute, so the token stays out of the DOM. Default: none.
   */
  token?: string | (() => string | Promise<string>);

  /**
   * WebSocket URL of the danmaku server, e.g. `wss://example.com/ws`; a relative URL such as `/ws`
   * means the page's own server. Without it the layer only shows comments given to {@link add}.
   * @attr src
   */
  src = '';

  /**
   * Room to join. Default `'lobby'`.
   * @attr room
   */
  room = 'lobby';

  /**
   * Id of an element elsewhere in the document to overlay instead of the layer's own children.
   * The layer follows that element's size and position; the element is not moved.
   * @attr for
   */
  htmlFor = '';

  /**
   * Recent comments to show when joining (a replay of history). Default `0`: only live comments.
   * @attr last
   */
  last = 0;

  /**
   * Speed of scroll comments, in px/s, whatever the text length or stage size. Default `160`.
   * @attr speed
   */
  speed = 160;

  /**
   * How long `top` and `bottom` comments stay, in ms. Default `4000`.
   * @attr fixed-duration
   */
  fixedDuration = 4000;

  /** Connection state: `idle` (no `src`), `connecting`, `open` or `closed`. Read-only. */
  get status(): ConnectionStatus {
    return this.#status;
  }

  /** Sends that wait for the server's acknowledgement, including those queued while offline. Read-only. */
  get queued(): number {
    return this.#connection?.queued ?? 0;
  }

  /**
   * Limits the server announced when the layer joined: `maxTextLength` (code points) and
   * `maxPayload` (bytes). The protocol's defaults until a server has said otherwise. Read-only.
   */
  get limits(): Limits {
    return this.#limits;
  }

  #status: ConnectionStatus = ConnectionStatus.Idle;
  #limits: Limits = { maxTextLength: DEFAULT_LIMITS.maxTextLength, maxPayload: DEFAULT_LIMITS.maxPayload };
  #connection?: DanmakuConnection;
  #connectionKey?: string;
  #stage?: Stage;
  #resizeObserver?: ResizeObserver;
  #target?: Element;
  #stopFollowing?: () => void;

  /**
   * Sends a comment to everyone in the room (the sender included: it shows when it comes back).
   * Resolves with the server's receipt; rejects with a `DanmakuError` whose `code` says why
   * (`too_long`, `rate_limited`, `timeout`, `queue_full`, `closed`, …).
   *
   * @example
   * await layer.send('好!', { color: '#ff5555', mode: 'top' });
   */
  send(text: string, options: SendOptions = {}): Promise<SendReceipt> {
    if (!this.#connection) {
      return Promise.reject(new DanmakuError(ErrorCode.Closed, 'The layer has no src to send to.'));
    }
    return this.#connection.send(text, options);
  }

  /**
   * Shows a comment locally, without the network: for recorded comments, custom feeds and tests.
   * Returns `false` when there was no room for it on the stage.
   *
   * @example
   * layer.add({ text: 'hello', color: '#ffcc00', mode: 'bottom' });
   */
  add(comment: LocalComment): boolean {
    return this.#show({
      text: normalizeText(String(comment.text)),
      color: comment.color ?? '#ffffff',
      mode: comment.mode ?? CommentMode.Scroll,
      size: comment.size ?? CommentSize.Medium,
      own: false,
    });
  }

  /** Removes every comment on screen. */
  clear(): void {
    this.#stage?.clear();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resizeObserver = new ResizeObserver(() => this.#measure());
    this.#connect();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#disconnect();
    this.#resizeObserver?.disconnect();
    this.#unfollow();
  }

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = super.createRenderRoot();
    const stage = document.createElement('div');
    stage.className = 'stage';
    stage.setAttribute('part', 'stage');
    stage.setAttribute('aria-hidden', 'true');
    root.append(document.createElement('slot'), stage);
    return root;
  }

  protected override firstUpdated(): void {
    const root = this.renderRoot.querySelector<HTMLElement>('.stage')!;
    this.#stage = new Stage(root, { speed: this.speed, fixedDuration: this.fixedDuration, gap: 24 });
    this.#resizeObserver?.observe(this);
    this.#measure();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.#stage && (changed.has('speed') || changed.has('fixedDuration'))) {
      this.#stage.options = { ...this.#stage.options, speed: this.speed, fixedDuration: this.fixedDuration };
    }
    if (changed.has('htmlFor')) this.#followTarget();
    if (this.isConnected && this.#connectionKey !== this.#wantedKey()) {
      this.#disconnect();
      this.#connect();
    }
  }

  /** What the current connection was opened for; a change of any part means a new connection. */
  #wantedKey(): string {
    return JSON.stringify([this.src, this.room, this.last, typeof this.token === 'string' ? this.token : !!this.token]);
  }

  #connect(): void {
    this.#connectionKey = this.#wantedKey();
    if (this.#connection || !this.src) {
      if (!this.src) this.#setStatus(ConnectionStatus.Idle);
      return;
    }
    const connection = new DanmakuConnection(
      { url: this.src, room: this.room, last: this.last, ...(this.token ? { token: this.token } : {}) },
      {
        status: (status) => this.#setStatus(status),
        comments: (comments, replay) => {
          for (const comment of comments) {
            const own = connection.isOwn(comment.id);
            emit(this, 'danmaku-comment', { comment, replay, own });
            this.#show({ ...comment, own });
          }
        },
        reset: (welcome) => emit(this, 'danmaku-reset', { welcome }),
        welcome: ({ limits }) => {
          // Trust only well-formed numbers: a broken welcome must not disable the composer.
          if (limits && Number.isSafeInteger(limits.maxTextLength) && limits.maxTextLength > 0) {
            this.#limits = { maxTextLength: limits.maxTextLength, maxPayload: limits.maxPayload };
          }
        },
        error: (error) => emit(this, 'danmaku-error', { error }),
      },
    );
    this.#connection = connection;
    this.#setStatus(connection.status);
  }

  #disconnect(): void {
    this.#connectionKey = undefined;
    this.#connection?.close();
    this.#connection = undefined;
    this.#setStatus(this.src ? ConnectionStatus.Closed : ConnectionStatus.Idle);
  }

  #setStatus(status: ConnectionStatus): void {
    if (status === this.#status) return;
    this.#status = status;
    emit(this, 'danmaku-status', { status });
  }

  #show(comment: DisplayComment): boolean {
    if (!this.#stage || comment.text.length === 0) return false;
    return this.#stage.add(comment);
  }

  #measure(): void {
    const box = this.#target ? this.#target.getBoundingClientRect() : this.getBoundingClientRect();
    this.#stage?.resize(box.width, box.height);
  }

  #followTarget(): void {
    this.#unfollow();
    const target = this.htmlFor ? this.ownerDocument.getElementById(this.htmlFor) : null;
    if (!target) return;
    this.#target = target;
    this.#stopFollowing = followElement(target, (box) => {
      // Over another element: the layer takes that element's box on screen, without moving it.
      Object.assign(this.style, {
        position: 'fixed',
        pointerEvents: 'none',
        top: `${box.top}px`,
        left: `${box.left}px`,
        width: `${box.width}px`,
        height: `${box.height}px`,
      });
      this.#stage?.resize(box.width, box.height);
    });
  }

  #unfollow(): void {
    if (!this.#target) return;
    this.#stopFollowing?.();
    this.#stopFollowing = undefined;
    this.#target = undefined;
    for (const name of ['position', 'pointer-events', 'top', 'left', 'width', 'height']) this.style.removeProperty(name);
  }
}

/** A new client id, for callers that build their own `send` messages. */
export { randomId };
