// The archive in a real Chromium: a page with a real <audio> (a WAV made by the page) bound to a
// layer with `archive` seeks and sees the archived comments of that second, and a comment sent at a
// media time is seen at that time by a page opened later. The server runs in-process with a
// SQLite archive.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { importArchive, openSqliteArchive, type Archive } from 'danmaku-layer-server';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';

let browser: Browser;
let server: RunningServer;
let archive: Archive;
let dir: string;

/**
 * The page: a layer over a 60-second silent WAV built in the page (a blob URL, so every seek is
 * served), recording the text of every comment that enters the stage.
 */
const page = (room: string, seconds = 60, archiveAttribute = 'archive'): string => `<!doctype html>
<meta charset="utf-8">
<script type="module" src="/danmaku-layer.bundle.js"></script>
<danmaku-layer id="layer" src="/ws" room="${room}" media="audio" ${archiveAttribute} style="display:block;width:640px;height:360px">
  <audio id="audio" muted preload="auto"></audio>
</danmaku-layer>
<script type="module">
  const seconds = ${seconds}, rate = 8000;
  const bytes = new Uint8Array(44 + seconds * rate);
  const view = new DataView(bytes.buffer);
  const text = (at, s) => [...s].forEach((c, i) => view.setUint8(at + i, c.charCodeAt(0)));
  text(0, 'RIFF'); view.setUint32(4, 36 + seconds * rate, true); text(8, 'WAVEfmt ');
  view.setUint32(16, 16, true); view.setUint16(20, 1, true); view.setUint16(22, 1, true);
  view.setUint32(24, rate, true); view.setUint32(28, rate, true); view.setUint16(32, 1, true);
  view.setUint16(34, 8, true); text(36, 'data'); view.setUint32(40, seconds * rate, true);
  bytes.fill(128, 44);
  const audio = document.getElementById('audio');
  audio.src = URL.createObjectURL(new Blob([bytes], { type: 'audio/wav' }));
  window.shown = [];
  // Counts the comments the layer fetched from the archive (the feed's reads go through fetch).
  window.fetched = 0;
  const fetch = window.fetch;
  window.fetch = async (...args) => {
    const response = await fetch(...args);
    if (String(args[0]).includes('/comments?')) window.fetched += (await response.clone().json()).comments.length;
    return response;
  };
  await customElements.whenDefined('danmaku-layer');
  const layer = document.getElementById('layer');
  await layer.updateComplete;
  new MutationObserver((records) => {
    for (const record of records)
      for (const node of record.addedNodes)
        if (node.nodeType === 1 && /\\bcomment\\b/.test(node.getAttribute('part') ?? '')) window.shown.push(node.textContent);
  }).observe(layer.shadowRoot, { childList: true, subtree: true });
  // Enough data to seek at once: a seek made with metadata only may wait for a load that never starts.
  await new Promise((resolve) => (audio.readyState >= 3 ? resolve() : audio.addEventListener('canplay', resolve, { once: true })));
  window.ready = true;
</script>
`;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'danmaku-archive-e2e-'));
  await writeFile(join(dir, 'index.html'), page('film'));
  await writeFile(join(dir, 'big.html'), page('big', 1000));
  await writeFile(join(dir, 'later.html'), page('film', 60, ''));
  archive = await openSqliteArchive({ dataDir: join(dir, 'data') });
  const comments = [
    [2, 'early'],
    [20, 'at twenty'],
    [20.5, 'twenty and a half'],
    [45, 'much later'],
  ].map(([time, text]) => ({ text, time }));
  await importArchive(archive, 'film', JSON.stringify(comments), { format: 'json' });
  const other = [
    [20.5, 'other at twenty and a half'],
    [45, 'other much later'],
  ].map(([time, text]) => ({ text, time }));
  await importArchive(archive, 'other', JSON.stringify(other), { format: 'json' });
  // A big room: 100,000 comments over 1,000 seconds, 100 in each second.
  const big = Array.from({ length: 100_000 }, (_, i) => ({
    text: `big ${i}`,
    time: Math.floor(i / 100) + 0.5,
    id: `big${i}`,
  }));
  await importArchive(archive, 'big', JSON.stringify(big), { format: 'json' });
  server = await startServer({ archive, demo: dir, readRateLimit: 0 });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
  await archive?.close();
  await rm(dir, { recursive: true, force: true });
});

