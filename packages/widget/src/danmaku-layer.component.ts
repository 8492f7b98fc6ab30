/**
 * The `DanmakuLayer` class: live comments flying over its children or over another element.
 * Registration of the tag lives in `danmaku-layer.ts`; this file has no side effects.
 */
// ReactiveElement rather than LitElement: the layer's shadow DOM is a few fixed nodes, so it needs
// no templates, and leaving lit-html out keeps the script-tag bundle inside its budget.
import { ReactiveElement, type PropertyDeclarations, type PropertyValues } from '@lit/reactive-element';
import { CommentMode, CommentSize, normalizeText, type Comment, type Limits, type Role } from './protocol.js';
import { ConnectionController } from './connection/connection-controller.js';
import { AnnounceController } from './features/announce-controller.js';
import { FollowController } from './features/follow-controller.js';
import { MediaController } from './features/media-controller.js';
import { ConnectionStatus } from './connection/connection-status.js';
import { DanmakuError } from './connection/danmaku-error.js';
import type { SendOptions, SendReceipt } from './connection/outbox.js';
import { Stage, type DropReason, type StageStats } from './render/stage.js';
import { Clock } from './render/clock.js';
import { DomRenderer } from './render/dom-renderer.js';
import type { Renderer } from './render/renderer.js';
import { addTimed } from './features/timed-store.js';
import { isBlocked, isHidden, Thinner, type BlockRule } from './features/filter.js';
import { stageGate } from './features/stage-gate.js';
import { emit, type LayerComment } from './events.js';
import { layerStyles } from './styles.js';
import { chunk } from './features/load-chunk.js';

// The optional parts, each fetched the first time a layer on the page needs it (see load-chunk.ts).
const loadCanvas = chunk(() => import('./render/canvas-renderer.js'));
// Also brings fullscreen and picture-in-picture with the comments: what a viewer's gestures need.
const loadInteraction = chunk(() => import('./features/interaction.js'));
const loadFormats = chunk(() => import('./features/load-formats.js'));

/** What {@link DanmakuLayer.add} accepts: a comment's text plus any of its other fields. */
export type LocalComment = Partial<Comment> & { text: string };

/** Counters of {@link DanmakuLayer.stats}. */
export interface DanmakuStats extends StageStats {
  /** Comments left out by `hide-modes`, `density`, `blocklist` or `filter`. */
  filtered: number;
}

/** Whose sends {@link DanmakuLayer.mute} stops: a user id (a token's `sub`), or the author of a comment of the room. */
export type MuteTarget = { user: string } | { seq: number };

/** Options of {@link DanmakuLayer.mute} and {@link DanmakuLayer.unmute}. */
export interface MuteOptions {
  /** In every room of the server rather than this one. Default `false`. */
  everywhere?: boolean;
}

/** Most time-coded comments {@link DanmakuLayer.load} keeps. */
const MAX_STORED = 50_000;

