import { expect, fixture, oneEvent } from '@open-wc/testing';
import '../danmaku-layer.js';
import type { DanmakuLayer } from '../danmaku-layer.js';
import { sleep, until, wav } from '../testing/media.js';

const texts = (layer: DanmakuLayer) => [...layer.shadowRoot!.querySelectorAll('.comment')].map((el) => el.textContent);

/** A layer bound by `media` to a muted video playing `seconds` of {@link wav}, once it has loaded. */
async function layerOnMedia(seconds: number): Promise<{ layer: DanmakuLayer; video: HTMLVideoElement }> {
  const host = await fixture<HTMLDivElement>(
    // A fixed 25 px type: `speed` is then the comments' speed as given (it scales with the type).
    `<div><danmaku-layer media="clip" style="width:640px;height:360px;--danmaku-font-size:25px"><video id="clip" muted></video></danmaku-layer></div>`,
  );
  const layer = host.querySelector('danmaku-layer')!;
  const video = host.querySelector('video')!;
  const loaded = oneEvent(video, 'loadeddata');
  video.src = wav(seconds);
  await loaded;
  return { layer, video };
}

describe('<danmaku-layer media>', () => {
  it('shows time-coded comments at their media time and follows play, pause, seek and rate', async function () {
    this.timeout(30_000);
    const { layer, video } = await layerOnMedia(6);
    // Media sync is loaded on first use: wait for it to take hold.
    await until(() => layer.paused, 'paused with the media');
    const ignored = layer.load([
      { text: 'at 0.3', time: 0.3 },
      { text: 'at 0.6', time: 0.6, mode: 'top' },
      { text: 'at 4', time: 4 },
      { text: 'no time' },
    ]);
    expect(ignored).to.equal(1);

    await video.play();
    await until(() => video.currentTime > 0.8, 'playback');
    expect(layer.paused).to.equal(false);
    expect(texts(layer)).to.have.members(['at 0.3', 'at 0.6']);
    layer.add({ text: 'live' });
    expect(texts(layer), 'live comments still appear').to.include('live');

    video.pause();
    await until(() => layer.paused, 'pause');
    const el = layer.shadowRoot!.querySelector<HTMLElement>('.comment')!;
    await sleep(50);
    const x = el.getBoundingClientRect().x;
    await sleep(300);
    expect(el.getBoundingClientRect().x, 'frozen with the media').to.equal(x);

    const seeked = oneEvent(video, 'seeked');
    video.currentTime = 3.8;
    await seeked;
    expect(texts(layer), 'a seek clears the stage').to.deep.equal([]);
    video.playbackRate = 2;
    await video.play();
    await until(() => texts(layer).includes('at 4'), 'the comment at 4 s');
    expect(texts(layer)).to.not.include('at 0.3');
    // It moves at twice the layer's speed: 2 px per ms of wall time at speed 1 px/ms.
    const moving = [...layer.shadowRoot!.querySelectorAll('.comment')].find((el) => el.textContent === 'at 4')!;
    // Measured once it is under way: a busy machine may start the first frame late. Rate 1 would
    // read about 1.0, rate 2 about 2.0; the band tells them apart with room for a loaded machine.
    await sleep(150);
    const x0 = moving.getBoundingClientRect().x;
    const t0 = performance.now();
    await sleep(500);
    const rate = (x0 - moving.getBoundingClientRect().x) / (((performance.now() - t0) / 1000) * layer.speed);
    expect(rate, 'follows playbackRate').to.be.within(1.5, 2.5);

    // Loaded while playing: a comment still ahead appears at its time, one already past does not.
    const now = video.currentTime;
    expect(
      layer.load([
        { text: 'ahead', time: now + 0.4 },
        { text: 'behind', time: now - 1 },
      ]),
    ).to.equal(0);
    await until(() => texts(layer).includes('ahead'), 'the comment loaded while playing');
    expect(texts(layer)).to.not.include('behind');
    // Unloaded: what was still to come never shows.
    layer.load([{ text: 'gone', time: video.currentTime + 0.3 }]);
    layer.unload();
    await sleep(500);
    expect(texts(layer)).to.not.include('gone');
    video.pause();
  });

  it('starts a new belt after a minute of its clock and lets the old one go once its comments have left', async function () {
    this.timeout(40_000);
    const { layer, video } = await layerOnMedia(90);
    // The layer's clock follows the media: at 16× a minute of it passes in under 4 s.
    video.playbackRate = 16;
    await video.play();
    await until(() => !layer.paused, 'playback');
    const belts = new Set<Element>();
    let most = 0;
    for (let i = 0; video.currentTime < 75; i++) {
      layer.add({ text: `comment ${i}` });
      const now = layer.shadowRoot!.querySelectorAll('.belt');
      now.forEach((belt) => belts.add(belt));
      most = Math.max(most, now.length);
      await sleep(40);
    }
    expect(belts.size, 'a new belt after a minute').to.be.at.least(2);
    expect(most, 'the old belt goes once empty').to.be.at.most(2);
    await until(() => layer.stats.onScreen === 0, 'the last comments to leave');
    expect(layer.shadowRoot!.querySelectorAll('.belt')).to.have.length(0);
    expect(layer.shadowRoot!.getAnimations()).to.have.length(0);
    video.pause();
  });
});
