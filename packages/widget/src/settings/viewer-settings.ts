/**
 * The viewer's own choices for a `<danmaku-layer>`: their shape, how they are read back from
 * storage (anything malformed or foreign is left out, never thrown), and how they map onto the
 * layer's properties. No DOM beyond the layer itself; `<danmaku-settings>` is the UI on top.
 */
import type { DanmakuLayer } from '../danmaku-layer.component.js';
import type { BlockRule } from '../features/filter.js';

/**
 * A block-list entry as the viewer gave it: a keyword, `/expression/flags`, or `{ user: id }`.
 * Strings stay strings so that the list can be stored as JSON.
 */
export type ViewerBlockRule = string | { user: string };

/**
 * What a viewer chose, each field named after the layer property it sets (`blocklist` adds to
 * the layer's own rules), but `clearBottom`, which keeps the layer's `area` to the top 80% at most.
 * A field that is absent leaves the page's value alone.
 */
export interface ViewerSettings {
  hidden?: boolean;
  opacity?: number;
  speed?: number;
  fontScale?: number;
  area?: number;
  density?: number;
  hideModes?: string;
  clearBottom?: boolean;
  ignoreRate?: boolean;
  blocklist?: ViewerBlockRule[];
}

/** The fields of {@link ViewerSettings} that copy a layer property of the same name as they are. */
export type PlainSetting = Exclude<keyof ViewerSettings, 'blocklist'>;

/** The layer values the page set, before any viewer choice: what "reset to defaults" goes back to. */
export type LayerDefaults = Required<Omit<ViewerSettings, 'blocklist' | 'clearBottom'>> & {
  blocklist: readonly BlockRule[];
};

/** Where `clearBottom` ends the area: the bottom fifth of the picture, where subtitles are, stays clear. */
export const SUBTITLE_AREA = 0.8;

/** Tokens `hideModes` may hold. */
export const HIDE_TOKENS = ['scroll', 'top', 'bottom', 'color'] as const;

/** The display areas offered: a quarter, half, three quarters or all of the height. */
export const AREAS = [0.25, 0.5, 0.75, 1] as const;

/** Most block-list entries kept, and the longest entry (characters). */
export const MAX_RULES = 200;
export const MAX_RULE_LENGTH = 200;

const inRange = (min: number, max: number) => (v: unknown) => typeof v === 'number' && v >= min && v <= max;
const isBoolean = (v: unknown) => typeof v === 'boolean';

/** How each plain field is checked when read back; a value that fails is left out. */
const VALID: Record<PlainSetting, (value: unknown) => boolean> = {
  hidden: isBoolean,
  opacity: inRange(0, 1),
  speed: inRange(1, 5000),
  fontScale: inRange(0.1, 10),
  area: inRange(0.05, 1),
  density: inRange(0, 1),
  hideModes: (v) =>
    typeof v === 'string' && v.split(' ').every((t) => t === '' || (HIDE_TOKENS as readonly string[]).includes(t)),
  clearBottom: isBoolean,
  ignoreRate: isBoolean,
};

/** Every plain field, in the order the panel shows them. */
export const PLAIN_SETTINGS = Object.keys(VALID) as PlainSetting[];

/**
 * Turns a typed entry into a block rule: `/…/flags` is a regular expression, anything else a
 * keyword; `{ user }` stays as is.
 *
 * @throws {SyntaxError} when a `/…/` entry is not a valid regular expression.
 */
export function toBlockRule(rule: ViewerBlockRule): BlockRule {
  if (typeof rule !== 'string') return { user: rule.user };
  const match = /^\/(.+)\/([a-z]*)$/.exec(rule);
  return match ? new RegExp(match[1], match[2]) : rule;
}