async function openPage(path = '/'): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${server.http}${path}`);
  await page.waitForFunction(() => (window as unknown as { ready?: boolean }).ready === true);
  return page;
}

async function seek(page: Page, time: number): Promise<void> {
  await page.evaluate(async (at) => {
    const audio = document.getElementById('audio') as HTMLAudioElement;
    audio.currentTime = at;
    await new Promise((resolve) => audio.addEventListener('seeked', resolve, { once: true }));
  }, time);
}

const shown = (page: Page): Promise<string[]> =>
  page.evaluate(() => (window as unknown as { shown: string[] }).shown.slice());

test('seeking shows the archived comments of that second, and playing on shows the next ones', async () => {
  const page = await openPage();
  await seek(page, 20);
  await page.waitForFunction(() => (window as unknown as { shown: string[] }).shown.includes('at twenty'));
  await page.evaluate(() => (document.getElementById('audio') as HTMLAudioElement).play());
  await page.waitForFunction(() => (window as unknown as { shown: string[] }).shown.includes('twenty and a half'));
  const seen = await shown(page);
  assert.ok(!seen.includes('early'), 'a comment before the seek target is not shown');
  assert.ok(!seen.includes('much later'), 'a comment far ahead is not shown yet');
  // Only the window around the playhead was asked for, never the whole archive.
  const requests = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((entry) => entry.name)
      .filter((name) => name.includes('/rooms/film/comments')),
  );
  assert.ok(requests.length > 0);
  for (const url of requests) assert.match(url, /from=\d+(\.\d+)?&to=\d+/);
  await page.close();
});

test('a comment sent at a media time is seen at that time by a page opened later', async () => {
  const first = await openPage();
  await seek(first, 33);
  const receipt = await first.evaluate(() =>
    (document.getElementById('layer') as unknown as { send(text: string): Promise<{ seq: number }> }).send(
      'written at thirty-three',
    ),
  );
  assert.ok(receipt.seq > 0);
  await first.close();

  const later = await openPage();
  await seek(later, 30);
  assert.ok(!(await shown(later)).includes('written at thirty-three'), 'not before its time');
  await later.evaluate(() => (document.getElementById('audio') as HTMLAudioElement).play());
  await later.waitForFunction(() =>
    (window as unknown as { shown: string[] }).shown.includes('written at thirty-three'),
  );
  const time = await later.evaluate(() => (document.getElementById('audio') as HTMLAudioElement).currentTime);
  assert.ok(time >= 33, `shown at ${time}, not before 33`);
  await later.close();
});

test('seeking across an archive of 100,000 comments fetches windows, never the whole archive', async () => {
  const page = await openPage('/big.html');
  const delays: number[] = [];
  for (const second of [100, 900, 400, 650, 50, 999]) {
    const started = Date.now();
    await seek(page, second);
    // The comments of that second (time second + 0.5) show once the media plays on to them.
    await page.evaluate(() => (document.getElementById('audio') as HTMLAudioElement).play());
    await page.waitForFunction(
      (first) => (window as unknown as { shown: string[] }).shown.includes(`big ${first}`),
      second * 100,
    );
    delays.push(Date.now() - started);
    await page.evaluate(() => (document.getElementById('audio') as HTMLAudioElement).pause());
  }
  const fetched = await page.evaluate(() => (window as unknown as { fetched: number }).fetched);
  // Six seeks read about six windows (at most 4 pages of 1,000 each), a small part of the archive.
  assert.ok(fetched <= 6 * 2 * 4000, `fetched ${fetched} comments`);
  assert.ok(fetched < 100_000 / 2, `fetched ${fetched} comments`);
  console.log(
    `# first archived comment on screen after a seek and play(): ${delays.join(', ')} ms (each includes 0.5 s of playing)`,
  );
  await page.close();
});

const play = (page: Page): Promise<void> =>
  page.evaluate(() => (document.getElementById('audio') as HTMLAudioElement).play());
const pause = (page: Page): Promise<void> =>
  page.evaluate(() => (document.getElementById('audio') as HTMLAudioElement).pause());
const waitShown = (page: Page, text: string): Promise<unknown> =>
  page.waitForFunction((t) => (window as unknown as { shown: string[] }).shown.includes(t), text);

test('an archive set after the media is bound plays at once', async () => {
  const page = await openPage('/later.html');
  await seek(page, 20);
  // The media is bound (its seek is followed) and the layer has no archive yet.
  await page.evaluate(() => document.getElementById('layer')!.setAttribute('archive', ''));
  await play(page);
  await waitShown(page, 'twenty and a half');
  await page.close();
});

test('another archive (or another media) takes the place of the first at once', async () => {
  const page = await openPage();
  await seek(page, 20);
  await play(page);
  await waitShown(page, 'twenty and a half');
  await pause(page);
  await page.evaluate(() => document.getElementById('layer')!.setAttribute('archive', '/rooms/other/comments'));
  // Back before 20.5: the new archive's comment of that time shows, the first archive's no more.
  await seek(page, 19);
  await play(page);
  await waitShown(page, 'other at twenty and a half');
  await pause(page);
  assert.equal((await shown(page)).filter((text) => text === 'twenty and a half').length, 1);

  // A second media element, at another place: the layer follows it and reads its window.
  await page.evaluate(async () => {
    const first = document.getElementById('audio') as HTMLAudioElement;
    const second = document.createElement('audio');
    second.id = 'second';
    second.muted = true;
    second.src = first.src;
    document.getElementById('layer')!.append(second);
    await new Promise((resolve) => second.addEventListener('canplay', resolve, { once: true }));
    second.currentTime = 44;
    await new Promise((resolve) => second.addEventListener('seeked', resolve, { once: true }));
    document.getElementById('layer')!.setAttribute('media', 'second');
    await second.play();
  });
  await waitShown(page, 'other much later');
  await page.close();
});
