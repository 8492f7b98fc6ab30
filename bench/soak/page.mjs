/**
 * The soak's viewer: a real <danmaku-layer> in Debian's Chromium (playwright-core, the repository's
 * flags), loaded from the server under test. It reports the id of every comment it receives, and
 * its JS heap (after a GC) and DOM node count through the DevTools protocol.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../scripts/chromium.mjs';

/** Opens the page; `onIds(ids)` receives the ids of delivered comments in batches. */
export async function openViewer(port, room, onIds) {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.exposeBinding('soakReceived', (_source, ids) => onIds(ids));
  // The ids leave the page every second, so the page holds none of them for long.
  const html = `<!doctype html>
    <script type="module" src="/danmaku-layer.bundle.js"></script>
    <danmaku-layer id="layer" src="ws://127.0.0.1:${port}/ws" room="${room}" style="display:block;width:1280px;height:720px"></danmaku-layer>
    <script>
      let ids = [];
      const layer = document.getElementById('layer');
      layer.addEventListener('danmaku-comment', (e) => ids.push(e.detail.comment.id));
      // A reset means the layer could not resume where it was: comments may be missing.
      layer.addEventListener('danmaku-reset', () => (window.soakResets = (window.soakResets ?? 0) + 1));
      setInterval(() => { if (ids.length) { soakReceived(ids); ids = []; } }, 1000);
    </script>`;
  // The page and the bundle come from a loopback server of their own, which stays up while the
  // danmaku server restarts (and keeps the page on a local address, as Chromium's local network
  // access checks want for a page that opens a loopback WebSocket).
  const pages = await servePage(html);
  await page.goto(`http://127.0.0.1:${pages.address().port}/`);
  await page.waitForFunction(() => document.getElementById('layer').status === 'open', undefined, { timeout: 15_000 });
  const cdp = await page.context().newCDPSession(page);
  return {
    /** JS heap after a GC and DOM nodes. */
    async measure() {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      const { nodes } = await cdp.send('Memory.getDOMCounters');
      return { heap: usedSize, nodes };
    },
    async status() {
      return page.evaluate(() => document.getElementById('layer').status);
    },
    /** How many times the layer could not resume (`danmaku-reset`). */
    async resets() {
      return page.evaluate(() => window.soakResets ?? 0);
    },
    async close() {
      await browser.close();
      pages.close();
    },
  };
}

/** Serves `html` at `/` and the built bundles from packages/widget/dist. */
function servePage(html) {
  const dist = new URL('../../packages/widget/dist/', import.meta.url);
  const server = createServer((req, res) => {
    const name = new URL(req.url, 'http://x').pathname.slice(1);
    if (name === '') return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    if (!/^[\w.-]+\.js$/.test(name)) return res.writeHead(404).end();
    try {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(new URL(name, dist)));
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