/**
 * Live bullet comments over a video, a canvas, an image or any element.
 *
 * Comments never overlap: each one gets a lane (a pixel interval sized from its font) only when
 * it cannot touch the comment ahead before that one leaves. When no lane is free a comment waits
 * up to `max-wait` ms, then is dropped and counted (`stats`, `danmaku-drop`). The compositor moves
 * them (Web Animations on `transform`); elements are recycled.
 *
 * @summary Overlays flying comments on its children, or on the element named by `for`.
 *
 * @slot - The host content the comments fly over (a `<video>`, `<canvas>`, `<img>`, …).
 *
 * @fires danmaku-status - The connection state changed. `detail.status` is the new {@link DanmakuLayer.status}.
 * @fires danmaku-comment - A comment arrived from the server. `detail`: `{ comment, replay, own }`.
 * @fires danmaku-reset - The server could not resume where the layer left off; comments may have been missed.
 * @fires danmaku-error - The server reported an error that answers no particular send, a part of the widget could not be loaded (`load_failed`), or `renderer="canvas"` could not start and the DOM renderer draws instead (`canvas_unavailable`). `detail.error` is a `DanmakuError`.
 * @fires danmaku-drop - Comments were dropped. `detail`: `{ comments, comment, reason }`: `comments` are those dropped together (in order of arrival), `comment` is the first of them; `reason` is `overload` (no room within `max-wait`, or more than `max-queue` waiting: reported together once per pass of the waiting line, at most 100 ms later) or `hidden` (the page was hidden: those that waited, together; then one per arrival).
 * @fires danmaku-comment-click - With `interactive`, a comment was clicked. `detail`: `{ comment, count }` (`count`: identical comments merged into it).
 * @fires danmaku-retract - Comments were retracted, or the room was cleared; the layer has already taken them off the stage, out of the waiting line and out of its time-coded comments. `detail`: `{ seqs, clear }`; for a clear, every comment up to `seqs[0]`.
 * @fires danmaku-presence - The room's viewer count is known or changed (the server's `welcome` and `presence`). `detail`: `{ viewers }`.
 * @fires danmaku-slow-mode - The room's slow mode changed. `detail`: `{ interval }`, seconds per comment per user; `0` is off.
 *
 * @csspart stage - The box the comments fly in.
 * @csspart comment - Each comment. Style colours, shadows, outlines; do not change its font metrics or padding (comments are measured from the custom properties below).
 * @csspart own - Added to the comments this layer sent.
 *
 * @cssproperty --danmaku-font-family - Font of the comments. Default: the system UI font with CJK fallbacks.
 * @cssproperty --danmaku-font-weight - Default `700`.
 * @cssproperty --danmaku-font-size - Font size of `medium` comments, px (`small` is 0.72×, `large` 1.44×), or `auto`: it follows the stage, 10 px plus a 48th of the height of the 16:9 picture that fits it, between 16 and 40 px (25 px at 1280×720). `speed` scales with it. Default `auto`.
 * @cssproperty --danmaku-opacity - Opacity of all comments, 0–1, multiplied by the `opacity` attribute. Default `1`.
 * @cssproperty --danmaku-stroke - `text-shadow` that keeps text readable on any picture. Default: a thin dark outline.
 * @cssproperty --danmaku-gap - Least horizontal distance between two comments, px. Default `24px`.
 * @cssproperty --danmaku-lane-gap - Vertical space below each comment's line (which already has a quarter of its font size as leading), px. Default `0px`.
 * @cssproperty --danmaku-own-decoration - `text-decoration` of the viewer's own comments: an underline in the comment's colour. Default `underline 0.1em`; `none` for none.
 * @cssproperty --danmaku-own-outline - Outline of the viewer's own comments, for a frame instead. Default `none`.
 *
 * The global `hidden` attribute hides the comments only (not the content they fly over); they go
 * on unseen, so showing them again finds the stage as it would be. The stage is `aria-hidden`.
 *
 * Font custom properties are read when the layer is resized or one of its properties changes.
 *
 * @example
 * <danmaku-layer src="wss://example.com/ws" room="lobby" media="talk" interactive>
 *   <video id="talk" src="talk.mp4" controls></video>
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
    duration: { type: Number },
    fixedDuration: { type: Number, attribute: 'fixed-duration' },
    reverse: { type: Boolean, reflect: true },
    area: { type: Number },
    opacity: { type: Number },
    fontScale: { type: Number, attribute: 'font-scale' },
    density: { type: Number },
    hideModes: { attribute: 'hide-modes', reflect: true },
    ignoreRate: { type: Boolean, attribute: 'ignore-rate' },
    maxWait: { type: Number, attribute: 'max-wait' },
    maxQueue: { type: Number, attribute: 'max-queue' },
    merge: { type: Number },
    interactive: { type: Boolean, reflect: true },
    announce: { type: Boolean, reflect: true },
    media: {},
    archive: {},
    renderer: {},
    blocklist: { attribute: false },
    filter: { attribute: false },
    token: { attribute: false },
  };

  /**
   * WebSocket URL of the danmaku server, e.g. `wss://example.com/ws`; a relative URL such as `/ws`
   * means the page's own server. Without it the layer only shows comments given to {@link add}.
   */
  src = '';

  /** Room to join. Default `'lobby'`. */
  room = 'lobby';

  /**
   * Id of an element elsewhere in the document to overlay instead of the layer's own children.
   * The layer follows that element's size and position; the element is not moved.
   */
  htmlFor = '';

  /** Recent comments to show when joining (a replay of history). Default `0`: only live comments. */
  last = 0;

  /** Speed of scroll comments, in px/s for 25 px type (`medium` at 1280×720), scaled with the type: slower on a phone, faster on a big screen; the same whatever the text length. Applies to comments that enter after a change. Default `160`. */
  speed = 160;

  /** When > 0, every scroll comment crosses the stage in this many ms instead of moving at `speed` (longer text then moves faster). Default `0`. */
  duration = 0;

  /** How long `top` and `bottom` comments stay, in ms. Default `4000`. */
  fixedDuration = 4000;

  /** Scroll comments fly left to right instead of right to left. Default `false`. */
  reverse = false;

  /** Fraction of the height comments may use, from the top (e.g. `0.5` keeps subtitles clear). `bottom` comments stack from the bottom of that part. Default `1`. */
  area = 1;

  /** Opacity of the comments, 0–1 (multiplies `--danmaku-opacity`). Default `1`. */
  opacity = 1;

  /** Multiplies every font size (e.g. `0.8`). Applies to comments that enter after a change. Default `1`. */
  fontScale = 1;

  /** Fraction of incoming comments shown, 0–1, evenly spread (`0.5` shows every other one). Default `1`. */
  density = 1;

  /** Modes not shown, space-separated: any of `scroll`, `top`, `bottom`, and `color` for every comment that is not white. Hides those on screen too. Default `''`. */
  hideModes = '';

  /** Comments keep their own pace when the bound `media` plays faster or slower (by default they follow its `playbackRate`). Default `false`. */
  ignoreRate = false;

  /** Longest time a comment waits for room before it is dropped, in ms. Default `2000`. */
  maxWait = 2000;

  /** Most comments waiting for room; beyond it the oldest is dropped. Default `100`. */
  maxQueue = 100;

  /** Identical text arriving within this many ms is merged into one comment with a "×n" counter. Default `0`: never. */
  merge = 0;

  /** Comments take the pointer: hovering one pauses it (and what would run into it), clicking fires `danmaku-comment-click`. The rest of the layer stays click-through. Default `false`. */
  interactive = false;

  /** Reads comments to screen readers through a visually hidden live region, at most one every 3 s. Default `false`. */
  announce = false;

  /**
   * The `<video>`/`<audio>` to follow: an element id (attribute) or the element (property). The layer
   * pauses, resumes, seeks and follows `playbackRate` with it, and comments given to {@link load}
   * appear at their `time`. Live comments still appear. Default `''`: no media.
   */
  media: string | HTMLMediaElement | null = '';

  /**
   * Plays the room's archive along the bound `media`: the URL of a read API
   * (`GET …/rooms/ROOM/comments`), or empty (`<danmaku-layer archive>`) for the one of the server
   * `src` names. The comments around the playhead are fetched in windows (ahead while playing, anew
   * after a seek), never the whole archive, and shown at their time; live comments still fly.
   * Setting it (or `media`, `src`, `room`) again takes effect at once. Default: none (no archive).
   */
  declare archive?: string | null;

  /**
   * How comments are drawn: `dom` (elements moved by the compositor; `::part(comment)`, hover and
   * click) or `canvas` (painted by a worker on a `<canvas>`: the page's main thread does no work per
   * frame; no `::part(comment)` nor `interactive`; falls back to `dom` without OffscreenCanvas).
   * Read when the layer first renders. Default `'dom'`.
   */
  renderer: 'dom' | 'canvas' = 'dom';

  /** Keywords (matched anywhere, ignoring case), regular expressions and `{ user: id }` (every comment of that user id) of comments not to show. Property only. Default `[]`. */
  blocklist: readonly BlockRule[] = [];

  /** Return `false` to leave a comment out. Property only. Default `null`. */
  filter: ((comment: LayerComment) => boolean) | null = null;

  /**
   * Credentials for a server that requires authentication: a JWT, or a function returning one
   * (called before every connection, so it can refresh an expired token). A property only, never
   * an attribute, so the token stays out of the DOM. Default: none.
   */
  token?: string | (() => string | Promise<string>);

  /** Connection state: `idle` (no `src`), `connecting`, `open` or `closed`. Read-only. */
  get status(): ConnectionStatus {
    return this.#link.status;
  }

  /** Sends that wait for the server's acknowledgement, including those queued while offline. Read-only. */
  get queued(): number {
    return this.#link.queued;
  }

  /**
   * Limits the server announced when the layer joined: `maxTextLength` (code points) and
   * `maxPayload` (bytes). The protocol's defaults until a server has said otherwise. Read-only.
   */
  get limits(): Limits {
    return this.#link.limits;
  }

  /** Viewers in the room, counted over every server instance; `undefined` until the server has said. Read-only. */
  get viewers(): number | undefined {
    return this.#link.room.viewers;
  }

  /** The room's slow mode: one comment per this many seconds per user; `0` when off. Read-only. */
  get slowMode(): number {
    return this.#link.room.slowMode || 0;
  }

  /**
   * `'moderator'` or `'admin'` when the layer's `token` grants that role: {@link retract} any comment,
   * {@link mute}, {@link unmute}, {@link setSlowMode} and {@link clearRoom} are allowed. `undefined`
   * otherwise and until connected. Read-only.
   */
  get userRole(): Role | undefined {
    return this.#link.room.role;
  }

  /** Seconds after posting during which authors may {@link retract} their own comment; `0`: never. Read-only. */
  get retractWindow(): number {
    return this.#link.room.retractWindow || 0;
  }

  /** Whether {@link pause} (or the bound media) stopped the comments. Read-only. */
  get paused(): boolean {
    return this.#stage?.paused ?? this.#userPaused;
  }

  /** Counters since the layer was created: `{ shown, dropped, merged, filtered, queued, onScreen }`. Read-only. */
  get stats(): DanmakuStats {
    const stage = this.#stage;
    return {
      shown: 0,
      dropped: 0,
      merged: 0,
      ...stage?.stats,
      queued: stage?.queued ?? 0,
      onScreen: stage?.onScreen ?? 0,
      filtered: this.#filtered,
    };
  }

  /** The connection to `src`: opened on the page, renewed when `src`, `room`, `last` or `token` change. */
  readonly #link = new ConnectionController(
    this,
    (comment, own) => this.#show({ ...comment, own } as LocalComment),
    (seqs, clear) => this.#remove((c) => c.seq! > 0 && (clear ? c.seq! <= seqs[0] : seqs.includes(c.seq!))),
  );
  #stage?: Stage;
  /** The element comments are drawn in (the `stage` part). */
  #stageRoot!: HTMLElement;
  /** Counters of every stage this layer had (a stage ends when the layer leaves the page). */
  readonly #counts = { shown: 0, dropped: 0, merged: 0 };
  /** Counts stages asked for: a canvas renderer that arrives for an earlier one is let go. */
  #generation = 0;
  #resizeObserver?: ResizeObserver;
  /** Lays the layer over the element `for` names. */
  readonly #follow = new FollowController(
    this,
    (box) => this.#stage?.resize(box.width, box.height),
    (error) => this.#failed(error),
  );
  #filtered = 0;
  #thinner = new Thinner();
  /** Comments given to {@link load}, sorted by `time`. */
  #timed: LayerComment[] = [];
  /** Follows the bound `<video>`/`<audio>` and shows the comments of {@link load} at their time. */
  readonly #media = new MediaController<LayerComment>(
    this,
    this.#timed,
    {
      show: (comment) => this.#show(comment),
      pause: (paused) => {
        this.#mediaPaused = paused;
        this.#applyPause();
      },
      rate: (rate) => {
        this.#mediaRate = rate;
        this.#followRate();
      },
      seek: () => this.clear(),
    },
    (error) => this.#failed(error),
  );
  #userPaused = false;
  /** The bound media's playback rate, which the stage follows unless `ignoreRate`. */
  #mediaRate = 1;
  /** Comments that came while the canvas renderer was loading. */
  #early?: LocalComment[];
  #mediaPaused = false;
  #motion?: MediaQueryList;
  #onMotion = (): void => this.#applyOptions();
  #onVisibility = (): void => {
    // The layer's own document: in a picture-in-picture window it stays seen while the page's tab is hidden.
    if (this.ownerDocument.visibilityState === 'hidden') this.#stage?.flush('hidden');
    // Comments that fell due while hidden are skipped, not shown all at once.
    else this.#media.skip();
  };
  /** Lets a hovered comment go; there once the interaction module has arrived. */
  #unhover?: () => void;
  #interaction?: Promise<void>;
  /** Reads shown comments to screen readers while `announce` is set. */
  readonly #announcer = new AnnounceController(this, (error) => this.#failed(error));

  /**
   * Sends a comment to everyone in the room (the sender included: it shows when it comes back).
   * Resolves with the server's receipt; rejects with a `DanmakuError` whose `code` says why
   * (`too_long`, `rate_limited`, `timeout`, `queue_full`, `closed`, …). While a `media` is bound, the
   * comment carries its current time (`time`) unless `options.time` says otherwise.
   *
   * @example
   * await layer.send('好!', { color: '#ff5555', mode: 'top' });
   */
  send(text: string, options: SendOptions = {}): Promise<SendReceipt> {
    // With a media bound, the comment belongs to the moment the viewer saw: its media time.
    return this.#link.send(text, { time: this.#media.time, ...options });
  }

  /**
   * Takes a comment back: it leaves every screen, the room's history and the archive. Moderators
   * may retract any comment; authors their own, within {@link retractWindow} seconds of posting.
   * Resolves when the server has done it; rejects with a `DanmakuError`: `forbidden` (not allowed,
   * or the window is over), `not_found` (no such comment, or already gone), `timeout`, `closed`, ….
   *
   * @example
   * layer.addEventListener('danmaku-comment-click', (e) => layer.retract(e.detail.comment.seq));
   */
  retract(seq: number): Promise<void> {
    return this.#link.request({ type: 'retract', seq });
  }

  /**
   * Flags a comment for the room's moderators, with a few words of why (at most 200 characters).
   * Once per viewer and comment. Resolves when the server has counted it; rejects with a
   * `DanmakuError` (`not_found`, `rate_limited`, …).
   */
  report(seq: number, reason?: string): Promise<void> {
    return this.#link.request({ type: 'report', seq, reason });
  }

  /**
   * Moderators: stops a user's comments for `duration` seconds (1 s to 30 days), in this room or,
   * with `everywhere`, in every room; their sends fail with `forbidden` and the time left. The user
   * is named by id (`{ user }`) or as the author of a comment (`{ seq }`). Rejects with a
   * `DanmakuError` (`forbidden` without the role, `not_found`, `invalid`, …).
   *
   * @example
   * await layer.mute({ seq: comment.seq }, 600);
   */
  mute(target: MuteTarget, duration: number, options: MuteOptions = {}): Promise<void> {
    return this.#link.request({ type: 'mute', ...target, duration, ...options });
  }

  /** Moderators: lifts a {@link mute} (the same target, and `everywhere` for a mute in every room). */
  unmute(target: MuteTarget, options: MuteOptions = {}): Promise<void> {
    return this.#link.request({ type: 'unmute', ...target, ...options });
  }

  /** Moderators: one comment per `interval` seconds per user in the room (up to 3600); `0` turns slow mode off. */
  setSlowMode(interval: number): Promise<void> {
    return this.#link.request({ type: 'slow_mode', interval });
  }

  /**
   * Moderators: clears the room: every comment so far leaves every screen and the history. Unlike
   * {@link clear}, which empties this layer's stage only.
   */
  clearRoom(): Promise<void> {
    return this.#link.request({ type: 'clear' });
  }

  /**
   * Shows a comment locally, without the network: for recorded comments, custom feeds and tests.
   * Returns `false` when it was left out (empty, filtered, or the page is hidden); `true` when it
   * is on the stage or waiting for room.
   *
   * @example
   * layer.add({ text: 'hello', color: '#ffcc00', mode: 'bottom' });
   */
  add(comment: LocalComment): boolean {
    return this.#show(comment);
  }

  /**
   * Keeps time-coded comments (those with a `time`, in seconds) to show at that time of the bound
   * `media`. Adds to what was loaded before; at most 50,000 are kept (the earliest by time).
   * Returns how many were not kept (no valid `time`, or over the limit).
   *
   * Also takes the text of an archive file: bilibili XML (`<d p="time,mode,size,color,…">`) or
   * DPlayer v3 JSON (`{"data":[[time, type, color, author, text], …]}`), mapped and validated as
   * the server's `import` does (advanced bilibili modes and invalid entries count as not kept); the
   * reader is fetched on first use, so the result is then a promise.
   *
   * @example
   * layer.load(await (await fetch('/comments/talk.json')).json());
   * await layer.load(await (await fetch('/comments/talk.xml')).text());
   */
  load(comments: Iterable<LocalComment>): number;
  load(archive: string): Promise<number>;
  load(comments: Iterable<LocalComment> | string): number | Promise<number> {
    if (typeof comments == 'string')
      return loadFormats().then(({ readArchiveText }) => {
        const [read, left] = readArchiveText(comments, this.limits.maxTextLength);
        return left + this.load(read);
      });
    const left = addTimed(this.#timed, comments as Iterable<LayerComment>, MAX_STORED);
    this.#media.reload();
    return left;
  }

  /** Forgets the comments given to {@link load}. */
  unload(): void {
    this.#timed.length = 0;
  }

  /** Removes every comment on screen and every comment waiting for room, on this layer only (see {@link clearRoom}). */
  clear(): void {
    this.#stage?.clear();
  }

  /** Freezes the comments where they are, until {@link resume}. */
  pause(): void {
    this.#userPaused = true;
    this.#applyPause();
  }

  /** Lets the comments go on from where {@link pause} froze them (unless the bound media is paused). */
  resume(): void {
    this.#userPaused = false;
    this.#applyPause();
  }

  /**
   * Moves the layer, with the media and everything else inside it, into a floating
   * picture-in-picture window, where the comments keep flying; it comes back when the window
   * closes. Needs the Document Picture-in-Picture API (Chromium 116+ on desktop) and a user gesture;
   * elsewhere rejects with a `DanmakuError` of code `unsupported`. For fullscreen, the element's own
   * `requestFullscreen()` shows the media and the comments together.
   *
   * @example
   * pipButton.onclick = () => layer.requestPictureInPicture().catch(() => video.requestPictureInPicture());
   */
  requestPictureInPicture(): Promise<void> {
    return loadInteraction().then(({ pictureInPicture }) => pictureInPicture(this));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#resizeObserver = new ResizeObserver(() => this.#measure());
    this.#motion = matchMedia('(prefers-reduced-motion: reduce)');
    this.#motion.addEventListener('change', this.#onMotion);
    document.addEventListener('visibilitychange', this.#onVisibility);
    if (this.hasUpdated) this.#createStage();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // Off the page nothing is seen: the stage and its renderer (its worker) end; a reconnected
    // layer starts with an empty one.
    this.#generation++;
    this.#stage?.dispose();
    this.#stage = undefined;
    this.#early = undefined;
    this.#resizeObserver?.disconnect();
    this.#motion?.removeEventListener('change', this.#onMotion);
    document.removeEventListener('visibilitychange', this.#onVisibility);
  }

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = super.createRenderRoot();
    const slot = document.createElement('slot');
    slot.addEventListener('slotchange', () => this.#media.bind());
    const stage = (this.#stageRoot = document.createElement('div'));
    stage.className = 'stage';
    stage.setAttribute('part', 'stage');
    stage.setAttribute('aria-hidden', 'true');
    root.append(slot, stage);
    // The wrapped video going fullscreen alone would leave the comments behind (features/fullscreen.ts).
    this.addEventListener(
      'fullscreenchange',
      () =>
        void loadInteraction().then(
          ({ fullscreenChanged }) => fullscreenChanged(this, stage, () => this.#stage),
          (error: DanmakuError) => this.#failed(error),
        ),
    );
    return root;
  }

  protected override firstUpdated(): void {
    this.#createStage();
  }

  /** Reports an optional part that could not be loaded; the layer goes on without it. */
  #failed(error: DanmakuError): void {
    emit(this, 'danmaku-error', { error });
  }

  /**
   * Makes the stage with the renderer asked for: the canvas one (loaded on first use) where it can
   * run, else the DOM one; after the viewer's saved settings when they are on their way (`stageGate`).
   * Comments that come meanwhile wait.
   */
  #createStage(): void {
    const root = this.#stageRoot;
    const clock = Clock.of(this.ownerDocument);
    const generation = ++this.#generation;
    const start = (renderer?: Renderer | void | false): void => {
      // A canvas renderer that arrives for a stage no longer wanted is let go.
      if (generation !== this.#generation) {
        if (renderer) renderer.dispose();
        return;
      }
      this.#start(new Stage(renderer || new DomRenderer(root, clock), clock, this.#options(), this.#counts));
    };
    const canvas =
      this.renderer === 'canvas' &&
      loadCanvas()
        .then(({ canvasRenderer }) => canvasRenderer(root, clock))
        .catch((error: DanmakuError) => this.#failed(error));
    if (!canvas && !stageGate.until) return start();
    this.#early = [];
    void Promise.all([canvas, stageGate.until]).then(([renderer]) => start(renderer));
  }

  #start(stage: Stage): void {
    stage.onDrop = (comments, reason: DropReason) =>
      emit(this, 'danmaku-drop', { comment: comments[0], comments, reason });
    stage.onShow = (comment) => this.#announcer.shown(comment.text);
    this.#stage = stage;
    this.#applyPause();
    this.#resizeObserver?.observe(this);
    this.#measure();
    const early = this.#early;
    this.#early = undefined;
    early?.forEach((comment) => this.#show(comment));
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('opacity')) {
      this.#stageRoot.style.setProperty('opacity', `calc(var(--danmaku-opacity) * ${Number(this.opacity)})`);
    }
    this.#applyOptions();
    if (changed.has('ignoreRate')) this.#followRate();
    if (changed.has('interactive')) {
      if (!this.interactive) this.#unhover?.();
      // Loaded on first use: most layers are click-through and never need it.
      else if (!this.#interaction)
        this.#interaction = loadInteraction().then(
          ({ interact }) => {
            this.#unhover = interact(this, () => this.#stage, this.#stageRoot);
          },
          (error: DanmakuError) => {
            // Turning `interactive` on again tries again.
            this.#interaction = undefined;
            this.#failed(error);
          },
        );
    }
  }

  #options() {
    return {
      speed: this.speed,
      duration: this.duration,
      fixedDuration: this.fixedDuration,
      reverse: this.reverse,
      area: this.area,
      fontScale: this.fontScale,
      maxWait: this.maxWait,
      maxQueue: this.maxQueue,
      merge: this.merge,
      reducedMotion: this.#motion?.matches ?? false,
    };
  }

  #applyOptions(): void {
    const stage = this.#stage;
    if (!stage) return;
    stage.options = this.#options();
    const style = getComputedStyle(this.#stageRoot);
    const px = (name: string, fallback: number): number => {
      const value = parseFloat(style.getPropertyValue(name));
      return Number.isFinite(value) ? value : fallback;
    };
    // `auto` (no number): 0, the size follows the stage.
    stage.fontSize = px('--danmaku-font-size', 0);
    stage.gap = px('--danmaku-gap', 24);
    stage.laneGap = px('--danmaku-lane-gap', 0);
    stage.fontWeight = style.fontWeight;
    stage.fontFamily = style.fontFamily;
  }

  /** Runs the stage at the media's playback rate, or at 1 with `ignoreRate`. */
  #followRate(): void {
    if (this.#stage) this.#stage.rate = this.ignoreRate ? 1 : this.#mediaRate;
  }

  #applyPause(): void {
    if (this.#userPaused || this.#mediaPaused) this.#stage?.pause();
    else this.#stage?.resume();
  }

  #show(input: LocalComment): boolean {
    const early = this.#early;
    if (early) return early.length < this.maxQueue && !!early.push(input);
    const stage = this.#stage;
    const text = normalizeText(String(input.text ?? ''));
    if (!stage || !text) return false;
    const comment: LayerComment = {
      ...input,
      text,
      color: input.color ?? '#ffffff',
      mode: input.mode ?? CommentMode.Scroll,
      size: input.size ?? CommentSize.Medium,
      own: (input as LayerComment).own ?? false,
    };
    if (this.ownerDocument.visibilityState === 'hidden') {
      stage.drop([comment], 'hidden');
      return false;
    }
    if (
      // Removing the attribute sets null (the whole chain then reads undefined).
      isHidden(this.hideModes, comment.mode, comment.color) ||
      isBlocked(text, this.blocklist, comment.user?.id) ||
      (this.filter && !this.filter(comment)) ||
      !this.#thinner.pass(this.density)
    ) {
      this.#filtered++;
      return false;
    }
    stage.add(comment);
    return true;
  }

  /** Takes the comments `match` selects off the stage, out of the waiting line and out of the stored ones. */
  #remove(match: (comment: LayerComment) => boolean): void {
    this.#stage?.remove(match);
    this.#early = this.#early?.filter((c) => !match(c as LayerComment));
    // In place: the media's play cursor reads the same array.
    const timed = this.#timed;
    let kept = 0;
    for (const comment of timed) if (!match(comment)) timed[kept++] = comment;
    if (kept === timed.length) return;
    timed.length = kept;
    this.#media.reload();
  }

  #measure(): void {
    const box = (this.#follow.target ?? this).getBoundingClientRect();
    // A layer inside a display:none ancestor measures 0×0: keep the last size rather than lose lanes.
    if (box.width === 0 && box.height === 0) return;
    this.#stage?.resize(box.width, box.height);
    this.#applyOptions();
  }
}
