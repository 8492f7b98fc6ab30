// `ignore-rate` in Chromium: with a real video playing at twice its speed, a layer that follows the
// playback rate moves its comments twice as fast as one that ignores it; turning it off again
// makes both follow.
import { expect, fixture, oneEvent } from '@open-wc/testing';
import '../danmaku-layer.js';
import type { DanmakuLayer } from '../danmaku-layer.js';
import { sleep, wav } from '../testing/media.js';

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited > 8000) throw new Error(what);
    await sleep(20);
  }
}

/** How far (px) the comment of each layer moves while both are watched over the same time. */
async function moved(layers: DanmakuLayer[]): Promise<number[]> {
  const comments = layers.map((layer) => layer.shadowRoot!.querySelector<HTMLElement>('.comment')!);
  const before = comments.map((el) => el.getBoundingClientRect().x);
  await sleep(600);
  return comments.map((el, i) => before[i] - el.getBoundingClientRect().x);
}

describe('<danmaku-layer ignore-rate>', () => {
  it('keeps comments at their own pace while the media plays faster, and follows it again when unset', async function () {
    this.timeout(30_000);
    const host = await fixture<HTMLDivElement>(`<div>
      <video id="fast" muted></video>
      <danmaku-layer media="fast" speed="100" style="display:block;width:4000px;height:100px"></danmaku-layer>
      <danmaku-layer media="fast" speed="100" ignore-rate style="display:block;width:4000px;height:100px"></danmaku-layer>
    </div>`);
    const video = host.querySelector('video')!;
    const layers = [...host.querySelectorAll('danmaku-layer')];
    const loaded = oneEvent(video, 'loadeddata');
    video.src = wav(20);
    await loaded;
    // Media sync is loaded on first use: it has taken hold once it pauses the layers with the
    // paused video, and follows the video from then on.
    await waitFor(() => layers.every((layer) => layer.paused), 'the layers never followed the paused media');
    video.playbackRate = 2;
    await video.play();
    await waitFor(() => layers.every((layer) => !layer.paused), 'the layers never played with the media');
    for (const layer of layers) layer.add({ text: 'racing along' });
    const [following, ignoring] = await moved(layers);
    expect(following / ignoring, `${following} px against ${ignoring} px`).to.be.within(1.6, 2.4);

    layers[1].ignoreRate = false;
    await layers[1].updateComplete;
    const [a, b] = await moved(layers);
    expect(a / b, `${a} px against ${b} px`).to.be.within(0.8, 1.25);
    video.pause();
  });
});
