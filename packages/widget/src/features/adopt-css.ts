/**
 * Adds `css` to the shadow root that holds `node`, as a constructed style sheet. Not a `<style>`
 * element: a page whose Content-Security-Policy has no `'unsafe-inline'` in `style-src` refuses
 * those, even inside a shadow root, while constructed sheets are not subject to it (Lit's own
 * styles are adopted the same way). Browsers without constructed sheets get a `<style>`.
 */
export function adoptCss(node: Node, css: string): void {
  const root = node.getRootNode() as ShadowRoot;
  if ('adoptedStyleSheets' in root) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = css;
  (root as Node).appendChild(style);
}
