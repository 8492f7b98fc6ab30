/**
 * The `DanmakuComposer` class: an input bound to a `<danmaku-layer>` that sends comments through it.
 * Registration of the tag lives in `danmaku-composer.ts`; this file has no side effects.
 */
import { LitElement, html, type PropertyDeclarations, type PropertyValues } from 'lit';
import { CommentMode, CommentSize, DEFAULT_LIMITS, ErrorCode, normalizeText, textLength } from './protocol.js';
import { loadOutbox } from './connection/load-outbox.js';
import { ConnectionStatus } from './connection/connection-status.js';
import { DanmakuError } from './connection/danmaku-error.js';
import type { SendReceipt } from './connection/outbox.js';
import type { DanmakuLayer } from './danmaku-layer.component.js';
import { emit } from './events.js';
import { composerStyles } from './danmaku-composer.styles.js';
import { composerStringsFor, type ComposerStrings } from './danmaku-composer.strings.js';

/** The layer's events the composer redraws on. */
const LAYER_EVENTS = ['danmaku-status', 'danmaku-presence', 'danmaku-slow-mode'] as const;

/**
 * `seconds` from now in words of `lang`, e.g. `in 10 minutes`, in whole minutes, hours or days
 * (rounded up), so that a live region that reads it is not told every second.
 */
function timeLeft(seconds: number, lang: string | undefined): string {
  const [n, unit] =
    seconds <= 3600 ? [seconds / 60, 'minute'] : seconds <= 86400 ? [seconds / 3600, 'hour'] : [seconds / 86400, 'day'];
  return new Intl.RelativeTimeFormat(lang, { numeric: 'always' }).format(
    Math.ceil(n),
    unit as Intl.RelativeTimeFormatUnit,
  );
}

/**
 * A ready-made comment box for a `<danmaku-layer>`: type, press Enter, and the comment flies.
 * While the layer is reconnecting, comments wait in the layer's offline queue (shown in the
 * feedback line) and go out when it is back. The input is disabled when the layer has no server
 * (`idle`) or is closed. A rate-limited send puts its text back and counts down on the button; so
 * does every send while the room is in slow mode. A muted viewer is told how long is left. The
 * room's viewer count shows once the server has said it, in the page's language (`lang`).
 *
 * @summary An input bound to a layer (by `for` id or the `layer` property): colour, mode and size pickers, a character counter with the server's limit, the offline queue and clear feedback.
 *
 * @fires danmaku-sent - The server acknowledged a comment. `detail`: `{ text, receipt: { id, seq } }`.
 * @fires danmaku-send-error - A comment failed. `detail`: `{ text, error }`, `error.code` as in `DanmakuError`.
 *
 * @csspart form - The row holding every control.
 * @csspart input - The text input.
 * @csspart color - The colour picker (`<input type="color">`).
 * @csspart mode - The mode picker (`<select>`: scroll, top, bottom).
 * @csspart size - The size picker (`<select>`: small, medium, large).
 * @csspart counter - The character counter, e.g. `12/100`.
 * @csspart over - Added to the counter while the text is over the limit.
 * @csspart button - The send button.
 * @csspart viewers - The room's viewer count, e.g. `1,234 watching` (absent until the server has said).
 * @csspart feedback - The line under the row: offline queue, errors, confirmations (a polite live region).
 *
 * @cssproperty --danmaku-composer-background - Background of the composer. Default `light-dark(#f6f7f9, #1f2329)`: it follows the page's `color-scheme`.
 * @cssproperty --danmaku-composer-field - Background of the input and pickers. Default `light-dark(#fff, #15181d)`.
 * @cssproperty --danmaku-composer-color - Text colour. Default `light-dark(#1f2329, #f1f3f5)`.
 * @cssproperty --danmaku-composer-muted - Placeholder and character counter. Default `light-dark(#5b616b, #aab1bc)`.
 * @cssproperty --danmaku-composer-border - Borders of the input and pickers. Default `light-dark(#7a808a, #858c97)`.
 * @cssproperty --danmaku-composer-accent - Send button and focus ring. Default `light-dark(#0a6cb0, #4cc2ff)`.
 * @cssproperty --danmaku-composer-accent-text - Text of the send button. Default `light-dark(#fff, #0b1a24)`.
 * @cssproperty --danmaku-composer-error - Errors and the over-limit counter. Default `light-dark(#c42b2b, #ff8a8a)`.
 * @cssproperty --danmaku-composer-radius - Corner radius of the composer and its controls. Default `6px`.
 * @cssproperty --danmaku-composer-gap - Space between and around controls. Default `6px`.
 * @cssproperty --danmaku-composer-font - Font shorthand of the composer. Default: `400 15px/1.4` in the system UI font.
 *
 * Every default colour pair reaches WCAG AA contrast (text 4.5:1, borders and focus ring 3:1) in
 * the light and the dark scheme; check yours if you change them.
 *
 * @example
 * <danmaku-layer id="live" src="wss://example.com/ws" room="lobby"><video src="talk.mp4"></video></danmaku-layer>
 * <danmaku-composer for="live"></danmaku-composer>
 */
