// AnnounceController on a host of its own (not the layer).
import { expect, waitUntil } from '@open-wc/testing';
import { ReactiveElement } from '@lit/reactive-element';
import { AnnounceController } from './announce-controller.js';

class AnnounceHost extends ReactiveElement {
  static override properties = { announce: { type: Boolean } };
  announce = false;
  readonly errors: unknown[] = [];
  readonly announcer = new AnnounceController(this, (error) => this.errors.push(error));
}
customElements.define('announce-host', AnnounceHost);

const region = (host: AnnounceHost) => host.renderRoot.querySelector('[aria-live]');

describe('AnnounceController', () => {
  it('reads nothing and adds no live region while announce is off', async () => {
    const host = document.body.appendChild(new AnnounceHost());
    await host.updateComplete;
    host.announcer.shown('unheard');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(region(host)).to.equal(null);
    host.remove();
  });

  it('once announce is on, reads the latest comment shown (one heard while its module loaded included), and empties on off', async () => {
    const host = document.body.appendChild(new AnnounceHost());
    host.announce = true;
    await host.updateComplete;
    host.announcer.shown('first');
    host.announcer.shown('latest');
    await waitUntil(() => region(host)?.textContent === 'latest', 'read', { timeout: 3000 });
    host.announce = false;
    await host.updateComplete;
    expect(region(host)!.textContent).to.equal('');
    host.announcer.shown('after');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(region(host)!.textContent).to.equal('');
    expect(host.errors).to.deep.equal([]);
    host.remove();
  });
});
