// Moderation and presence on the layer and the composer, against the protocol fixture
// (test/support/protocol-fixture.mjs): a scripted server that sends exactly the frames a test asks
// for and records what the widget sends, as docs/protocol.md describes them.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import './danmaku-layer.js';
import './danmaku-composer.js';
import type { DanmakuLayer } from './danmaku-layer.component.js';
import type { DanmakuComposer } from './danmaku-composer.component.js';
import type { Comment, ServerMessage, WelcomeMessage } from './protocol.js';
import { DanmakuError } from './connection/danmaku-error.js';

interface Frame {
  type: string;
  id?: string;
  [field: string]: unknown;
}

let fixtures = 0;

/** A fresh protocol fixture; its `welcome` carries `welcome`. */
async function startFixture(welcome: Partial<WelcomeMessage> = {}) {
  const name = `moderation-${++fixtures}`;
  const { url } = await executeServerCommand<{ url: string }, object>('protocol-fixture', { name, welcome });
  return {
    url,
    send: (frame: ServerMessage) => executeServerCommand('protocol-fixture-send', { name, frame }),
    received: async () =>
      (await executeServerCommand<{ frames: Frame[] }, object>('protocol-fixture-received', { name })).frames,
    /** The first frame of `type` the widget sent, once it has. */
    async request(type: string): Promise<Frame> {
      let found: Frame | undefined;
      await waitUntil(async () => (found = (await this.received()).find((f) => f.type === type)), `no ${type} sent`);
      return found!;
    },
  };
}

async function connectedLayer(url: string, renderer = 'dom', height = 450): Promise<DanmakuLayer> {
  const layer = await fixture<DanmakuLayer>(
    html`<danmaku-layer
      src=${url}
      room="mod"
      renderer=${renderer}
      fixed-duration="60000"
      max-wait="60000"
      style="display:block;width:800px;height:${height}px"
    ></danmaku-layer>`,
  );
  await waitUntil(() => layer.status === 'open', 'the layer never connected', { timeout: 5000 });
  return layer;
}

const comment = (seq: number, mode: Comment['mode'] = 'top'): Comment => ({
  seq,
  id: `c${seq}`,
  text: `comment ${seq}`,
  color: '#ffffff',
  mode,
  size: 'medium',
  ts: Date.now(),
});

const texts = (layer: DanmakuLayer) =>
  [...layer.shadowRoot!.querySelectorAll<HTMLElement>('.comment')].map((el) => el.textContent);

