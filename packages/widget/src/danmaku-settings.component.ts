/**
 * The `DanmakuSettings` class: the viewer's own controls for a `<danmaku-layer>`, remembered in
 * `localStorage`. Registration of the tag lives in `danmaku-settings.ts`; this file has no side
 * effects.
 */
import { LitElement, html, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import type { DanmakuLayer } from './danmaku-layer.component.js';
import { emit } from './events.js';
import { settingsStyles } from './danmaku-settings.styles.js';
import { settingsStringsFor, type SettingsStrings } from './danmaku-settings.strings.js';
import { DEFAULT_STORAGE_KEY, changedElsewhere, loadSettings, saveSettings } from './settings/storage.js';
import {
  AREAS,
  HIDE_TOKENS,
  MAX_RULES,
  applyBlockRules,
  applySettings,
  areaOf,
  changedFrom,
  isViewerBlockRule,
  layerValues,
  readSettings,
  type LayerDefaults,
  type PlainSetting,
  type ViewerBlockRule,
  type ViewerSettings,
} from './settings/viewer-settings.js';

/**
 * The page's own values of each layer, taken the first time a settings element binds to it,
 * before any viewer choice is applied: what "reset to defaults" goes back to, shared by every
 * settings element of that layer.
 */
const pageDefaults = new WeakMap<DanmakuLayer, LayerDefaults>();

/** A slider of the panel: the layer property it sets, its range and how its value reads. */
interface Slider {
  key: 'opacity' | 'speed' | 'fontScale' | 'density';
  min: number;
  max: number;
  step: number;
  text: (t: SettingsStrings, value: number) => string;
}

const percent = (t: SettingsStrings, value: number) => t.percent(value);
const SLIDERS: Slider[] = [
  { key: 'opacity', min: 0.1, max: 1, step: 0.05, text: percent },
  { key: 'speed', min: 40, max: 400, step: 20, text: (t, value) => t.speedValue(value) },
  { key: 'fontScale', min: 0.5, max: 2, step: 0.1, text: percent },
  { key: 'density', min: 0.1, max: 1, step: 0.1, text: percent },
];

const GEAR = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <circle cx="12" cy="12" r="3" />
  <path
    d="M19.4 15a1.65 1.65 0 0 0 .33 1.82l.06.06a2 2 0 1 1-2.83 2.83l-.06-.06a1.65 1.65 0 0 0-1.82-.33 1.65 1.65 0 0 0-1 1.51V21a2 2 0 1 1-4 0v-.09A1.65 1.65 0 0 0 9 19.4a1.65 1.65 0 0 0-1.82.33l-.06.06a2 2 0 1 1-2.83-2.83l.06-.06a1.65 1.65 0 0 0 .33-1.82 1.65 1.65 0 0 0-1.51-1H3a2 2 0 1 1 0-4h.09A1.65 1.65 0 0 0 4.6 9a1.65 1.65 0 0 0-.33-1.82l-.06-.06a2 2 0 1 1 2.83-2.83l.06.06a1.65 1.65 0 0 0 1.82.33H9a1.65 1.65 0 0 0 1-1.51V3a2 2 0 1 1 4 0v.09a1.65 1.65 0 0 0 1 1.51 1.65 1.65 0 0 0 1.82-.33l.06-.06a2 2 0 1 1 2.83 2.83l-.06.06a1.65 1.65 0 0 0-.33 1.82V9a1.65 1.65 0 0 0 1.51 1H21a2 2 0 1 1 0 4h-.09a1.65 1.65 0 0 0-1.51 1z"
  />
</svg>`;

const BUBBLE = html`<svg viewBox="0 0 24 24" aria-hidden="true">
  <path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z" />
  <path class="on" d="M7 8h10M7 12h6" />
  <path class="off" d="M3 3l18 18" />
</svg>`;

/**
 * The viewer's own controls for a `<danmaku-layer>`, the panel every danmaku player has: an on/off
 * button, and a gear button that opens a panel with show/hide, opacity, speed, text size, display
 * area, density, hidden modes (scrolling, top, bottom, coloured), keeping subtitles clear,
 * following the playback speed, a block list (words, `/expressions/`, user ids) and "reset to
 * defaults". Each control sets the layer's own property (`hidden`, `opacity`, `speed`,
 * `fontScale`, `area`, `density`, `hideModes`, `ignoreRate`, `blocklist`; keeping subtitles clear caps `area`), so the
 * page can still set any of them in code.
 *
 * The viewer's choices are kept in `localStorage` under `storage-key` and applied to the layer
 * when the element binds to it: with the script-tag bundle, before the layer places its first
 * comment. Only what differs from the page's values is kept; a stored value that is malformed or
 * not ours is ignored. A change made in another tab of the site (under the same key) is applied
 * here at once.
 *
 * The panel is a popover next to the gear button (above or below it, as room allows). Enter or
 * Space on the gear opens it; Escape or the close button closes it and gives the focus back; Tab
 * stays inside it while it is open. Texts follow the nearest `lang` (English, Simplified Chinese
 * and Japanese are shipped) unless `strings` gives others.
 *
 * @summary A gear button with a settings panel, and an on/off button, for a layer (by `for` id or the `layer` property); the viewer's choices persist in localStorage.
 *
 * @fires danmaku-settings-change - The viewer changed a setting (or reset them), here or in another tab of the site with the same `storage-key`. `detail.settings`: what they chose, only the fields that differ from the page's values; keep it elsewhere (a user account) and give it back with the `value` property.
 *
 * @csspart toggle - The on/off button (`aria-pressed` is whether comments show).
 * @csspart button - The gear button that opens the panel.
 * @csspart panel - The panel (a popover; `role="dialog"`).
 * @csspart close - The panel's close button.
 * @csspart reset - The "reset to defaults" button.
 * @csspart status - The line that announces block-list changes, errors and resets (a polite live region).
 *
 * @cssproperty --danmaku-settings-background - Background of the panel. Default `light-dark(#f6f7f9, #1f2329)`: it follows the page's `color-scheme`.
 * @cssproperty --danmaku-settings-field - Background of the inputs and buttons in the panel. Default `light-dark(#fff, #15181d)`.
 * @cssproperty --danmaku-settings-color - Text colour of the panel. Default `light-dark(#1f2329, #f1f3f5)`. The two buttons take the colour of the page (`currentColor`), to sit in any control bar.
 * @cssproperty --danmaku-settings-muted - Values and placeholders. Default `light-dark(#5b616b, #aab1bc)`.
 * @cssproperty --danmaku-settings-border - Borders. Default `light-dark(#7a808a, #858c97)`.
 * @cssproperty --danmaku-settings-accent - Sliders, checkboxes and the focus ring. Default `light-dark(#0a6cb0, #4cc2ff)`.
 * @cssproperty --danmaku-settings-error - Errors. Default `light-dark(#c42b2b, #ff8a8a)`.
 * @cssproperty --danmaku-settings-radius - Corner radius. Default `6px`.
 * @cssproperty --danmaku-settings-font - Font shorthand of the panel. Default: `400 14px/1.4` in the system UI font.
 *
 * @example
 * <danmaku-layer id="live" src="wss://example.com/ws" room="lobby"><video src="talk.mp4"></video></danmaku-layer>
 * <danmaku-settings for="live"></danmaku-settings>
 */
export class DanmakuSettings extends LitElement {
  static override styles = settingsStyles;
  static override properties: PropertyDeclarations = {
    htmlFor: { attribute: 'for', reflect: true },
    storageKey: { attribute: 'storage-key' },
    open: { type: Boolean, reflect: true },
    layer: { attribute: false },
    strings: { attribute: false },
  };

  /**
   * Id of the `<danmaku-layer>` to control, looked up in the element's document or shadow root.
   * @attr for
   */
  htmlFor = '';

  /**
   * The `localStorage` key the viewer's choices are kept under. Two players on one site share
   * their settings when they use the same key, in one tab or across tabs (a change in one applies
   * in the others at once). An empty key keeps nothing (the page may keep them
   * itself from `danmaku-settings-change`). Default `'danmaku-settings'`.
   * @attr storage-key
   */
  storageKey = DEFAULT_STORAGE_KEY;

  /**
   * Whether the panel is open. Set it to open or close the panel from code.
   * @attr open
   */
  open = false;

  /**
   * Texts to use instead of the shipped ones, e.g. `{ settings: 'Réglages' }`; see
   * `SettingsStrings` for every key. Without it the texts follow the nearest `lang` attribute:
   * English, Simplified Chinese (`zh`) or Japanese (`ja`). Give a new object to change them.
   * Default `{}`.
   */
  strings: Partial<SettingsStrings> = {};

  /** The layer controlled: set it directly, or let `for` find it. `null` when none. */
  get layer(): DanmakuLayer | null {
    return this.#layer;
  }
  set layer(layer: DanmakuLayer | null) {
    this.#explicit = layer != null;
    this.#bind(layer ?? this.#lookup());
  }

  /**
   * The viewer's choices: only the fields that differ from the page's values (a copy). Setting it
   * (e.g. with what a user account kept) applies the valid fields to the layer, in place of the
   * current choices, and stores them; invalid fields are ignored.
   */
  get value(): ViewerSettings {
    return structuredClone(this.#value);
  }
  set value(value: ViewerSettings) {
    this.#adopt(readSettings(value));
    this.#save();
  }

  #layer: DanmakuLayer | null = null;
  #explicit = false;
  #value: ViewerSettings = {};
  /** The key the current value was read from, so that a new key reads again. */
  #loadedKey?: string;
  /** The last thing announced or the block-list error, shown in the status line. */
  #status = '';
  #invalid = false;
  #lookAgain = (): void => {
    if (!this.#explicit) this.#bind(this.#lookup());
  };
  /** The viewer changed the settings in another tab of the site: this one follows. */
  #onStorage = (event: StorageEvent): void => {
    const settings = changedElsewhere(event, this.storageKey);
    if (!settings) return;
    this.#adopt(settings);
    emit(this, 'danmaku-settings-change', { settings: this.value });
  };

  /**
   * Takes `settings` (already read) as the viewer's choices and applies them. What is stored under
   * the key no longer counts, even if no layer is bound yet.
   */
  #adopt(settings: ViewerSettings): void {
    this.#loadedKey = this.storageKey;
    this.#value = settings;
    this.#applyAll();
  }

  /** Opens the panel. */
  show(): void {
    this.open = true;
  }

  /** Closes the panel. */
  hide(): void {
    this.open = false;
  }

  /**
   * Forgets every choice of the viewer: the layer goes back to the page's values, the stored
   * settings are removed, and `danmaku-settings-change` fires.
   */
  reset(): void {
    this.#value = {};
    this.#applyAll();
    this.#committed(this.#strings().resetDone);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('storage', this.#onStorage);
    if (!this.#explicit) this.#bind(this.#lookup());
    // Parsed before the layer it names: look again once the document is complete.
    if (!this.#layer && document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', this.#lookAgain, { once: true });
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('storage', this.#onStorage);
    document.removeEventListener('DOMContentLoaded', this.#lookAgain);
    this.#bind(null);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('htmlFor') && !this.#explicit && this.isConnected) this.#bind(this.#lookup());
    if (changed.has('storageKey') && this.#layer && this.#loadedKey !== this.storageKey) this.#load();
  }

  protected override updated(changed: PropertyValues<this>): void {
    const panel = this.#panel();
    if (!changed.has('open') || !panel?.isConnected) return;
    if (this.open !== panel.matches(':popover-open')) {
      if (this.open) panel.showPopover();
      else panel.hidePopover();
    }
  }

  protected override render(): TemplateResult {
    const t = this.#strings();
    const layer = this.#layer;
    const values = layer ? this.#current(layer) : undefined;
    return html`<button
        part="toggle"
        type="button"
        aria-label=${t.toggle}
        title=${t.toggle}
        aria-pressed=${values ? String(!values.hidden) : 'false'}
        ?disabled=${!layer}
        @click=${() => values && this.#set('hidden', !values.hidden)}
      >
        ${BUBBLE}</button
      ><button
        part="button"
        type="button"
        popovertarget="panel"
        aria-haspopup="dialog"
        aria-label=${t.settings}
        title=${t.settings}
      >
        ${GEAR}
      </button>
      <div
        id="panel"
        part="panel"
        popover
        role="dialog"
        aria-labelledby="title"
        @beforetoggle=${this.#onBeforeToggle}
        @toggle=${this.#onToggle}
        @keydown=${this.#onKeydown}
      >
        <header>
          <h2 id="title">${t.settings}</h2>
          <button part="close" type="button" @click=${() => this.hide()}>${t.close}</button>
        </header>
        ${values ? this.#controls(t, values) : html`<p class="muted">${t.noLayer}</p>`}
        <p id="status" part="status" role="status" class=${this.#invalid ? 'error' : ''}>${this.#status}</p>
      </div>`;
  }

  /** What the panel shows: the layer as it is now (the page may have set it in code), with the viewer's area. */
  #current(layer: DanmakuLayer): LayerDefaults & { clearBottom: boolean } {
    const clearBottom = this.#value.clearBottom ?? false;
    const values = layerValues(layer);
    // Kept above the subtitles, the layer's area is not the one chosen.
    return {
      ...values,
      area: clearBottom ? (this.#value.area ?? this.#defaults(layer).area) : values.area,
      clearBottom,
    };
  }

  #controls(t: SettingsStrings, values: LayerDefaults & { clearBottom: boolean }): TemplateResult {
    const hidden = new Set(values.hideModes.split(/\s+/));
    const rules = this.#value.blocklist ?? [];
    return html`<label class="check"
        ><input type="checkbox" .checked=${!values.hidden} @change=${this.#check('hidden', true)} />${t.show}</label
      >
      ${SLIDERS.map(({ key, min, max, step, text }) => {
        const value = values[key];
        return html`<div class="row">
          <label for=${key}>${t[key]}</label>
          <input
            id=${key}
            type="range"
            min=${min}
            max=${max}
            step=${step}
            .value=${String(value)}
            aria-valuetext=${text(t, value)}
            @input=${(event: Event) => this.#set(key, Number((event.target as HTMLInputElement).value))}
          />
          <output for=${key} aria-hidden="true">${text(t, value)}</output>
        </div>`;
      })}
      <fieldset>
        <legend>${t.area}</legend>
        <div class="choices">
          ${AREAS.map(
            (area) =>
              html`<label
                ><input
                  type="radio"
                  name="area"
                  .value=${String(area)}
                  .checked=${values.area === area}
                  @change=${() => this.#set('area', area)}
                />${t.areas[String(area) as keyof SettingsStrings['areas']]}</label
              >`,
          )}
        </div>
      </fieldset>
      <fieldset>
        <legend>${t.hide}</legend>
        <div class="choices">
          ${HIDE_TOKENS.map(
            (token) =>
              html`<label
                ><input
                  type="checkbox"
                  .checked=${hidden.has(token)}
                  @change=${(event: Event) => this.#hideMode(token, (event.target as HTMLInputElement).checked)}
                />${t.modes[token]}</label
              >`,
          )}
        </div>
      </fieldset>
      <label class="check"
        ><input
          type="checkbox"
          .checked=${values.clearBottom}
          @change=${this.#check('clearBottom')}
        />${t.clearBottom}</label
      >
      <label class="check"
        ><input
          type="checkbox"
          .checked=${!values.ignoreRate}
          @change=${this.#check('ignoreRate', true)}
        />${t.followRate}</label
      >
      <fieldset>
        <legend>${t.blocklist}</legend>
        <form @submit=${this.#onAdd}>
          <select name="kind" aria-label=${t.blockKind}>
            <option value="text">${t.kinds.text}</option>
            <option value="user">${t.kinds.user}</option>
          </select>
          <input
            name="rule"
            aria-label=${t.blockInput}
            placeholder=${t.blockPlaceholder}
            autocomplete="off"
            aria-invalid=${this.#invalid}
            aria-describedby="status"
            @input=${() => this.#clearError()}
          />
          <button>${t.add}</button>
        </form>
        ${
          rules.length
            ? html`<ul class="rules">
                ${rules.map((rule, index) => {
                  const text = typeof rule === 'string' ? rule : t.userRule(rule.user);
                  return html`<li>
                    <span>${text}</span
                    ><button type="button" aria-label=${t.remove(text)} @click=${() => this.#remove(index, text)}>
                      <span aria-hidden="true">×</span>
                    </button>
                  </li>`;
                })}
              </ul>`
            : html`<p class="muted">${t.nothingBlocked}</p>`
        }
      </fieldset>
      <button part="reset" type="button" @click=${() => this.reset()}>${t.reset}</button>`;
  }

  #strings(): SettingsStrings {
    const lang = this.closest('[lang]')?.getAttribute('lang') ?? document.documentElement.lang;
    return { ...settingsStringsFor(lang ?? ''), ...this.strings };
  }

  #panel(): HTMLElement | null {
    return this.renderRoot?.querySelector<HTMLElement>('#panel') ?? null;
  }

  #lookup(): DanmakuLayer | null {
    if (!this.htmlFor || !this.isConnected) return null;
    const root = this.getRootNode() as Document | ShadowRoot;
    return (root.getElementById?.(this.htmlFor) as DanmakuLayer | null) ?? null;
  }

  #bind(layer: DanmakuLayer | null): void {
    if (layer === this.#layer) return;
    this.#layer = layer;
    this.requestUpdate();
    if (!layer) return;
    // Defined later (a page that imports the settings first): its values are only known then.
    if (!layer.matches(':defined')) {
      this.#layer = null;
      void customElements.whenDefined(layer.localName).then(() => {
        if (!this.#layer && this.isConnected) this.#bind(this.#explicit ? layer : this.#lookup());
      });
      return;
    }
    this.#load();
  }

  /** Reads the stored choices (unless the page gave them with `value`) and applies them over the page's values. */
  #load(): void {
    if (this.#loadedKey !== this.storageKey) this.#value = loadSettings(this.storageKey);
    this.#loadedKey = this.storageKey;
    this.#applyAll();
  }

  #defaults(layer: DanmakuLayer): LayerDefaults {
    let defaults = pageDefaults.get(layer);
    if (!defaults) pageDefaults.set(layer, (defaults = layerValues(layer)));
    return defaults;
  }

  #applyAll(): void {
    const layer = this.#layer;
    if (layer) applySettings(layer, this.#value, this.#defaults(layer));
    this.requestUpdate();
  }

  /** Sets one layer property as the viewer chose, and remembers it. */
  #set<K extends PlainSetting>(key: K, value: NonNullable<ViewerSettings[K]>): void {
    const layer = this.#layer;
    if (!layer) return;
    const defaults = this.#defaults(layer);
    this.#value = changedFrom({ ...this.#value, [key]: value }, defaults);
    if (key === 'area' || key === 'clearBottom') layer.area = areaOf(this.#value, defaults);
    else (layer as unknown as Record<K, unknown>)[key] = value;
    this.#committed();
  }

  /** A checkbox's change handler for a boolean setting (`inverted`: checked means `false`). */
  #check(key: 'hidden' | 'clearBottom' | 'ignoreRate', inverted = false) {
    return (event: Event) => this.#set(key, (event.target as HTMLInputElement).checked !== inverted);
  }

  #hideMode(token: string, hide: boolean): void {
    const layer = this.#layer;
    if (!layer) return;
    const tokens = (layer.hideModes ?? '').split(/\s+/).filter((t) => t && t !== token);
    if (hide) tokens.push(token);
    this.#set('hideModes', tokens.join(' '));
  }

  #setRules(rules: ViewerBlockRule[], announce: string): void {
    const layer = this.#layer;
    if (!layer) return;
    applyBlockRules(layer, rules);
    this.#value = changedFrom({ ...this.#value, blocklist: rules }, this.#defaults(layer));
    this.#committed(announce);
  }

  #onAdd(event: SubmitEvent): void {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const input = form.elements.namedItem('rule') as HTMLInputElement;
    const kind = (form.elements.namedItem('kind') as HTMLSelectElement).value;
    const text = input.value.trim();
    if (!text) return;
    const t = this.#strings();
    const rules = this.#value.blocklist ?? [];
    const rule: ViewerBlockRule = kind === 'user' ? { user: text } : text;
    const label = kind === 'user' ? t.userRule(text) : text;
    if (rules.length >= MAX_RULES) return this.#error(t.full);
    if (!isViewerBlockRule(rule)) return this.#error(t.invalid(text));
    input.value = '';
    const known = rules.some((r) => JSON.stringify(r) === JSON.stringify(rule));
    this.#invalid = false;
    this.#setRules(known ? rules : [...rules, rule], t.added(label));
  }

  #remove(index: number, label: string): void {
    const rules = [...(this.#value.blocklist ?? [])];
    rules.splice(index, 1);
    this.#setRules(rules, this.#strings().removed(label));
    // The button pressed is gone: the focus goes to the next entry's, or back to the input.
    void this.updateComplete.then(() => {
      const buttons = this.renderRoot.querySelectorAll<HTMLElement>('.rules button');
      (
        buttons[Math.min(index, buttons.length - 1)] ?? this.renderRoot.querySelector<HTMLElement>('[name="rule"]')
      )?.focus();
    });
  }

  #error(message: string): void {
    this.#status = message;
    this.#invalid = true;
    this.requestUpdate();
  }

  #clearError(): void {
    if (!this.#invalid) return;
    this.#invalid = false;
    this.#status = '';
    this.requestUpdate();
  }

  /** Stores the choices, tells the page, and shows (and announces) `announce` if given. */
  #committed(announce = ''): void {
    this.#save();
    this.#status = announce;
    this.#invalid = false;
    this.requestUpdate();
    emit(this, 'danmaku-settings-change', { settings: this.value });
  }

  #save(): void {
    saveSettings(this.storageKey, this.#value);
  }

  #onBeforeToggle(event: ToggleEvent): void {
    if (event.newState === 'open') {
      this.#status = '';
      this.requestUpdate();
      return;
    }
    // Closing with the focus inside (Escape, the close button): give it back to the gear button.
    const active = this.renderRoot instanceof ShadowRoot ? this.renderRoot.activeElement : null;
    if (active && this.#panel()?.contains(active)) {
      this.renderRoot.querySelector<HTMLElement>('[part~="button"]')?.focus();
    }
  }

  #onToggle(event: ToggleEvent): void {
    const open = event.newState === 'open';
    this.open = open;
    if (open) {
      // The panel shows the layer as it is now (the page may have changed it in code).
      this.requestUpdate();
      // Into the panel: its first control, or its close button while there is no layer.
      void this.updateComplete.then(() => {
        const panel = this.#panel();
        (panel?.querySelector<HTMLElement>('input') ?? panel?.querySelector<HTMLElement>('[part~="close"]'))?.focus();
      });
    }
  }

  /** Keeps Tab inside the open panel: from the last control to the first, and back. */
  #onKeydown(event: KeyboardEvent): void {
    if (event.key !== 'Tab') return;
    const panel = this.#panel();
    if (!panel) return;
    const focusable = [...panel.querySelectorAll<HTMLElement>('button, input, select')].filter(
      (el) => !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0,
    );
    const active = (this.renderRoot as ShadowRoot).activeElement;
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (event.shiftKey ? active === first : active === last) {
      event.preventDefault();
      (event.shiftKey ? last : first)?.focus();
    }
  }
}
