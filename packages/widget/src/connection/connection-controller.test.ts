// ConnectionController on a host of its own (not the layer), against a real reference server
// started by the test runner (test/support/danmaku-servers-plugin.mjs).
import { expect, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { ReactiveElement } from '@lit/reactive-element';
import type { Comment } from '../protocol.js';
import { ConnectionController } from './connection-controller.js';

class LinkHost extends ReactiveElement {
  static override properties = { src: {}, room: {}, last: { type: Number } };
  src = '';
  room = 'lobby';
  last = 0;
  readonly seen: { text: string; own: boolean }[] = [];
  readonly statuses: string[] = [];
  readonly link = new ConnectionController(
    this,
    (comment: Comment, own: boolean) => this.seen.push({ text: comment.text, own }),
    () => {},
  );
  constructor() {
    super();
    this.addEventListener('danmaku-status', (e) => this.statuses.push(e.detail.status));
  }
}
customElements.define('link-host', LinkHost);

const server = () => executeServerCommand<{ url: string }, { name: string }>('danmaku-server', { name: 'controller' });
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('ConnectionController', () => {
  it('is idle without src, and a send is refused with closed', async () => {
    const host = document.body.appendChild(new LinkHost());
    await host.updateComplete;
    expect(host.link.status).to.equal('idle');
    const error = await host.link.send('nobody hears').then(
      () => undefined,
      (e: { code: string }) => e,
    );
    expect(error?.code).to.equal('closed');
    host.remove();
  });

  it('connects while on the page, tells its first status after the connecting task, sends and hears its own comment', async () => {
    const { url } = await server();
    const host = new LinkHost();
    host.src = url;
    host.room = `controller-${Date.now()}`;
    document.body.append(host);
    expect(host.link.status).to.equal('connecting');
    expect(host.statuses, 'not in the task that connected it').to.deep.equal([]);
    await waitUntil(() => host.link.status === 'open', 'joins', { timeout: 5000 });
    expect(host.statuses).to.deep.equal(['connecting', 'open']);
    expect(host.link.limits.maxTextLength).to.be.greaterThan(0);
    const receipt = await host.link.send('from the controller');
    expect(receipt.seq).to.be.greaterThan(0);
    await waitUntil(() => host.seen.length === 1, 'the comment comes back');
    expect(host.seen[0]).to.deep.equal({ text: 'from the controller', own: true });
    host.remove();
    expect(host.link.status, 'closed off the page').to.equal('closed');
  });

  it('opens a new connection when the room changes', async () => {
    const { url } = await server();
    const host = new LinkHost();
    host.src = url;
    host.room = `first-${Date.now()}`;
    document.body.append(host);
    await waitUntil(() => host.link.status === 'open', 'joins', { timeout: 5000 });
    host.room = `second-${Date.now()}`;
    await host.updateComplete;
    expect(host.link.status, 'the old connection closed, a new one opens').to.equal('connecting');
    await waitUntil(() => host.link.status === 'open', 'joins the new room', { timeout: 5000 });
    expect(host.statuses).to.deep.equal(['connecting', 'open', 'closed', 'connecting', 'open']);
    await sleep(0);
    host.remove();
  });

  describe("when sends are made before the connection's code has arrived", () => {
    it('counts them at once, then sends them in order once it has', async () => {
      const { url } = await server();
      const host = new LinkHost();
      host.src = url;
      host.room = `early-${Date.now()}`;
      document.body.append(host);
      // Same task as the append: the connection's code arrives in a later one, fetched or not.
      const sends = [host.link.send('early one'), host.link.send('early two')];
      expect(host.link.queued, 'counted before the connection exists').to.equal(2);
      const receipts = await Promise.all(sends);
      expect(receipts[1].seq).to.equal(receipts[0].seq + 1);
      await waitUntil(() => host.seen.length === 2, 'both come back');
      expect(host.seen).to.deep.equal([
        { text: 'early one', own: true },
        { text: 'early two', own: true },
      ]);
      expect(host.link.queued).to.equal(0);
      host.remove();
    });

    it('rejects them with closed when the host leaves the page first', async () => {
      const { url } = await server();
      const host = new LinkHost();
      host.src = url;
      document.body.append(host);
      const sending = host.link.send('never sent');
      host.remove();
      expect(host.link.queued).to.equal(0);
      const error = await sending.then(
        () => undefined,
        (e: { code: string }) => e,
      );
      expect(error?.code).to.equal('closed');
      expect(host.link.status).to.equal('closed');
    });
  });
});