describe('moderation and presence on <danmaku-layer>', () => {
  it('takes the role, retract window, slow mode and viewer count from welcome', async () => {
    const server = await startFixture({ role: 'moderator', retractWindow: 120, slowMode: 5, viewers: 1234 });
    const layer = await fixture<DanmakuLayer>(html`<danmaku-layer room="mod"></danmaku-layer>`);
    expect(layer.viewers).to.equal(undefined);
    expect(layer.userRole).to.equal(undefined);
    expect(layer.slowMode).to.equal(0);
    const presence = oneEvent(layer, 'danmaku-presence');
    layer.src = server.url;
    expect((await presence).detail).to.deep.equal({ viewers: 1234 });
    expect(layer.viewers).to.equal(1234);
    expect(layer.userRole).to.equal('moderator');
    expect(layer.retractWindow).to.equal(120);
    expect(layer.slowMode).to.equal(5);
    // Another server: nothing is known of the new room until it says.
    layer.src = '';
    await layer.updateComplete;
    expect(layer.viewers).to.equal(undefined);
    expect(layer.userRole).to.equal(undefined);
  });

  it('ignores a role it does not know and counts that are not counts', async () => {
    const server = await startFixture({
      role: 'owner' as 'admin',
      viewers: -3,
      slowMode: 'ten' as unknown as number,
    });
    const layer = await connectedLayer(server.url);
    expect(layer.userRole).to.equal(undefined);
    expect(layer.viewers).to.equal(undefined);
    expect(layer.slowMode).to.equal(0);
  });

  it('follows presence and slow_mode messages, and fires danmaku-presence and danmaku-slow-mode', async () => {
    const server = await startFixture();
    const layer = await connectedLayer(server.url);
    const presence = oneEvent(layer, 'danmaku-presence');
    await server.send({ type: 'presence', viewers: 42 });
    expect((await presence).detail.viewers).to.equal(42);
    expect(layer.viewers).to.equal(42);
    const slow = oneEvent(layer, 'danmaku-slow-mode');
    await server.send({ type: 'slow_mode', interval: 10 });
    expect((await slow).detail.interval).to.equal(10);
    expect(layer.slowMode).to.equal(10);
  });

  it('retract: the comment leaves the stage at once, and the waiting line, and is never shown', async () => {
    const server = await startFixture();
    // One lane of top comments (16 px type on a stage this low): the second and third wait for room.
    const layer = await connectedLayer(server.url, 'dom', 30);
    const seen = new Set<string>();
    new MutationObserver(() => texts(layer).forEach((t) => seen.add(t))).observe(layer.shadowRoot!, {
      subtree: true,
      childList: true,
      characterData: true,
    });
    await server.send({ type: 'comments', comments: [comment(1), comment(2), comment(3)] });
    await waitUntil(() => layer.stats.onScreen === 1 && layer.stats.queued === 2, 'one shown, two waiting');
    expect(texts(layer)).to.deep.equal(['comment 1']);

    const retracted = oneEvent(layer, 'danmaku-retract');
    await server.send({ type: 'retract', seqs: [1, 2] });
    expect((await retracted).detail).to.deep.equal({ seqs: [1, 2], clear: false });
    // The lane is free again: the one left waiting takes it; the retracted ones never show.
    await waitUntil(() => texts(layer).join() === 'comment 3', 'comment 3 takes the lane');
    expect(layer.stats.queued).to.equal(0);
    expect(layer.stats.dropped, 'retracted, not dropped').to.equal(0);
    expect([...seen]).to.not.include('comment 2');
  });

  it('clear: every comment up to its seq goes; later ones and local ones stay', async () => {
    const server = await startFixture();
    const layer = await connectedLayer(server.url);
    layer.add({ text: 'local, no seq', mode: 'bottom' });
    await server.send({ type: 'comments', comments: [comment(1), comment(2), comment(3)] });
    await waitUntil(() => layer.stats.onScreen === 4, 'all four shown');
    const cleared = oneEvent(layer, 'danmaku-retract');
    await server.send({ type: 'clear', seq: 2 });
    expect((await cleared).detail).to.deep.equal({ seqs: [2], clear: true });
    expect(texts(layer).sort()).to.deep.equal(['comment 3', 'local, no seq']);
  });

  it('retract takes time-coded comments given to load() out too', async () => {
    const server = await startFixture();
    const layer = await connectedLayer(server.url);
    const video = document.createElement('video');
    video.id = 'mod-video';
    video.muted = true;
    layer.append(video);
    // Without a source the media stays at time 0: comments at 0 come out as soon as it is bound.
    layer.load([
      { ...comment(7), time: 0 },
      { ...comment(8), time: 0 },
    ]);
    const retracted = oneEvent(layer, 'danmaku-retract');
    await server.send({ type: 'retract', seqs: [7] });
    await retracted;
    layer.media = 'mod-video';
    await waitUntil(() => texts(layer).length === 1, 'the kept comment shows when the media is bound');
    expect(texts(layer)).to.deep.equal(['comment 8']);
  });

  it('with the canvas renderer, the worker is told to erase a retracted comment', async () => {
    const server = await startFixture();
    const posted: unknown[] = [];
    // Listened to on its way, then called as it is: what the page tells the worker.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, transfer: Transferable[]) {
      posted.push(message);
      (post as (message: unknown, transfer: Transferable[]) => void).call(this, message, transfer);
    } as typeof post;
    try {
      const layer = await connectedLayer(server.url, 'canvas');
      await waitUntil(() => layer.shadowRoot!.querySelector('canvas'), 'the canvas renderer loads', { timeout: 5000 });
      await server.send({ type: 'comments', comments: [comment(1), comment(2, 'scroll')] });
      await waitUntil(() => layer.stats.onScreen === 2, 'both painted');
      type Update = { type: string; draws: { id: number; label: string }[]; erases: number[] };
      const updates = () => posted.filter((m): m is Update => (m as { type: string }).type === 'update');
      const drawn = updates().flatMap((m) => m.draws);
      const id = drawn.find((c) => c.label === 'comment 2')!.id;
      await server.send({ type: 'retract', seqs: [2] });
      await waitUntil(() => layer.stats.onScreen === 1, 'one left');
      await waitUntil(() => updates().some((m) => m.erases.includes(id)), 'the worker was never told to erase it');
    } finally {
      Worker.prototype.postMessage = post;
    }
  });

  it('request methods send the documented messages and settle by ack or error', async () => {
    const server = await startFixture({ role: 'moderator' });
    const layer = await connectedLayer(server.url);

    const retracting = layer.retract(7);
    const retract = await server.request('retract');
    expect(retract).to.deep.include({ type: 'retract', seq: 7 });
    expect(retract.id).to.match(/^[\w.:-]{1,64}$/);
    await server.send({ type: 'ack', id: retract.id!, seq: 7 });
    expect(await retracting).to.equal(undefined);

    // Caught at once: the rejection may come before the test awaits it.
    const muting = layer.mute({ seq: 3 }, 600, { everywhere: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const mute = await server.request('mute');
    expect(mute).to.deep.include({ type: 'mute', seq: 3, duration: 600, everywhere: true });
    await server.send({ type: 'error', id: mute.id!, code: 'forbidden', message: 'Moderators only.' });
    const error = await muting;
    expect(error).to.be.instanceOf(DanmakuError);
    expect((error as DanmakuError).code).to.equal('forbidden');

    const reporting = layer.report(5, 'phone number').catch((e: DanmakuError) => e.code);
    const report = await server.request('report');
    expect(report).to.deep.include({ type: 'report', seq: 5, reason: 'phone number' });
    await server.send({ type: 'error', id: report.id!, code: 'not_found', message: 'No such comment.' });
    expect(await reporting).to.equal('not_found');

    const unmuting = layer.unmute({ user: 'u-1' });
    const unmute = await server.request('unmute');
    expect(unmute).to.deep.include({ type: 'unmute', user: 'u-1' });
    expect(unmute).to.not.have.property('everywhere');
    await server.send({ type: 'ack', id: unmute.id! });
    await unmuting;

    const slowing = layer.setSlowMode(10);
    const slow = await server.request('slow_mode');
    expect(slow).to.deep.include({ type: 'slow_mode', interval: 10 });
    await server.send({ type: 'ack', id: slow.id! });
    await slowing;

    const clearing = layer.clearRoom();
    const clear = await server.request('clear');
    await server.send({ type: 'ack', id: clear.id! });
    await clearing;
    // Every request had an id of its own.
    const ids = (await server.received()).map((f) => f.id);
    expect(new Set(ids).size).to.equal(ids.length);
  });

  it('a request without a server rejects with closed', async () => {
    const layer = await fixture<DanmakuLayer>(html`<danmaku-layer></danmaku-layer>`);
    expect(await layer.retract(1).catch((e: DanmakuError) => e.code)).to.equal('closed');
  });
});

describe('<danmaku-composer> with presence, slow mode and mutes', () => {
  async function setup(welcome: Partial<WelcomeMessage> = {}) {
    const server = await startFixture(welcome);
    const root = await fixture<HTMLDivElement>(
      html`<div lang="en">
        <danmaku-layer id="mod-layer" src=${server.url} room="mod"></danmaku-layer>
        <danmaku-composer for="mod-layer"></danmaku-composer>
      </div>`,
    );
    const layer = root.querySelector('danmaku-layer')!;
    const composer = root.querySelector('danmaku-composer')!;
    await waitUntil(() => layer.status === 'open', 'the layer never connected', { timeout: 5000 });
    await composer.updateComplete;
    return { server, layer, composer };
  }
  const part = (composer: DanmakuComposer, name: string) =>
    composer.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

  it('shows the viewer count once known, formatted, and follows it; accessible', async () => {
    const { server, composer } = await setup();
    expect(part(composer, 'viewers'), 'no count before the server says').to.equal(null);
    await server.send({ type: 'presence', viewers: 1234 });
    await waitUntil(() => part(composer, 'viewers')?.textContent === '1,234 watching', 'the count shows');
    await server.send({ type: 'presence', viewers: 5 });
    await waitUntil(() => part(composer, 'viewers')?.textContent === '5 watching', 'the count follows');
    await expect(composer).to.be.accessible();
  });

  it('in slow mode, counts down on the button after a send', async () => {
    const { server, composer } = await setup({ slowMode: 3 });
    expect(part(composer, 'feedback')!.textContent).to.equal('Slow mode: one comment every 3 s.');
    composer.value = 'slowly';
    const sending = composer.send();
    const send = await server.request('send');
    await server.send({ type: 'ack', id: send.id!, seq: 1 });
    expect((await sending)?.seq).to.equal(1);
    await composer.updateComplete;
    const button = part(composer, 'button') as HTMLButtonElement;
    expect(composer.retryIn).to.be.within(1, 3000);
    expect(button.disabled).to.equal(true);
    expect(button.textContent.trim()).to.match(/^Wait [1-3] s$/);
    composer.value = 'too soon';
    expect(await composer.send(), 'nothing is sent while waiting').to.equal(undefined);
    await waitUntil(() => composer.retryIn === 0, 'the countdown ends', { timeout: 5000 });
    await waitUntil(() => button.textContent.trim() === 'Send', 'the button comes back');
    expect(button.disabled).to.equal(false);
    await expect(composer).to.be.accessible();
  });

  it('when muted, says how long is left and holds the button', async () => {
    const { server, composer } = await setup();
    composer.value = 'muted words';
    const sending = composer.send();
    const send = await server.request('send');
    await server.send({
      type: 'error',
      id: send.id!,
      code: 'forbidden',
      message: 'You are muted.',
      retryAfter: 10 * 60_000,
    });
    expect(await sending).to.equal(undefined);
    await composer.updateComplete;
    expect(part(composer, 'feedback')!.textContent).to.equal('You are muted; you can comment again in 10 minutes.');
    const button = part(composer, 'button') as HTMLButtonElement;
    expect(button.disabled).to.equal(true);
    expect(button.textContent.trim()).to.equal('Send');
    expect(composer.value, 'the text is given back').to.equal('muted words');
  });
});
