// Takes the documentation's screenshots: the real server with its demo page, comments sent by real
// clients, captured in headless Chromium.
//   docs/images/demo.png              the demo page (README)
//   docs/images/composer-light.png    <danmaku-composer> on a light page and on a dark page
//   docs/images/composer-dark.png     (docs/theming.md)
// Usage: npm run build && node scripts/demo-screenshot.mjs [folder, default docs/images]
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDanmakuServer } from 'danmaku-layer-server';
import { TestClient } from '#server-testing/client.js';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';
import { missingFonts, missingFontsWarning } from './fonts.mjs';

const out = process.argv[2] ?? 'docs/images';
const fontWarning = missingFontsWarning(missingFonts(), 'these pictures are not fit for the documentation');
if (fontWarning) console.warn(fontWarning);
const INPUT = 'danmaku-composer [part="input"]';

/** A plain article page of someone else's design with a composer, in the light or the dark scheme. */
const hostPage = (scheme) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${scheme}</title>
<script type="module" src="/danmaku-layer.bundle.js"></script>
<style>:root { color-scheme: ${scheme}; background: ${scheme === 'dark' ? '#101114' : '#fff'}; color: ${scheme === 'dark' ? '#e6e6e6' : '#222'}; }
body { font-family: Georgia, serif; margin: 24px; } danmaku-layer { display: block; height: 120px; border-radius: 8px;
background: linear-gradient(135deg, #1d3557, #6a1b4d); } danmaku-composer { margin-top: 10px; }</style></head>
<body><h1>A ${scheme} page</h1><danmaku-layer id="live" src="/ws" room="shot-${scheme}"></danmaku-layer>
<danmaku-composer for="live"></danmaku-composer></body></html>`;

const pages = await mkdtemp(join(tmpdir(), 'danmaku-shots-'));
const danmaku = await createDanmakuServer({ demo: true, logLevel: 'warn' });
const { port } = await danmaku.listen(0, '127.0.0.1');
await writeFile(join(pages, 'light.html'), hostPage('light'));
await writeFile(join(pages, 'dark.html'), hostPage('dark'));
const hosts = await createDanmakuServer({ demo: pages, logLevel: 'warn' });
const hostPort = (await hosts.listen(0, '127.0.0.1')).port;
const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 1008, height: 760 }, deviceScaleFactor: 1 });
  await page.goto(`http://127.0.0.1:${port}/?room=screenshot`);
  await page.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'open');
  const viewer = await TestClient.connect(`ws://127.0.0.1:${port}/ws`, 'room=screenshot');
  const lines = [
    ['前方高能!!!', '#ff5555', 'scroll', 'large'],
    ['this overlay works on any element', '#ffffff', 'scroll', 'medium'],
    ['wwwwwww', '#8fd3ff', 'scroll', 'medium'],
    ['<img src=x onerror=alert(1)> stays text', '#ffe066', 'scroll', 'small'],
    ['Live from the demo page', '#00a1d6', 'top', 'medium'],
    ['哈哈哈哈哈哈', '#ffffff', 'scroll', 'medium'],
    ['no overlaps, ever', '#9cff9c', 'scroll', 'medium'],
    ['🎉🎉🎉', '#ffffff', 'scroll', 'large'],
    ['second tab says hi', '#ff9de2', 'bottom', 'medium'],
    ['good stream', '#ffffff', 'scroll', 'small'],
    ['弹幕来了', '#ffd38a', 'scroll', 'medium'],
    ['1080p when?', '#ffffff', 'scroll', 'medium'],
  ];
  for (const [text, color, mode, size] of lines) {
    viewer.sendComment(text, { color, mode, size });
    await page.waitForTimeout(260);
  }
  await page.fill(INPUT, 'typed in this page');
  await page.press(INPUT, 'Enter');
  await page.waitForTimeout(1200);
  await page.screenshot({ path: join(out, 'demo.png') });
  viewer.close();
  console.log(`wrote ${join(out, 'demo.png')}`);

  for (const scheme of ['light', 'dark']) {
    const host = await browser.newPage({ viewport: { width: 640, height: 300 }, deviceScaleFactor: 1 });
    await host.goto(`http://127.0.0.1:${hostPort}/${scheme}.html`);
    await host.locator(`${INPUT}:enabled`).waitFor();
    await host.fill(INPUT, 'my own comment');
    await host.press(INPUT, 'Enter');
    await host.waitForFunction(
      () =>
        document.querySelector('danmaku-composer').shadowRoot.querySelector('[part="feedback"]').textContent ===
        'Sent.',
    );
    await host.fill(INPUT, 'and a second one, being typed');
    await host.waitForTimeout(600);
    await host.screenshot({ path: join(out, `composer-${scheme}.png`) });
    console.log(`wrote ${join(out, `composer-${scheme}.png`)}`);
    await host.close();
  }
} finally {
  await browser.close();
  await danmaku.close();
  await hosts.close();
  await rm(pages, { recursive: true, force: true });
}
