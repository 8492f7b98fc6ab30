import { expect, fixture, waitUntil } from '@open-wc/testing';
import { html } from 'lit';
import '../danmaku-layer.js';
import type { DanmakuLayer } from '../danmaku-layer.js';
import { wav } from '../testing/media.js';

const XML = `<?xml version="1.0" encoding="UTF-8"?><i>
  <d p="2,1,25,16711680,1600000000,0,u1,101">red scroll</d>
  <d p="2,5,36,255,1600000000,0,u2,102">&lt;b&gt;not bold&lt;/b&gt; &amp; top</d>
  <d p="3,7,25,16777215,1600000000,0,u3,103">[0,0,"1-1",4.5,"positioned"]</d>
  <d p="4,1,25,16777215,1600000000,0,u4,104">${'x'.repeat(101)}</d>
</i>`;

async function layerWithAudio(): Promise<{ layer: DanmakuLayer; audio: HTMLAudioElement }> {
  const layer = await fixture<DanmakuLayer>(html`
    <danmaku-layer media="audio" style="display:block;width:640px;height:360px">
      <audio id="audio" muted preload="auto" src=${wav(20)}></audio>
    </danmaku-layer>
  `);
  const audio = layer.querySelector('audio')!;
  // Enough data to seek at once: a seek made with metadata only may wait for a load that never starts.
  if (audio.readyState < 3) await new Promise((resolve) => audio.addEventListener('canplay', resolve, { once: true }));
  return { layer, audio };
}

const onStage = (layer: DanmakuLayer): Element[] => [...layer.shadowRoot!.querySelectorAll('[part~="comment"]')];

describe('load() of archive text', () => {
  it('reads bilibili XML: kept comments show at their media time, as text; skipped ones are counted', async () => {
    const { layer, audio } = await layerWithAudio();
    const left = await layer.load(XML);
    expect(left).to.equal(2); // one advanced mode, one over-long text
    expect(onStage(layer)).to.have.length(0);
    audio.currentTime = 2;
    const texts = (): Array<string | null> => onStage(layer).map((el) => el.textContent);
    await waitUntil(() => texts().includes('red scroll'), `red scroll shows: ${JSON.stringify(texts())}`);
    await waitUntil(() => texts().includes('<b>not bold</b> & top'), `the top one shows: ${JSON.stringify(texts())}`);
    expect(layer.shadowRoot!.querySelector('b')).to.equal(null);
  });

  it('reads DPlayer JSON text', async () => {
    const { layer, audio } = await layerWithAudio();
    const json = JSON.stringify({
      code: 0,
      data: [
        [1, 1, 16711680, 'a', 'dplayer top'],
        [1, 9, 0, 'b', 'unknown type'],
      ],
    });
    expect(await layer.load(json)).to.equal(1);
    audio.currentTime = 1;
    await waitUntil(() => onStage(layer).some((el) => el.textContent === 'dplayer top'));
  });

  it('counts unreadable text as left out, and keeps going', async () => {
    const { layer } = await layerWithAudio();
    expect(await layer.load('not an archive')).to.equal(1);
    expect(layer.load([{ text: 'still works', time: 1 }])).to.equal(0);
  });
});
