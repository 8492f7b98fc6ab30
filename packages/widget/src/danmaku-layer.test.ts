import { expect, fixture, oneEvent, waitUntil } from '@open-wc/testing';
import { emulateMedia, sendMouse, resetMouse } from '@web/test-runner-commands';
import './danmaku-layer.js';
import type { DanmakuLayer } from './danmaku-layer.js';
import type { CommentMode, CommentSize } from './protocol.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

async function makeLayer(attributes = ''): Promise<DanmakuLayer> {
  const host = await fixture<HTMLDivElement>(
    `<div><danmaku-layer style="width:800px;height:450px" ${attributes}></danmaku-layer></div>`,
  );
  const layer = host.querySelector('danmaku-layer')!;
  await layer.updateComplete;
  return layer;
}

/** Comment elements on the stage (recycled ones are detached, waiting in a pool), those that have left out of sight included. */
function comments(layer: DanmakuLayer): HTMLElement[] {
  return [...layer.shadowRoot!.querySelectorAll<HTMLElement>('.comment')];
}

/**
 * A layer on which "first" has just left while "second", on the same belt, still rides (so the belt
 * stays): about a second to cross the 800 px stage, "second" added half a second after "first".
 * `beforeLeaving` runs once both are on the stage.
 */
async function firstLeavesSecondRides(
  attributes = '',
  beforeLeaving: (layer: DanmakuLayer) => void = () => {},
): Promise<{ layer: DanmakuLayer; first: HTMLElement }> {
  const layer = await makeLayer(attributes);
  layer.speed = 1200;
  await layer.updateComplete;
  layer.add({ text: 'first' });
  const [first] = comments(layer);
  await sleep(500);
  layer.add({ text: 'second' });
  beforeLeaving(layer);
  await waitUntil(() => layer.stats.onScreen === 1, 'the first comment leaves', { timeout: 5000, interval: 5 });
  return { layer, first };
}

function overlap(a: DOMRect, b: DOMRect): boolean {
  const e = 0.01;
  return a.left < b.right - e && b.left < a.right - e && a.top < b.bottom - e && b.top < a.bottom - e;
}

function clip(box: DOMRect, view: DOMRect): DOMRect {
  const left = Math.max(box.left, view.left);
  const top = Math.max(box.top, view.top);
  const right = Math.min(box.right, view.right);
  const bottom = Math.min(box.bottom, view.bottom);
  return new DOMRect(left, top, Math.max(0, right - left), Math.max(0, bottom - top));
}

const TEXTS = [
  '草',
  '666',
  'hello world',
  '前方高能!!!',
  'GG',
  'これはテストです',
  'nice one 👍',
  'a much longer comment about the scene',
  '哈哈哈哈哈哈',
  'ok',
];
const MODES: CommentMode[] = ['scroll', 'scroll', 'scroll', 'scroll', 'top', 'bottom'];
const SIZES: CommentSize[] = ['small', 'medium', 'medium', 'large'];

