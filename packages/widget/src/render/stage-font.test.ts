import { expect } from '@open-wc/testing';
import { Clock } from './clock.js';
import { DomRenderer } from './dom-renderer.js';
import { canvasRenderer } from './canvas-renderer.js';
import { Stage, stageFontSize, type StageOptions } from './stage.js';
import type { Renderer } from './renderer.js';

const OPTIONS: StageOptions = {
  speed: 160,
  duration: 0,
  fixedDuration: 4000,
  reverse: false,
  area: 1,
  fontScale: 1,
  maxWait: 2000,
  maxQueue: 100,
  merge: 0,
  reducedMotion: false,
};

describe('type that follows the stage', () => {
  it('is 10 px + a 48th of the 16:9 picture that fits the stage, between 16 and 40 px (docs/widget.md)', () => {
    expect(stageFontSize(390, 220)).to.equal(16);
    expect(stageFontSize(390, 844), 'a portrait phone sizes from the picture across it').to.equal(16);
    expect(stageFontSize(800, 450)).to.equal(19);
    expect(stageFontSize(1280, 720)).to.equal(25);
    expect(stageFontSize(1920, 1080)).to.equal(33);
    expect(stageFontSize(3840, 2160), 'clamped').to.equal(40);
  });

  // The stage decides the size; both renderers draw what it placed.
  for (const kind of ['dom', 'canvas'] as const) {
    it(`sizes comments from the stage, and keeps those in flight, with the ${kind} renderer`, async () => {
      const root = document.createElement('div');
      root.style.cssText = 'position:relative;width:1280px;height:720px';
      document.body.append(root);
      const clock = new Clock();
      const renderer: Renderer | undefined =
        kind === 'dom' ? new DomRenderer(root, clock) : await canvasRenderer(root, clock);
      expect(renderer, 'the renderer starts').to.not.equal(undefined);
      const stage = new Stage(renderer, clock, OPTIONS);
      try {
        stage.resize(390, 219);
        stage.add({ text: 'phone', color: '#fff', mode: 'top', size: 'medium' });
        stage.resize(1280, 720);
        stage.add({ text: 'desktop', color: '#fff', mode: 'top', size: 'medium' });
        stage.add({ text: 'desktop large', color: '#fff', mode: 'top', size: 'large' });
        stage.fontSize = 30;
        stage.add({ text: 'fixed', color: '#fff', mode: 'top', size: 'medium' });
        const sizes = Object.fromEntries([...stage.comments].map((s) => [s.comment.text, [s.px, s.line]]));
        expect(sizes).to.deep.equal({
          phone: [16, 20],
          desktop: [25, 32],
          'desktop large': [36, 45],
          fixed: [30, 38],
        });
        expect([...stage.comments].every((s) => s.font.includes(`${s.px}px`))).to.equal(true);
      } finally {
        stage.dispose();
        root.remove();
      }
    });
  }
});
