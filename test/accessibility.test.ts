// End to end: axe-core (the accessibility engine of browser dev tools) over the pages people meet
// first, in Chromium, served by the reference server: the demo page, the one-script-tag page in
// the light and the dark scheme, and the composer on a light and a dark host page of someone
// else's design (a serif page font, no colour scheme declared / a dark one). No serious or critical
// violation may be found, with the composer in its states that show text: sent, over the limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFile, mkdtemp, writeFile, copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type {} from 'danmaku-layer';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let server: RunningServer;
let browser: Browser;
let pages: string;

/**
 * A host page with a layer and a composer: `light` declares no colour scheme, `dark` declares one;
 * `lang` is the page's language.
 */
function hostPage(scheme: 'light' | 'dark', lang = 'en'): string {
  const style =
    scheme === 'dark'
      ? ':root { color-scheme: dark; background: #101114; color: #e6e6e6; }'
      : ':root { background: #fff; color: #222; }';
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>A ${scheme} site</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<script type="module" src="/danmaku-layer.bundle.js"></script>
<style>${style} body { font-family: Georgia, 'Times New Roman', serif; max-width: 640px; margin: 2rem auto; }</style></head>
<body><main><h1>An article with live comments</h1>
<danmaku-layer id="live" src="/ws" room="a11y-${scheme}-${lang}" style="display:block;aspect-ratio:16/9;background:#334">
</danmaku-layer>
<danmaku-composer for="live"></danmaku-composer></main></body></html>`;
}

before(async () => {
  pages = await mkdtemp(join(tmpdir(), 'danmaku-a11y-'));
  for (const file of ['index.html', 'script-tag.html', 'favicon.svg'])
    await copyFile(join(root, 'demo', file), join(pages, file));
  await writeFile(join(pages, 'light.html'), hostPage('light'));
  await writeFile(join(pages, 'dark.html'), hostPage('dark'));
  await writeFile(join(pages, 'zh.html'), hostPage('light', 'zh-CN'));
  await writeFile(join(pages, 'ja.html'), hostPage('dark', 'ja'));
  server = await startServer({ demo: pages });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await rm(pages, { recursive: true, force: true });
});

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown; failureSummary?: string }[];
}

/** Runs axe-core over the whole page (open shadow roots included) and returns its serious and critical violations. */
async function seriousViolations(page: Page): Promise<Violation[]> {
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: Violation[] }> } }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const report = (violations: Violation[]): string => JSON.stringify(violations, null, 2);

async function open(path: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
  const page = await browser.newPage({ colorScheme, viewport: { width: 1000, height: 800 } });
  await page.goto(server.http + path);
  await page.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'open');
  // The composer is defined (its part of the bundle arrived) and enabled (it saw the layer open).
  await page.locator('danmaku-composer [part="input"]:enabled').waitFor();
  return page;
}

/** Sends a comment through the composer (its feedback then reads `sent`), then types past the limit. */
async function exerciseComposer(page: Page, sent = 'Sent.'): Promise<void> {
  const input = page.locator('danmaku-composer [part="input"]');
  await input.fill('hello');
  await input.press('Enter');
  await page.waitForFunction(
    (sent) =>
      document.querySelector('danmaku-composer')!.shadowRoot!.querySelector('[part="feedback"]')!.textContent === sent,
    sent,
  );
  // Text flies over the layer while axe runs: comments are aria-hidden and do not count.
  assert.deepEqual(await seriousViolations(page), [], 'after a send');
  await input.fill('x'.repeat(120));
  await page.locator('danmaku-composer [part~="over"]').waitFor();
}

test('the demo page: no serious or critical axe violation, composer included', async () => {
  const page = await open('/');
  assert.deepEqual(await seriousViolations(page), [], report(await seriousViolations(page)));
  await exerciseComposer(page);
  const violations = await seriousViolations(page);
  assert.deepEqual(violations, [], report(violations));
  // A favicon, and the script-tag page one click away.
  assert.equal((await page.request.get(`${server.http}/favicon.svg`)).status(), 200);
  assert.equal(await page.locator('a[href="/script-tag.html"]').count(), 1);
  await page.close();
});

for (const scheme of ['light', 'dark'] as const) {
  test(`the one-script-tag page in the ${scheme} scheme: no serious or critical axe violation`, async () => {
    const page = await open('/script-tag.html', scheme);
    await exerciseComposer(page);
    const violations = await seriousViolations(page);
    assert.deepEqual(violations, [], report(violations));
    await page.close();
  });

  test(`the composer on a ${scheme} host page: follows its colour scheme, system UI font, no serious or critical axe violation`, async () => {
    const page = await open(`/${scheme}.html`);
    const look = await page.evaluate(() => {
      const composer = document.querySelector('danmaku-composer')!;
      const input = composer.shadowRoot!.querySelector('[part="input"]')!;
      return { background: getComputedStyle(composer).backgroundColor, font: getComputedStyle(input).fontFamily };
    });
    assert.equal(look.background, scheme === 'light' ? 'rgb(246, 247, 249)' : 'rgb(31, 35, 41)');
    assert.match(look.font, /^system-ui\b/, 'not the page serif font');
    await exerciseComposer(page);
    const violations = await seriousViolations(page);
    assert.deepEqual(violations, [], report(violations));
    await page.close();
  });
}

for (const [lang, send, sent] of [
  ['zh', '发送', '已发送。'],
  ['ja', '送信', '送信しました。'],
] as const) {
  test(`the composer on a page in ${lang}: speaks its language, no serious or critical axe violation`, async () => {
    const page = await open(`/${lang}.html`);
    assert.equal((await page.locator('danmaku-composer [part="button"]').textContent())?.trim(), send);
    await exerciseComposer(page, sent);
    const violations = await seriousViolations(page);
    assert.deepEqual(violations, [], report(violations));
    await page.close();
  });
}
