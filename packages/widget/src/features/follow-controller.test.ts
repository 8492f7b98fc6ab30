// FollowController on a host of its own (not the layer).
import { expect, waitUntil } from '@open-wc/testing';
import { ReactiveElement } from '@lit/reactive-element';
import { FollowController } from './follow-controller.js';
import type { Box } from './follow.js';

class FollowHost extends ReactiveElement {
  static override properties = { htmlFor: {} };
  htmlFor = '';
  readonly boxes: Box[] = [];
  readonly follow = new FollowController(
    this,
    (box) => this.boxes.push(box),
    () => {},
  );
}
customElements.define('follow-host', FollowHost);

describe('FollowController', () => {
  it('lays its host over the element `for` names, and gives it its place back when `for` is cleared or it leaves', async () => {
    const target = document.body.appendChild(document.createElement('div'));
    target.id = `target-${Date.now()}`;
    target.style.cssText = 'position:absolute;left:40px;top:30px;width:200px;height:100px';
    const host = new FollowHost();
    host.htmlFor = target.id;
    document.body.append(host);
    await host.updateComplete;
    expect(host.follow.target).to.equal(target);
    await waitUntil(() => host.boxes.length > 0, 'the target box is heard', { timeout: 3000 });
    expect(host.style.position).to.equal('fixed');
    const box = host.getBoundingClientRect();
    expect([box.width, box.height]).to.deep.equal([200, 100]);
    host.htmlFor = '';
    await host.updateComplete;
    expect(host.follow.target).to.equal(undefined);
    expect(host.style.position, 'its own place again').to.equal('');
    host.htmlFor = target.id;
    await host.updateComplete;
    await waitUntil(() => host.style.position === 'fixed', 'follows again', { timeout: 3000 });
    host.remove();
    expect(host.style.position).to.equal('');
    target.remove();
  });
});
