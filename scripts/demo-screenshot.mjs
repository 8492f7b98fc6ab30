// Takes the README's screenshot: the real server with its demo page, comments sent by real
// clients, captured in headless Chromium. Usage: npm run build && node scripts/demo-screenshot.mjs [out.png]
import { createDanmakuServer } from 'danmaku-layer-server';
import { TestClient } from 'danmaku-layer-server/testing';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.mjs';

const out = process.argv[2] ?? 'docs/images/demo.png';
const danmaku = await createDanmakuServer({ demo: true, logLevel: 'warn' });
const { port } = await danmaku.listen(0, '127.0.0.1');
const browser = await chromium.launch({
  executablePath: CHROMIUM_PATH,
  args: CHROMIUM_ARGS,
});
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
  await page.fill('#text', 'typed in this page');
  await page.press('#text', 'Enter');
  await page.waitForTimeout(1200);
  await page.screenshot({ path: out });
  viewer.close();
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await danmaku.close();
}
