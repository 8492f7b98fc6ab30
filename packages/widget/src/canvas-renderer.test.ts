import { expect, fixture, waitUntil } from '@open-wc/testing';
import './danmaku-layer.js';
import type { DanmakuLayer } from './danmaku-layer.js';

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
    layer.addEventListener('danmaku-drop', (e) => drops.push((e as CustomEvent).detail.reason));
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

  it('pauses and resumes with the page, and shows markup as text (there is no markup to run)', async () => {
    const layer = await makeLayer();
    layer.add({ text: '<img src=x onerror="window.ran=1">' });
    layer.pause();
    expect(layer.paused).to.equal(true);
    layer.resume();
    expect(layer.paused).to.equal(false);
    await sleep(100);
    expect(layer.shadowRoot!.querySelector('img')).to.equal(null);
    expect((window as { ran?: number }).ran).to.equal(undefined);
  });
});
