// Moderation end to end: pages in Chromium with the built bundle, against the real reference server
// with JWT authentication. A moderator's retraction leaves other screens and the history; a muted
// viewer's send fails with the time left; slow mode; an author's retraction inside and after the
// window; presence counts as pages join and leave.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startServer, type RunningServer } from './support/server.js';

// This file runs from test/build/.
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const secret = 'a-test-secret-that-is-at-least-32-bytes-long';
const audience = 'danmaku-test';

let server: RunningServer;
let browser: Browser;
before(async () => {
  // A short author's window, so that "after the window" takes a second, not two minutes.
  // Spread: the option is the moderation server's (retractWindow, seconds).
  const moderation = { retractWindow: 1 };
  server = await startServer({ demo: fixtures, auth: { secret, audience }, ...moderation });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

function sign(sub: string, claims: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setAudience(audience)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));
}

/** A page with one connected layer in `room`, signed in as `sub`; `last` asks for history on joining. */
async function viewer(room: string, sub: string, claims: Record<string, unknown> = {}, last = 0): Promise<Page> {
  const token = await sign(sub, claims);
  const page = await browser.newPage({ viewport: { width: 900, height: 600 } });
  await page.goto(`${server.http}/overlay.html`);
  await page.waitForFunction(() => customElements.get('danmaku-layer') !== undefined);
  await page.evaluate(
    ({ src, room, token, last }) => {
      document.body.innerHTML = '';
      const layer = document.createElement('danmaku-layer');
      layer.style.cssText = 'display:block;width:800px;height:450px';
      layer.fixedDuration = 60_000;
      Object.assign(layer, { src, room, token, last });
      const w = window as unknown as { received: number[]; retracted: number[][] };
      w.received = [];
      w.retracted = [];
      layer.addEventListener('danmaku-comment', (e) => w.received.push(e.detail.comment.seq));
      layer.addEventListener('danmaku-retract', (e) => w.retracted.push(e.detail.seqs));
      document.body.append(layer);
    },
    { src: server.ws, room, token, last },
  );
  await page.waitForFunction(() => document.querySelector('danmaku-layer')?.status === 'open');
  return page;
}

interface CallResult<T = unknown> {
  ok: boolean;
  value: T;
  code?: string;
  retryAfter?: number;
}

/** Calls one of the layer's methods in the page; a rejection comes back as its code and retryAfter. */
const call = <T = unknown>(page: Page, method: string, ...args: unknown[]): Promise<CallResult<T>> =>
  page.evaluate(
    async ({ method, args }) => {
      const layer = document.querySelector('danmaku-layer') as unknown as Record<
        string,
        (...args: unknown[]) => Promise<unknown>
      >;
      try {
        return { ok: true, value: await layer[method](...args) };
      } catch (error) {
        const { code, retryAfter } = error as { code: string; retryAfter?: number };
        return { ok: false, value: undefined, code, retryAfter };
      }
    },
    { method, args },
  ) as Promise<CallResult<T>>;

const onStage = (page: Page): Promise<string[]> =>
  page.evaluate(() =>
    [...document.querySelector('danmaku-layer')!.shadowRoot!.querySelectorAll('.comment')].map((e) => e.textContent),
  );

test('a moderator retracts a comment: it leaves another screen within a second, and a late joiner never gets it', async () => {
  const room = 'mod-retract';
  const moderator = await viewer(room, 'mod-1', { role: 'moderator' });
  const author = await viewer(room, 'author-1');
  const watcher = await viewer(room, 'watcher-1');
  try {
    assert.equal(await moderator.evaluate(() => document.querySelector('danmaku-layer')!.userRole), 'moderator');
    assert.equal(await author.evaluate(() => document.querySelector('danmaku-layer')!.userRole), undefined);
    const sent = await call<{ seq: number }>(author, 'send', 'my phone is 555-0100');
    assert.ok(sent.ok);
    const { seq } = sent.value;
    await call(author, 'send', 'a fine comment');
    await watcher.waitForFunction(() => (window as unknown as { received: number[] }).received.length === 2);
    assert.ok((await onStage(watcher)).includes('my phone is 555-0100'));

    const retracted = await call(moderator, 'retract', seq);
    assert.ok(retracted.ok, 'the moderator’s retraction is acknowledged');
    await watcher.waitForFunction(
      () => (window as unknown as { retracted: number[][] }).retracted.length > 0,
      undefined,
      {
        timeout: 1000,
      },
    );
    assert.deepEqual(await watcher.evaluate(() => (window as unknown as { retracted: number[][] }).retracted), [[seq]]);
    assert.deepEqual(await onStage(watcher), ['a fine comment']);

    const late = await viewer(room, 'late-1', {}, 10);
    try {
      await late.waitForFunction(() => (window as unknown as { received: number[] }).received.length >= 1);
      assert.deepEqual(await late.evaluate(() => (window as unknown as { received: number[] }).received), [seq + 1]);
    } finally {
      await late.close();
    }

    // Retracting it again: it is gone.
    const again = await call(moderator, 'retract', seq);
    assert.deepEqual([again.ok, again.code], [false, 'not_found']);
  } finally {
    await Promise.all([moderator.close(), author.close(), watcher.close()]);
  }
});