export class DanmakuComposer extends LitElement {
  static override styles = composerStyles;
  static override shadowRootOptions: ShadowRootInit = { ...LitElement.shadowRootOptions, delegatesFocus: true };
  static override properties: PropertyDeclarations = {
    htmlFor: { attribute: 'for', reflect: true },
    layer: { attribute: false },
    value: {},
    color: {},
    mode: {},
    size: {},
    placeholder: {},
    label: {},
    disabled: { type: Boolean, reflect: true },
    strings: { attribute: false },
  };

  /**
   * Id of the `<danmaku-layer>` to send through, looked up in the composer's document or shadow root.
   * @attr for
   */
  htmlFor = '';

  /**
   * The text being typed. Cleared when a comment is sent; put back when the send fails in a way
   * the viewer can fix (too long, rate limited, rejected, …).
   * @attr value
   */
  value = '';

  /**
   * Colour of the comments, `#rrggbb`. Default `'#ffffff'`.
   * @attr color
   */
  color = '#ffffff';

  /**
   * Mode of the comments: `scroll`, `top` or `bottom`. Default `'scroll'`.
   * @attr mode
   */
  mode: CommentMode = CommentMode.Scroll;

  /**
   * Size of the comments: `small`, `medium` or `large`. Default `'medium'`.
   * @attr size
   */
  size: CommentSize = CommentSize.Medium;

  /**
   * Placeholder of the text input. Default: the shipped text of the page's language
   * (`'Say something…'` in English; see {@link strings}).
   * @attr placeholder
   */
  placeholder?: string;

  /**
   * Accessible name of the text input (visually hidden). Default: the shipped text of the page's
   * language (`'Comment'` in English; see {@link strings}).
   * @attr label
   */
  label?: string;

  /**
   * Disables the composer whatever the connection state. Default `false`.
   * @attr disabled
   */
  disabled = false;

  /**
   * Texts to use instead of the shipped ones, e.g. `{ send: 'Envoyer', sent: 'Envoyé.' }`; see
   * `ComposerStrings` for every key. Without it the texts follow the nearest `lang` attribute:
   * English, Simplified Chinese (`zh`) or Japanese (`ja`). Give a new object to change them.
   * Default `{}`.
   */
  strings: Partial<ComposerStrings> = {};

  /** The layer comments are sent through: set it directly, or let `for` find it. `null` when none. */
  get layer(): DanmakuLayer | null {
    return this.#layer;
  }
  set layer(layer: DanmakuLayer | null) {
    this.#explicit = layer != null;
    this.#bind(layer ?? this.#lookup());
  }

  /** Longest comment the server accepts, in code points (from the layer's `limits`). Read-only. */
  get maxLength(): number {
    return this.#layer?.limits?.maxTextLength ?? DEFAULT_LIMITS.maxTextLength;
  }

  /** Length of the typed text as the server counts it: code points after normalisation. Read-only. */
  get length(): number {
    return textLength(normalizeText(this.value));
  }