/** Whether `value` is a block-list entry that can be kept: a bounded string or `{ user }`, a valid expression if `/…/`. */
export function isViewerBlockRule(value: unknown): value is ViewerBlockRule {
  const text = typeof value === 'string' ? value : (value as { user?: unknown } | null)?.user;
  if (typeof text !== 'string' || !text.trim() || text.length > MAX_RULE_LENGTH) return false;
  try {
    toBlockRule(value as ViewerBlockRule);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads settings back from `raw` (a stored JSON string, or an object a page kept elsewhere).
 * Malformed JSON, a value that is not an object, unknown fields and fields of the wrong type or
 * out of range are left out: what remains is always safe to apply.
 *
 * @example
 * readSettings('{"opacity":0.5,"speed":"fast"}'); // { opacity: 0.5 }
 */
export function readSettings(raw: unknown): ViewerSettings {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return {};
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const source = value as Record<string, unknown>;
  const settings: Record<string, unknown> = {};
  for (const key of PLAIN_SETTINGS) if (VALID[key](source[key])) settings[key] = source[key];
  if (Array.isArray(source.blocklist)) {
    const rules = source.blocklist.filter(isViewerBlockRule).slice(0, MAX_RULES);
    settings.blocklist = rules.map((rule) => (typeof rule === 'string' ? rule : { user: rule.user }));
  }
  return settings;
}

/** The `area` the layer gets for `settings`: the viewer's or the page's, kept above the subtitles with `clearBottom`. */
export function areaOf(settings: ViewerSettings, defaults: LayerDefaults): number {
  const area = settings.area ?? defaults.area;
  return settings.clearBottom ? Math.min(area, SUBTITLE_AREA) : area;
}

/** The layer's current values of every field. */
export function layerValues(layer: DanmakuLayer): LayerDefaults {
  return {
    hidden: layer.hidden,
    opacity: Number(layer.opacity),
    speed: Number(layer.speed),
    fontScale: Number(layer.fontScale),
    area: Number(layer.area),
    density: Number(layer.density),
    hideModes: layer.hideModes ?? '',
    ignoreRate: layer.ignoreRate,
    blocklist: layer.blocklist,
  };
}

/**
 * The block rules the viewer's settings put on each layer, so that they can be told from the
 * page's own (which the page may change in code at any time) and replaced without touching those.
 */
const viewerRules = new WeakMap<DanmakuLayer, readonly BlockRule[]>();

/** Puts the viewer's `rules` on `layer` after the page's own block rules, in place of the viewer's earlier ones. */
export function applyBlockRules(layer: DanmakuLayer, rules: readonly ViewerBlockRule[]): void {
  const earlier = viewerRules.get(layer) ?? [];
  const own = layer.blocklist.filter((rule) => !earlier.includes(rule));
  const added = rules.map(toBlockRule);
  viewerRules.set(layer, added);
  if (added.length || earlier.length) layer.blocklist = [...own, ...added];
}

/**
 * Sets `settings` on `layer` over `defaults`: a field the viewer chose takes their value, any other
 * the page's; the viewer's block rules come after the page's own.
 */
export function applySettings(layer: DanmakuLayer, settings: ViewerSettings, defaults: LayerDefaults): void {
  const target = layer as unknown as Record<PlainSetting, unknown>;
  for (const key of PLAIN_SETTINGS) {
    if (key === 'clearBottom') continue;
    const value = key === 'area' ? areaOf(settings, defaults) : (settings[key] ?? defaults[key]);
    if (target[key] !== value) target[key] = value;
  }
  applyBlockRules(layer, settings.blocklist ?? []);
}

/** `settings` without the fields equal to `defaults`: only what the viewer changed is kept. */
export function changedFrom(settings: ViewerSettings, defaults: LayerDefaults): ViewerSettings {
  const changed: ViewerSettings = {};
  for (const key of PLAIN_SETTINGS) {
    if (settings[key] !== undefined && settings[key] !== (key === 'clearBottom' ? false : defaults[key]))
      (changed as Record<string, unknown>)[key] = settings[key];
  }
  if (settings.blocklist?.length) changed.blocklist = settings.blocklist;
  return changed;
}