describe('<danmaku-layer> rendering', () => {
  afterEach(async () => {
    await emulateMedia({ reducedMotion: 'no-preference' });
    await resetMouse();
  });

  it('shows markup as text, never as HTML', async () => {
    const layer = await makeLayer();
    expect(layer.add({ text: '<img src=x onerror=alert(1)>' })).to.equal(true);
    const [el] = comments(layer);
    expect(el.textContent).to.equal('<img src=x onerror=alert(1)>');
    expect(layer.shadowRoot!.querySelector('img')).to.equal(null);
  });

  it('is hidden from assistive technology and click-through by default', async () => {
    const layer = await makeLayer();
    const stage = layer.shadowRoot!.querySelector('.stage')!;
    expect(stage.getAttribute('aria-hidden')).to.equal('true');
    layer.add({ text: 'through', mode: 'top' });
    const box = comments(layer)[0].getBoundingClientRect();
    const hit = layer.shadowRoot!.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
    expect(hit?.classList.contains('comment') ?? false).to.equal(false);
    await expect(layer).to.be.accessible();
  });

  it('never lets two comments overlap under a flood of 200 comments/s for 10 s', async function () {
    this.timeout(40_000);
    const layer = await makeLayer();
    layer.style.cssText = 'width:1280px;height:720px';
    layer.speed = 320;
    layer.fixedDuration = 1500;
    await layer.updateComplete;
    await sleep(50);
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(list: T[]): T => list[Math.floor(random() * list.length)];
    const start = performance.now();
    let sent = 0;
    let samples = 0;
    let pairs = 0;
    let peak = 0;
    while (performance.now() - start < 10_000) {
      const elapsed = performance.now() - start;
      // Half way, switch to equal-duration crossing: comments of different speeds share the lanes.
      if (elapsed > 5000 && layer.duration === 0) layer.duration = 3000;
      for (; sent < (elapsed / 1000) * 200; sent++) {
        layer.add({
          text: pick(TEXTS) + (random() < 0.3 ? ` ${sent}` : ''),
          mode: pick(MODES),
          size: pick(SIZES),
          color: pick(['#ffffff', '#ff5555', '#55ff55', '#ffcc00']),
        });
      }
      await frame();
      // What is visible: a comment waiting just beyond the entry edge (its start time is after
      // this frame's) is clipped away by the stage, as on screen.
      const view = layer.getBoundingClientRect();
      const boxes = comments(layer)
        .map((el) => clip(el.getBoundingClientRect(), view))
        .filter((box) => box.width > 0 && box.height > 0);
      peak = Math.max(peak, boxes.length);
      samples++;
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          pairs++;
          if (overlap(boxes[i], boxes[j])) {
            expect.fail(
              `overlap at ${Math.round(elapsed)} ms: ${JSON.stringify(boxes[i])} / ${JSON.stringify(boxes[j])}`,
            );
          }
        }
      }
    }
    const stats = layer.stats;
    console.log(JSON.stringify({ sent, samples, pairs, peak, stats }));
    expect(sent).to.be.greaterThan(1800);
    expect(samples).to.be.greaterThan(40);
    expect(pairs).to.be.greaterThan(10_000);
    expect(peak, 'a full stage').to.be.greaterThan(40);
    expect(stats.shown + stats.dropped + stats.queued).to.equal(sent);
    expect(stats.dropped, 'overload is dropped, not lagged').to.be.greaterThan(0);
  });

  it('recycles elements and animations: 10,000 comments shown leave a bounded stage', async function () {
    this.timeout(90_000);
    const layer = await makeLayer();
    // Very fast comments, so that 10,000 go through in seconds.
    layer.speed = 40_000;
    layer.fixedDuration = 20;
    await layer.updateComplete;
    const root = layer.shadowRoot!.querySelector('.stage')!;
    let peakNodes = 0;
    let peakAnimations = 0;
    let sent = 0;
    while (layer.stats.shown < 10_000) {
      for (let i = 0; i < 40; i++, sent++)
        layer.add({ text: `c${sent}`, mode: MODES[sent % MODES.length], size: SIZES[sent % 4] });
      await sleep(20);
      peakNodes = Math.max(peakNodes, root.querySelectorAll('*').length);
      peakAnimations = Math.max(peakAnimations, layer.shadowRoot!.getAnimations().length);
    }
    while (layer.stats.queued > 0 || layer.stats.onScreen > 0) await sleep(20);
    await frame();
    const stats = layer.stats;
    console.log(JSON.stringify({ peakNodes, peakAnimations, stats }));
    expect(stats.shown + stats.dropped).to.equal(sent);
    expect(stats.shown).to.be.at.least(10_000);
    expect(peakNodes, 'nodes stay bounded').to.be.lessThan(400);
    expect(peakAnimations, 'animations stay bounded').to.be.lessThan(400);
    // Everything left: no element, no belt and no animation stays behind.
    expect(layer.shadowRoot!.getAnimations()).to.have.length(0);
    expect(root.childElementCount).to.equal(0);
  });

  it('moves every scroll comment of one speed with one animation, however many are on screen', async () => {
    const layer = await makeLayer();
    layer.style.cssText = 'width:1280px;height:720px';
    await layer.updateComplete;
    await sleep(50);
    for (let i = 0; i < 400; i++) layer.add({ text: `${TEXTS[i % TEXTS.length]} ${i}`, size: SIZES[i % 4] });
    await sleep(1500);
    const moving = comments(layer);
    expect(moving.length, 'a full stage').to.be.greaterThan(30);
    // One belt, one animation: the per-frame work does not grow with the comments.
    expect(layer.shadowRoot!.getAnimations().filter((a) => a.playState === 'running')).to.have.length(1);
    // And they do move, right to left.
    const before = moving.map((el) => el.getBoundingClientRect().x);
    await sleep(200);
    const after = moving.map((el) => el.getBoundingClientRect().x);
    for (let i = 0; i < moving.length; i++) expect(after[i], moving[i].textContent).to.be.lessThan(before[i]);
  });

  it('lays out each lane of a belt on its own: its comments share one row, contained in layout and size', async () => {
    const layer = await makeLayer();
    const a = layer.add({ text: 'a' }) && comments(layer)[0];
    const b = layer.add({ text: 'b' }) && comments(layer).find((el) => el.textContent === 'b');
    // Once the tail of "a" has cleared the entry edge, "c" goes into its lane, the first from the top.
    await sleep(600);
    expect(layer.add({ text: 'c' })).to.equal(true);
    const c = comments(layer).find((el) => el.textContent === 'c');
    expect(a && b && c, 'all three shown').to.be.ok;
    const row = a && a.parentElement!;
    expect(row && row.classList.contains('row')).to.equal(true);
    expect(c && c.parentElement, 'same lane, same row').to.equal(row);
    expect(b && b.parentElement, 'another lane, another row').to.not.equal(row);
    expect(getComputedStyle(row as HTMLElement).contain)
      .to.include('layout')
      .and.to.include('size');
    // The row moves with its belt: the comments still move right to left.
    const x = (c as HTMLElement).getBoundingClientRect().x;
    await sleep(100);
    expect((c as HTMLElement).getBoundingClientRect().x).to.be.lessThan(x);
  });

  it('leaves a scroll comment that has left where it is, out of sight, for the next comment to take', async () => {
    const removed: Node[] = [];
    const observer = new MutationObserver((records) => records.forEach((r) => removed.push(...r.removedNodes)));
    const { layer, first } = await firstLeavesSecondRides('', (layer) =>
      observer.observe(layer.shadowRoot!, { childList: true, subtree: true }),
    );
    const stage = layer.shadowRoot!.querySelector('.stage')!.getBoundingClientRect();
    expect(first.isConnected, 'still in place').to.equal(true);
    expect(first.getBoundingClientRect().right, 'out of sight').to.be.at.most(stage.left);
    expect(removed, 'nothing taken out of the page when it left').to.have.length(0);
    expect(layer.add({ text: 'third' })).to.equal(true);
    expect(first.textContent, 'its element taken by the next comment').to.equal('third');
    expect(first.getBoundingClientRect().left).to.be.at.least(stage.right - 1);
    observer.disconnect();
    // Comments taken off the stage before they leave (cleared, retracted) go at once.
    layer.clear();
    expect(comments(layer)).to.have.length(0);
  });

  it('takes a comment that has left past the right edge (reverse) out at once: a wider stage would show it', async () => {
    const { layer, first } = await firstLeavesSecondRides('reverse');
    expect(first.isConnected, 'taken out').to.equal(false);
    // Fullscreen, say: nothing that has left comes back into view.
    layer.style.width = '1600px';
    await frame();
    const stage = layer.shadowRoot!.querySelector('.stage')!.getBoundingClientRect();
    const inView = comments(layer).filter((el) => {
      const box = el.getBoundingClientRect();
      return box.right > stage.left && box.left < stage.right;
    });
    expect(inView.map((el) => el.textContent)).to.deep.equal(['second']);
  });

  it('pauses every comment where it is and resumes from there', async () => {
    const layer = await makeLayer();
    layer.add({ text: 'moving' });
    const [el] = comments(layer);
    await sleep(200);
    layer.pause();
    expect(layer.paused).to.equal(true);
    await frame();
    const x = el.getBoundingClientRect().x;
    await sleep(300);
    expect(el.getBoundingClientRect().x).to.equal(x);
    layer.resume();
    await sleep(300);
    await frame();
    const moved = x - el.getBoundingClientRect().x;
    // 160 px/s for about 0.3 s; loose bounds: this is behaviour, not timing.
    expect(moved).to.be.greaterThan(10);
    expect(moved).to.be.lessThan(160);
  });

  it('moves at a constant speed whatever the text length', async () => {
    const layer = await makeLayer();
    layer.add({ text: 'a' });
    layer.add({ text: 'a much much longer comment than the first one' });
    const [short, long] = comments(layer);
    await sleep(150);
    await frame();
    const x1 = [short.getBoundingClientRect().x, long.getBoundingClientRect().x];
    await sleep(300);
    await frame();
    const x2 = [short.getBoundingClientRect().x, long.getBoundingClientRect().x];
    expect(x1[0] - x2[0]).to.be.closeTo(x1[1] - x2[1], 1);
  });

  it('leaves out blocked and filtered comments, hidden modes and thinned density', async () => {
    const layer = await makeLayer();
    layer.blocklist = ['spoiler', /^\d+$/];
    layer.filter = (c) => c.color !== '#ff0000';
    layer.hideModes = 'bottom';
    await layer.updateComplete;
    expect(layer.add({ text: 'big SPOILER' })).to.equal(false);
    expect(layer.add({ text: '12345' })).to.equal(false);
    expect(layer.add({ text: 'red', color: '#ff0000' })).to.equal(false);
    expect(layer.add({ text: 'down', mode: 'bottom' })).to.equal(false);
    expect(layer.add({ text: 'fine' })).to.equal(true);
    expect(comments(layer).map((el) => el.textContent)).to.deep.equal(['fine']);
    layer.density = 0.5;
    for (let i = 0; i < 10; i++) layer.add({ text: `d${i}`, mode: 'top', size: 'small' });
    expect(layer.stats.filtered).to.equal(4 + 5);
    // Hiding a mode also hides what is on the stage.
    layer.hideModes = 'scroll';
    await layer.updateComplete;
    expect(getComputedStyle(comments(layer)[0]).visibility).to.equal('hidden');
  });

  it('merges identical text into one comment with a counter', async () => {
    const layer = await makeLayer('merge="2000"');
    for (let i = 0; i < 3; i++) layer.add({ text: '666' });
    const shown = comments(layer);
    expect(shown.map((el) => el.textContent)).to.deep.equal(['666 ×3']);
    expect(layer.stats.merged).to.equal(2);
  });

  it('drops and reports what finds no room in time', async () => {
    const layer = await makeLayer('max-wait="200" area="0.08"');
    const drops: string[] = [];
    const texts: string[] = [];
    layer.addEventListener('danmaku-drop', ({ detail }) => {
      expect(detail.comment).to.equal(detail.comments[0]);
      for (const comment of detail.comments) {
        drops.push(detail.reason);
        texts.push(comment.text);
      }
    });
    for (let i = 0; i < 5; i++) layer.add({ text: `busy ${i}` });
    expect(layer.stats.queued).to.be.greaterThan(0);
    await sleep(500);
    expect(layer.stats.dropped).to.be.greaterThan(0);
    expect(drops.every((reason) => reason === 'overload')).to.equal(true);
    expect(drops.length).to.equal(layer.stats.dropped);
    expect(new Set(texts).size, 'each reported once').to.equal(texts.length);
  });

  it('reports a flood of drops together, once per pass of the waiting line, in order of arrival', async () => {
    const layer = await makeLayer('max-queue="5" area="0.08"');
    const events: string[][] = [];
    layer.addEventListener('danmaku-drop', ({ detail }) => events.push(detail.comments.map((c) => c.text)));
    for (let i = 0; i < 50; i++) layer.add({ text: `flood ${i}` });
    expect(events, 'reported by the next tick, not by each arrival').to.have.length(0);
    expect(layer.stats.dropped).to.be.greaterThan(30);
    await waitUntil(() => events.length > 0, 'the drops are reported', { timeout: 1000 });
    const first = events[0];
    expect(first.length).to.be.greaterThan(30);
    expect(first.map((text) => Number(text.split(' ')[1]))).to.deep.equal(
      [...first.keys()].map((i) => Number(first[0].split(' ')[1]) + i),
    );
  });

  it('drops what arrives or waits while the page is hidden, so nothing bursts out on return', async () => {
    const layer = await makeLayer('max-wait="60000"');
    const drops: string[] = [];
    layer.addEventListener('danmaku-drop', (e) => drops.push(...e.detail.comments.map(() => e.detail.reason)));
    // Far more than fits: most wait for room.
    for (let i = 0; i < 80; i++) layer.add({ text: `before ${i} ${TEXTS[i % TEXTS.length]}` });
    const { onScreen, queued } = layer.stats;
    expect(queued, 'a waiting line').to.be.greaterThan(10);
    // Headless Chromium never hides a page by itself: report hidden the way a browser does.
    const setVisibility = (state: DocumentVisibilityState) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
      document.dispatchEvent(new Event('visibilitychange'));
    };
    try {
      setVisibility('hidden');
      expect(layer.stats.queued, 'the waiting line is let go').to.equal(0);
      for (let i = 0; i < 20; i++) expect(layer.add({ text: `while hidden ${i}` })).to.equal(false);
      expect(drops.filter((r) => r === 'hidden')).to.have.length(queued + 20);
      await sleep(300);
    } finally {
      delete (document as { visibilityState?: unknown }).visibilityState;
      document.dispatchEvent(new Event('visibilitychange'));
    }
    // Back: what was on the stage went on as it would have; nothing that waited shows up now.
    expect(layer.stats.onScreen).to.be.at.most(onScreen);
    expect(comments(layer).some((el) => el.textContent.startsWith('while hidden'))).to.equal(false);
    expect(layer.add({ text: 'after' })).to.equal(true);
    expect(layer.stats.queued + layer.stats.onScreen).to.be.at.most(onScreen + 1);
  });

  it('hides without losing state', async () => {
    const layer = await makeLayer();
    layer.add({ text: 'still here' });
    layer.hidden = true;
    await layer.updateComplete;
    const stage = layer.shadowRoot!.querySelector('.stage')!;
    expect(getComputedStyle(stage).visibility).to.equal('hidden');
    expect(getComputedStyle(layer).display).to.equal('block');
    expect(layer.add({ text: 'while hidden' })).to.equal(true);
    expect(comments(layer)).to.have.length(2);
    layer.hidden = false;
    expect(getComputedStyle(stage).visibility).to.equal('visible');
  });

  it('fades comments in place under prefers-reduced-motion', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    const layer = await makeLayer();
    layer.add({ text: 'calm' });
    const [el] = comments(layer);
    await sleep(300);
    const x = el.getBoundingClientRect().x;
    await sleep(300);
    expect(el.getBoundingClientRect().x).to.equal(x);
    expect(Number(getComputedStyle(el).opacity)).to.be.greaterThan(0);
  });

  it('re-lays lanes on resize without moving what is on the stage', async () => {
    const layer = await makeLayer();
    layer.add({ text: 'before' });
    const [before] = comments(layer);
    await sleep(200);
    await frame();
    const x = before.getBoundingClientRect().x;
    layer.style.width = '500px';
    await sleep(100);
    await frame();
    const moved = x - before.getBoundingClientRect().x;
    expect(moved, 'no jump: it only went on at its speed').to.be.within(0, 60);
    layer.add({ text: 'after', mode: 'top' });
    const after = comments(layer).find((el) => el.textContent === 'after')!;
    const box = after.getBoundingClientRect();
    const view = layer.getBoundingClientRect();
    expect(box.left - view.left, 'centred in the new width').to.be.closeTo(view.right - box.right, 2);
  });

  it('underlines own comments, which carry part "own"', async () => {
    const layer = await makeLayer();
    layer.add({ text: 'mine', own: true } as never);
    layer.add({ text: 'theirs' });
    const [mine, theirs] = comments(layer);
    expect(mine.getAttribute('part')).to.equal('comment own');
    expect(getComputedStyle(mine).textDecorationLine).to.equal('underline');
    expect(getComputedStyle(mine).outlineStyle, 'no debug box').to.equal('none');
    expect(getComputedStyle(theirs).textDecorationLine).to.equal('none');
  });

  it('when interactive, pauses a hovered comment and reports clicks', async () => {
    const layer = await makeLayer('interactive');
    layer.speed = 60;
    layer.add({ text: 'click me', size: 'large' });
    const [el] = comments(layer);
    await sleep(600);
    const box = el.getBoundingClientRect();
    await sendMouse({ type: 'move', position: [Math.round(box.x + 10), Math.round(box.y + box.height / 2)] });
    await sleep(50);
    const held = el.getBoundingClientRect().x;
    await sleep(300);
    expect(el.getBoundingClientRect().x, 'paused under the pointer').to.equal(held);
    const clicked = oneEvent(layer, 'danmaku-comment-click');
    await sendMouse({ type: 'click', position: [Math.round(box.x + 10), Math.round(box.y + box.height / 2)] });
    const event = await clicked;
    expect(event.detail.comment.text).to.equal('click me');
    await sendMouse({ type: 'move', position: [5, 5] });
    await sleep(300);
    expect(el.getBoundingClientRect().x, 'moves again').to.be.lessThan(held);
  });

  it('turned interactive later, loads its pointer code and hears the first hover and click', async () => {
    const layer = await makeLayer();
    layer.speed = 60;
    layer.add({ text: 'hover me', size: 'large' });
    const [el] = comments(layer);
    await sleep(300);
    const centre = (): [number, number] => {
      const box = el.getBoundingClientRect();
      return [Math.round(box.x + 10), Math.round(box.y + box.height / 2)];
    };
    const hit = () => layer.shadowRoot!.elementFromPoint(...centre());
    expect(hit(), 'click-through while not interactive').to.not.equal(el);
    layer.interactive = true;
    // The comment takes the pointer once the code that handles it has arrived, not before.
    await waitUntil(() => hit() === el, 'the comment never took the pointer');
    await sendMouse({ type: 'move', position: centre() });
    await sleep(50);
    const held = el.getBoundingClientRect().x;
    await sleep(300);
    expect(el.getBoundingClientRect().x, 'the first hover holds it').to.equal(held);
    const clicked = oneEvent(layer, 'danmaku-comment-click');
    await sendMouse({ type: 'click', position: centre() });
    expect((await clicked).detail.comment.text).to.equal('hover me');
    // Turning interactive off lets a held comment go, with the pointer still on it.
    layer.interactive = false;
    await layer.updateComplete;
    await sleep(300);
    expect(el.getBoundingClientRect().x, 'moves again').to.be.lessThan(held);
    expect(hit(), 'click-through again').to.not.equal(el);
  });

  it('shows every mode again once the hide-modes attribute is removed', async () => {
    const layer = await makeLayer('hide-modes="top"');
    expect(layer.add({ text: 'hidden', mode: 'top' })).to.equal(false);
    layer.removeAttribute('hide-modes');
    await layer.updateComplete;
    expect(layer.add({ text: 'shown', mode: 'top' })).to.equal(true);
  });

  it('announces comments through a rate-limited live region when asked', async () => {
    const layer = await makeLayer('announce');
    layer.add({ text: 'first' });
    layer.add({ text: 'second' });
    // The region comes with the announce module; its first change waits for it to settle.
    await waitUntil(() => layer.shadowRoot!.querySelector('[aria-live]')?.textContent === 'second', 'announced', {
      timeout: 3000,
    });
    const region = layer.shadowRoot!.querySelector('[aria-live]')!;
    expect(region.textContent).to.equal('second');
    layer.add({ text: 'third' });
    await sleep(50);
    expect(region.textContent, 'not before the interval').to.equal('second');
  });
});

describe('<danmaku-layer> status events', () => {
  it('fires its first danmaku-status once the task that connected it has ended, so frameworks hear it after mount', async () => {
    const layer = document.createElement('danmaku-layer');
    // Nothing listens on this port: the layer stays `connecting`.
    layer.src = 'ws://127.0.0.1:9/ws';
    const heard: string[] = [];
    layer.addEventListener('danmaku-status', (e) => heard.push(e.detail.status));
    document.body.append(layer);
    await Promise.resolve();
    expect(layer.status, 'the property is current at once').to.equal('connecting');
    expect(heard, 'not in the task that connected it, microtasks included').to.deep.equal([]);
    await sleep(0);
    expect(heard).to.deep.equal(['connecting']);
    layer.remove();
    expect(heard, 'later changes are told at once').to.deep.equal(['connecting', 'closed']);
  });
});