  /** Milliseconds until a rate-limited, slowed-down or muted viewer may send again; `0` when free to send. Read-only. */
  get retryIn(): number {
    return Math.max(0, this.#retryAt - Date.now());
  }

  #layer: DanmakuLayer | null = null;
  #explicit = false;
  /** The last send was acknowledged (and nothing was typed since). */
  #sent = false;
  /** The last send failed, and how; cleared by typing or sending. */
  #failure?: DanmakuError;
  #retryAt = 0;
  /** The wait is a mute: the feedback says how long, the button does not count seconds. */
  #muted = false;
  #timer?: ReturnType<typeof setTimeout>;
  #changed = (): void => this.requestUpdate();
  #lookAgain = (): void => {
    if (!this.#explicit) this.#bind(this.#lookup());
  };

  /**
   * Sends the typed text through the layer with the picked colour, mode and size. Does nothing
   * (resolves `undefined`) when the text is empty or too long, while rate limited, or when there is
   * no usable layer. Never rejects: a failure shows in the feedback line and fires `danmaku-send-error`.
   *
   * @example
   * composer.value = 'hello';
   * const receipt = await composer.send();
   */
  async send(): Promise<SendReceipt | undefined> {
    const layer = this.#layer;
    const text = this.value;
    const length = this.length;
    if (!layer || !this.#usable() || length === 0 || length > this.maxLength || this.retryIn > 0) return undefined;
    this.value = '';
    this.#sent = false;
    this.#failure = undefined;
    // The layer counts this send in `queued` at once; show it before the ack arrives.
    const sending = layer.send(text, { color: this.color, mode: this.mode, size: this.size });
    this.requestUpdate();
    try {
      const receipt = await sending;
      this.#sent = true;
      // Slow mode: the server would refuse the next comment until then; count down instead.
      this.#wait(layer.slowMode * 1000, false);
      emit(this, 'danmaku-sent', { text, receipt });
      return receipt;
    } catch (caught) {
      const error = caught instanceof DanmakuError ? caught : new DanmakuError(ErrorCode.Internal, String(caught));
      this.#fail(error, text);
      emit(this, 'danmaku-send-error', { text, error });
      return undefined;
    } finally {
      this.requestUpdate();
    }
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Sending is what a composer is for: fetch the connection's sending code now (a module of its
    // own, connection/outbox.ts) rather than on the first Enter, and say so at once if it is missing.
    loadOutbox().catch((error: DanmakuError) => {
      this.#failure ??= error;
      this.requestUpdate();
    });
    if (!this.#explicit) this.#bind(this.#lookup());
    // Parsed before the layer it names: look again once the document is complete.
    if (!this.#layer && document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', this.#lookAgain, { once: true });
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
    document.removeEventListener('DOMContentLoaded', this.#lookAgain);
    this.#bind(null);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('htmlFor') && !this.#explicit && this.isConnected) this.#bind(this.#lookup());
  }

  protected override render() {
    const status = this.#status();
    const usable = this.#usable();
    const length = this.length;
    const max = this.maxLength;
    const over = length > max;
    const wait = Math.ceil(this.retryIn / 1000);
    const queued = this.#layer?.queued ?? 0;
    const lang = this.closest('[lang]')?.getAttribute('lang') || undefined;
    const shipped = composerStringsFor(lang ?? '');
    const t = { ...shipped, ...this.strings };
    const failure = this.#failure;
    const viewers = this.#layer?.viewers;
    const slow = this.#layer?.slowMode ?? 0;
    let feedback = failure ? ({ ...shipped.failures, ...t.failures }[failure.code] ?? failure.message) : '';
    if (this.#muted && wait > 0) feedback = t.muted(timeLeft(wait, lang));
    else if (!failure) {
      if (!this.#layer) feedback = t.noLayer;
      else if (status === ConnectionStatus.Connecting) feedback = queued > 0 ? t.offline(queued) : t.connecting;
      else if (status !== ConnectionStatus.Open) feedback = t.notConnected;
      else if (over) feedback = t.over(length - max);
      else if (this.#sent) feedback = t.sent;
      else if (slow > 0) feedback = t.slowMode(slow);
    }
    return html`<form part="form" @submit=${this.#onSubmit}>
        <label class="sr-only" for="text">${this.label ?? t.label}</label>
        <input
          id="text"
          part="input"
          .value=${this.value}
          placeholder=${this.placeholder ?? t.placeholder}
          autocomplete="off"
          enterkeyhint="send"
          aria-describedby="counter feedback"
          aria-invalid=${over}
          ?disabled=${!usable}
          @input=${this.#onInput}
          @keydown=${this.#onKeydown}
        />
        <input
          type="color"
          part="color"
          aria-label=${t.color}
          .value=${this.color}
          ?disabled=${!usable}
          @input=${(e: Event) => (this.color = (e.target as HTMLInputElement).value)}
        />
        <select part="mode" aria-label=${t.mode} ?disabled=${!usable} @change=${this.#onSelect('mode')}>
          ${Object.entries(t.modes).map(([v, text]) => html`<option value=${v} ?selected=${v === this.mode}>${text}</option>`)}
        </select>
        <select part="size" aria-label=${t.size} ?disabled=${!usable} @change=${this.#onSelect('size')}>
          ${Object.entries(t.sizes).map(([v, text]) => html`<option value=${v} ?selected=${v === this.size}>${text}</option>`)}
        </select>
        <span id="counter" part=${over ? 'counter over' : 'counter'}
          ><span aria-hidden="true">${length}/${max}</span><span class="sr-only">${t.counter(length, max)}</span></span
        >
        <button part="button" ?disabled=${!usable || over || length === 0 || wait > 0}>
          ${wait > 0 && !this.#muted ? t.wait(wait) : t.send}
        </button>
        ${
          viewers === undefined
            ? ''
            : html`<span part="viewers">${t.viewers(new Intl.NumberFormat(lang).format(viewers))}</span>`
        }
      </form>
      <p id="feedback" part="feedback" role="status" class=${failure || over ? 'error' : ''}>${feedback}</p>`;
  }

  #status(): ConnectionStatus {
    return this.#layer?.status ?? ConnectionStatus.Idle;
  }

  /** Sends are possible now, or will be queued until the layer reconnects. */
  #usable(): boolean {
    const status = this.#status();
    return !this.disabled && (status === ConnectionStatus.Open || status === ConnectionStatus.Connecting);
  }

  #lookup(): DanmakuLayer | null {
    if (!this.htmlFor || !this.isConnected) return null;
    const root = this.getRootNode() as Document | ShadowRoot;
    return (root.getElementById?.(this.htmlFor) as DanmakuLayer | null) ?? null;
  }

  #bind(layer: DanmakuLayer | null): void {
    if (layer === this.#layer) return;
    for (const type of LAYER_EVENTS) {
      this.#layer?.removeEventListener(type, this.#changed);
      layer?.addEventListener(type, this.#changed);
    }
    this.#layer = layer;
    this.requestUpdate();
  }

  #fail(error: DanmakuError, text: string): void {
    this.#failure = error;
    if (error.code === ErrorCode.RateLimited) this.#wait(error.retryAfter ?? 1000, false);
    // A muted sender: `forbidden` with the time left.
    if (error.code === ErrorCode.Forbidden && error.retryAfter) this.#wait(error.retryAfter, true);
    // Give the text back so it can be fixed or retried, unless something new was typed meanwhile.
    // After a timeout the comment may have been posted: a retry would post it twice.
    if (error.code !== ErrorCode.Timeout && !this.value) this.value = text;
  }

  /** Holds sending back for `ms` (a rate limit, slow mode, or a mute), counting down. */
  #wait(ms: number, muted: boolean): void {
    if (ms <= 0) return;
    this.#retryAt = Date.now() + ms;
    this.#muted = muted;
    this.#tick();
  }

  /** Redraws the countdown each second until the wait is over. */
  #tick = (): void => {
    clearTimeout(this.#timer);
    const left = this.retryIn;
    if (left > 0) this.#timer = setTimeout(this.#tick, left % 1000 || 1000);
    else {
      if (this.#failure?.code === ErrorCode.RateLimited || this.#muted) this.#failure = undefined;
      this.#muted = false;
    }
    this.requestUpdate();
  };

  #onInput(event: Event): void {
    this.value = (event.target as HTMLInputElement).value;
    if (this.#failure?.code !== ErrorCode.RateLimited && !this.#muted) this.#failure = undefined;
    this.#sent = false;
  }

  #onKeydown(event: KeyboardEvent): void {
    // Enter that confirms an IME composition (Chinese, Japanese, …) must not send.
    if (event.key !== 'Enter' || event.isComposing) return;
    event.preventDefault();
    void this.send();
  }

  #onSubmit(event: Event): void {
    event.preventDefault();
    void this.send();
  }

  #onSelect(name: 'mode' | 'size') {
    return (event: Event) => {
      (this as Record<typeof name, string>)[name] = (event.target as HTMLSelectElement).value;
    };
  }
}
