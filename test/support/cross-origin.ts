/**
 * A page on another origin that uses a danmaku server the way the README says: a second tiny HTTP
 * server, on its own loopback port, serving the README's script-tag snippet pointed at the danmaku
 * server. Module scripts of another origin run only with CORS, so the page works only if the
 * danmaku server's files allow it.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { codeBlocks } from './code-blocks.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * The README's script-tag snippet with `your-server.example` replaced by `base` (`http://host:port`)
 * and the `integrity` placeholder by the entry's hash from the build's `dist/integrity.json`.
 */
export async function readmeSnippet(base: string): Promise<string> {
  const readme = await readFile(`${root}README.md`, 'utf8');
  const block = codeBlocks(readme).find((b) => b.file === 'script-tag.html');
  assert.ok(block, 'README.md has the script-tag.html snippet');
  const manifest = JSON.parse(await readFile(`${root}packages/widget/dist/integrity.json`, 'utf8')) as Record<
    string,
    string
  >;
  assert.ok(block.code.includes('integrity="sha384-…"'), "the README's script tag shows integrity");
  const host = new URL(base).host;
  return block.code
    .replaceAll('https://your-server.example', `http://${host}`)
    .replaceAll('wss://your-server.example', `ws://${host}`)
    .replace('integrity="sha384-…"', `integrity="${manifest['danmaku-layer.bundle.js']}"`);
}

/** Another origin: serves `html` at `/` (and 404 for the rest) on 127.0.0.1 and a free port. */
export async function startPageOrigin(html: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (req.url === '/')
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end(`<!doctype html><meta charset="utf-8">${html}`);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address && typeof address === 'object');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A script the page loaded, with the response headers the browser saw. */
export interface LoadedScript {
  url: string;
  status: number;
  headers: Record<string, string>;
}

/** Opens `url`, records its scripts, and waits until its layer is connected. */
export async function openConnected(browser: Browser, url: string): Promise<{ page: Page; scripts: LoadedScript[] }> {
  const page = await browser.newPage();
  const scripts: LoadedScript[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'script') {
      scripts.push({ url: response.url(), status: response.status(), headers: response.headers() });
    }
  });
  page.on('pageerror', (error) => assert.fail(`page error on ${url}: ${error.message}`));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'open');
  return { page, scripts };
}

/**
 * Types `text` into page A's composer and resolves with the comment page B's layer receives.
 * Both pages must be open and connected to the same room.
 */
export async function sendAndReceive(a: Page, b: Page, text: string): Promise<{ text: string; own: boolean }> {
  type Received = { text: string; own: boolean };
  // Listening before A sends: the comment may arrive before a later evaluate would run.
  await b.evaluate(() => {
    (window as unknown as { received: Promise<Received> }).received = new Promise<Received>((resolve) => {
      document
        .querySelector('danmaku-layer')!
        .addEventListener(
          'danmaku-comment',
          (event) => resolve({ text: event.detail.comment.text, own: event.detail.own }),
          { once: true },
        );
    });
  });
  const input = a.locator('danmaku-composer [part="input"]');
  await input.fill(text);
  await input.press('Enter');
  return b.evaluate(() => (window as unknown as { received: Promise<Received> }).received);
}
