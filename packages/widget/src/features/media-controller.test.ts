// MediaController on a host of its own (not the layer), with real <video> elements.
import { expect, waitUntil } from '@open-wc/testing';
import { ReactiveElement } from '@lit/reactive-element';
import { MediaController } from './media-controller.js';

interface Timed {
  text: string;
  time: number;
}

class MediaHost extends ReactiveElement {
  static override properties = { media: {} };
  media: string | HTMLMediaElement | null = '';
  readonly heard: string[] = [];
  readonly timed: Timed[] = [];
  readonly sync = new MediaController<Timed>(
    this,
    this.timed,
    {
      show: (c) => this.heard.push(`show ${c.text}`),
      pause: (paused) => this.heard.push(`pause ${paused}`),
      rate: (rate) => this.heard.push(`rate ${rate}`),
      seek: () => this.heard.push('seek'),
    },
    (error) => this.heard.push(`failed ${error.code}`),
  );
}
customElements.define('media-host', MediaHost);

describe('MediaController', () => {
  it('binds the media named by id, follows its rate and state, and lets it go when media changes or the host leaves', async () => {
    const video = document.body.appendChild(document.createElement('video'));
    video.id = `clip-${Date.now()}`;
    video.playbackRate = 1.5;
    const host = new MediaHost();
    host.media = video.id;
    document.body.append(host);
    // A video without a source is paused.
    await waitUntil(() => host.heard.includes('pause true'), 'bound', { timeout: 3000 });
    expect(host.heard).to.include('rate 1.5');
    host.heard.length = 0;
    host.media = '';
    await host.updateComplete;
    expect(host.heard, 'unbound: the media no longer holds the host').to.deep.equal(['pause false']);
    host.media = video;
    await host.updateComplete;
    await waitUntil(() => host.heard.includes('pause true'), 'bound by element', { timeout: 3000 });
    host.heard.length = 0;
    host.remove();
    expect(host.heard).to.deep.equal(['pause false']);
    video.playbackRate = 2;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(host.heard, 'detached: no more events heard').to.deep.equal(['pause false']);
    video.remove();
  });
});