test('a viewer may not moderate; an author retracts their own comment inside the window, not after', async () => {
  const room = 'mod-author';
  const author = await viewer(room, 'author-2');
  const other = await viewer(room, 'other-2');
  try {
    const mine = await call<{ seq: number }>(author, 'send', 'oops');
    const refused = await call(other, 'retract', mine.value.seq);
    assert.deepEqual([refused.ok, refused.code], [false, 'forbidden']);
    const moderation: [string, ...unknown[]][] = [
      ['mute', { user: 'author-2' }, 60],
      ['setSlowMode', 5],
      ['clearRoom'],
    ];
    for (const [method, ...args] of moderation) {
      const result = await call(other, method, ...args);
      assert.deepEqual([result.ok, result.code], [false, 'forbidden'], method);
    }
    assert.equal(await author.evaluate(() => document.querySelector('danmaku-layer')!.retractWindow), 1);
    const ok = await call(author, 'retract', mine.value.seq);
    assert.ok(ok.ok, 'inside the window');

    const late = await call<{ seq: number }>(author, 'send', 'too late to take back');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = await call(author, 'retract', late.value.seq);
    assert.deepEqual([after.ok, after.code], [false, 'forbidden']);
  } finally {
    await Promise.all([author.close(), other.close()]);
  }
});

test('a muted viewer’s send is refused with the time left; slow mode reaches every viewer', async () => {
  const room = 'mod-mute';
  const moderator = await viewer(room, 'mod-3', { role: 'moderator' });
  const noisy = await viewer(room, 'noisy-3');
  try {
    const muted = await call(moderator, 'mute', { user: 'noisy-3' }, 60);
    assert.ok(muted.ok);
    const refused = await call(noisy, 'send', 'hello?');
    assert.deepEqual([refused.ok, refused.code], [false, 'forbidden']);
    const left = refused.retryAfter ?? 0;
    assert.ok(left > 55_000 && left <= 60_000, `retryAfter ${left}`);
    assert.ok((await call(moderator, 'unmute', { user: 'noisy-3' })).ok);
    assert.ok((await call(noisy, 'send', 'back again')).ok);

    assert.ok((await call(moderator, 'setSlowMode', 30)).ok);
    await noisy.waitForFunction(() => document.querySelector('danmaku-layer')!.slowMode === 30);
    assert.ok((await call(noisy, 'send', 'one')).ok);
    const slowed = await call(noisy, 'send', 'two');
    assert.deepEqual([slowed.ok, slowed.code], [false, 'rate_limited']);
    assert.ok((slowed.retryAfter ?? 0) > 0 && (slowed.retryAfter ?? 0) <= 30_000);
  } finally {
    await Promise.all([moderator.close(), noisy.close()]);
  }
});

test('presence: every page learns the viewer count as pages join and leave', async () => {
  const room = 'mod-presence';
  const first = await viewer(room, 'p-1');
  const second = await viewer(room, 'p-2');
  try {
    const count = (page: Page) => page.evaluate(() => document.querySelector('danmaku-layer')!.viewers);
    // The server tells at most once every few seconds.
    await first.waitForFunction(() => document.querySelector('danmaku-layer')!.viewers === 2, undefined, {
      timeout: 10_000,
    });
    assert.equal(await count(second), 2);
    await second.close();
    await first.waitForFunction(() => document.querySelector('danmaku-layer')!.viewers === 1, undefined, {
      timeout: 10_000,
    });
  } finally {
    await first.close();
    if (!second.isClosed()) await second.close();
  }
});
