/**
 * Picture-in-picture with the comments: the layer, with the media inside it, moves into a Document
 * Picture-in-Picture window (Chromium 116+ on desktop) and comes back when that window closes. A
 * `<video>`'s own picture-in-picture shows the video alone; this one keeps the comments flying.
 */
import { ErrorCode } from '../protocol.js';
import { DanmakuError } from '../connection/danmaku-error.js';

/** The part of the Document Picture-in-Picture API used here (not yet in TypeScript's DOM types). */
interface DocumentPictureInPicture {
  requestWindow(options?: { width?: number; height?: number }): Promise<Window>;
  readonly window: Window | null;
}

/**
 * Moves `host` (the layer and its children: the media, a composer) into a floating window the size
 * it has now, and puts it back where it was when the window closes (the user closes it, or
 * `documentPictureInPicture.window.close()`). The page's style sheets are copied into the window,
 * so the media looks the same. The layer is disconnected and connected again on each move, like
 * any element moved: the comments on screen start over, its connection resumes where it left off.
 *
 * Rejects with a `DanmakuError` of code `unsupported` where the API is missing (Firefox, Safari,
 * mobile browsers, pages that are not a secure context), and with the browser's error where the
 * window is refused (no user gesture, or one already open).
 */
export async function pictureInPicture(host: HTMLElement): Promise<void> {
  const api = (globalThis as { documentPictureInPicture?: DocumentPictureInPicture }).documentPictureInPicture;
  if (!api) {
    throw new DanmakuError(ErrorCode.Unsupported, 'No Document Picture-in-Picture API in this browser');
  }
  const { width, height } = host.getBoundingClientRect();
  const win = await api.requestWindow({ width: Math.round(width) || 640, height: Math.round(height) || 360 });
  const page = host.ownerDocument;
  const pip = win.document;
  const rules = (sheet: CSSStyleSheet): string => [...sheet.cssRules].map((rule) => rule.cssText).join('');
  for (const sheet of page.styleSheets) {
    try {
      pip.head.append(Object.assign(pip.createElement('style'), { textContent: rules(sheet) }));
    } catch {
      // A cross-origin sheet cannot be read: the window fetches it itself.
      if (sheet.href)
        pip.head.append(Object.assign(pip.createElement('link'), { rel: 'stylesheet', href: sheet.href }));
    }
  }
  pip.body.style.margin = '0';
  const root = host.shadowRoot;
  // A copy: the live list empties when the layer moves to another document.
  const sheets = [...(root?.adoptedStyleSheets ?? [])];
  const place = page.createComment('');
  const inline = host.style.cssText;
  host.before(place);
  host.style.cssText += ';width:100vw;height:100vh';
  pip.body.append(host);
  // A constructed style sheet serves only the document it was made in: the layer's own styles are
  // made again in the window's.
  if (root) {
    root.adoptedStyleSheets = sheets.map((sheet) => {
      const copy = new (win as Window & typeof globalThis).CSSStyleSheet();
      copy.replaceSync(rules(sheet));
      return copy;
    });
  }
  win.addEventListener(
    'pagehide',
    () => {
      place.replaceWith(host);
      host.style.cssText = inline;
      if (root) root.adoptedStyleSheets = sheets;
    },
    { once: true },
  );
}
