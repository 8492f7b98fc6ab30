/**
 * Where `<danmaku-settings>` keeps the viewer's choices: `localStorage`, under a key the page
 * picks. Storage that is missing, full or refused (private modes, sandboxed frames) is treated as
 * empty: the panel still works for the visit.
 */
import { readSettings, type ViewerSettings } from './viewer-settings.js';

/** The `localStorage` key used when the page gives none. */
export const DEFAULT_STORAGE_KEY = 'danmaku-settings';

/** The settings stored under `key`; `{}` when none, when storage is refused, or when what is there is not ours. */
export function loadSettings(key: string): ViewerSettings {
  if (!key) return {};
  try {
    return readSettings(localStorage.getItem(key));
  } catch {
    return {};
  }
}

/** Stores `settings` under `key` (removes the key when they are empty). Never throws. */
export function saveSettings(key: string, settings: ViewerSettings): void {
  if (!key) return;
  try {
    if (Object.keys(settings).length) localStorage.setItem(key, JSON.stringify(settings));
    else localStorage.removeItem(key);
  } catch {
    // Full or refused: the choices hold for this visit only.
  }
}

/**
 * What a `storage` event says about the settings under `key`: the new settings when another
 * document of the site (another tab, a frame) changed, removed or cleared them; `undefined` when the
 * event is about something else. The browser fires the event in every document of the origin but
 * the one that wrote, so the panels of all tabs follow the one the viewer used.
 */
export function changedElsewhere(event: StorageEvent, key: string): ViewerSettings | undefined {
  if (!key || (event.key !== null && event.key !== key)) return undefined;
  try {
    if (event.storageArea !== window.localStorage) return undefined;
  } catch {
    return undefined;
  }
  // A clear() has `key` and `newValue` null: no settings.
  return readSettings(event.newValue);
}
