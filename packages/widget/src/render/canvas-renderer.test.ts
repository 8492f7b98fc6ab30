import { expect, fixture, oneEvent, waitUntil } from '@open-wc/testing';
import { resetMouse, sendMouse } from '@web/test-runner-commands';
import '../danmaku-layer.js';
import type { DanmakuLayer } from '../danmaku-layer.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A layer with the canvas renderer; `add` runs before its renderer has loaded. */
async function makeLayer(add: (layer: DanmakuLayer) => void = () => {}): Promise<DanmakuLayer> {
  const host = await fixture<HTMLDivElement>(
    `<div><danmaku-layer renderer="canvas" style="width:800px;height:450px"></danmaku-layer></div>`,
  );
  const layer = host.querySelector('danmaku-layer')!;
  add(layer);
  await layer.updateComplete;
  await waitUntil(() => layer.shadowRoot!.querySelector('canvas'), 'the canvas renderer loads', { timeout: 5000 });
  return layer;
}

describe('<danmaku-layer renderer="canvas">', () => {
  it('keeps comments that arrive while the renderer loads, and shows them', async () => {
    const layer = await makeLayer((layer) => {
      layer.add({ text: 'early one' });
      layer.add({ text: 'early two', mode: 'top' });
    });
    expect(layer.stats.shown).to.equal(2);
    expect(layer.stats.onScreen).to.equal(2);
  });

  it('runs no animation and makes no comment element on the page', async () => {
    const layer = await makeLayer();
    for (let i = 0; i < 40; i++) layer.add({ text: `comment ${i}`, mode: i % 5 === 0 ? 'top' : 'scroll' });
    await sleep(300);
    expect(layer.stats.onScreen).to.be.greaterThan(10);
    expect(layer.shadowRoot!.getAnimations(), 'animations').to.have.length(0);
    expect(layer.shadowRoot!.querySelectorAll('[part~="comment"], .belt'), 'elements').to.have.length(0);
  });

  it('places, waits and drops like the DOM renderer: every comment is accounted for', async () => {
    const layer = await makeLayer();
    layer.maxWait = 200;
    await layer.updateComplete;
    const drops: string[] = [];
    layer.addEventListener('danmaku-drop', (e) => drops.push(...e.detail.comments.map(() => e.detail.reason)));
    for (let i = 0; i < 300; i++) layer.add({ text: `flood ${i}` });
    await waitUntil(() => layer.stats.queued === 0, 'the waiting line empties', { timeout: 5000 });
    const { shown, dropped } = layer.stats;
    expect(shown + dropped).to.equal(300);
    expect(dropped).to.be.greaterThan(0);
    expect(drops.length).to.equal(dropped);
    expect(new Set(drops)).to.deep.equal(new Set(['overload']));
    layer.clear();
    expect(layer.stats.onScreen).to.equal(0);
  });

  it('with interactive, hover holds a comment and click reports it, from the placement: no element takes the pointer', async () => {
    const layer = await makeLayer();
    layer.interactive = true;
    // Long enough for the pointer to arrive however slowly the browser is driven; the hold is then
    // measured from the comment's own end, not from a guess at how long moving the mouse takes.
    layer.fixedDuration = 1500;
    await layer.updateComplete;
    // `interactive` fetches the interaction module; a pointer that moves before it arrives is not
    // followed yet (the next move is). Importing it here waits for the same module.
    await import('../features/interaction.js');
    // A top comment stands centred in the first lane.
    layer.add({ text: 'hold me', mode: 'top', size: 'large' });
    const added = performance.now();
    const box = layer.getBoundingClientRect();
    const centre: [number, number] = [Math.round(box.x + box.width / 2), Math.round(box.y + 12)];
    await sendMouse({ type: 'move', position: [centre[0], centre[1] + 200] });
    await sendMouse({ type: 'move', position: centre });
    expect(performance.now() - added, 'the pointer arrived while the comment stood').to.be.lessThan(1500);
    await sleep(1500 + 400 - (performance.now() - added));
    expect(layer.stats.onScreen, 'held past its time under the pointer').to.equal(1);
    const clicked = oneEvent(layer, 'danmaku-comment-click');
    await sendMouse({ type: 'click', position: centre });
    expect((await clicked).detail.comment.text).to.equal('hold me');
    await sendMouse({ type: 'move', position: [centre[0], centre[1] + 200] });
    await waitUntil(() => layer.stats.onScreen === 0, 'let go, it leaves', { timeout: 3000 });
    await resetMouse();
  });

  it('ends its worker and canvas when the layer leaves the page, and starts anew when it comes back', async () => {
    const layer = await makeLayer();
    const parent = layer.parentElement!;
    layer.add({ text: 'before' });
    layer.remove();
    expect(layer.shadowRoot!.querySelector('canvas'), 'the canvas went with its worker').to.equal(null);
    parent.append(layer);
    await waitUntil(() => layer.shadowRoot!.querySelector('canvas'), 'a new canvas renderer', { timeout: 5000 });
    expect(layer.add({ text: 'after' })).to.equal(true);
    expect(layer.stats.shown, 'counters carry over').to.equal(2);
  });
});
