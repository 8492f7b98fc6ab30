// <danmaku-composer> in Chromium against real reference servers started by the test runner
// (test/support/danmaku-servers-plugin.mjs): typing, Enter, the counter, errors, the offline queue.
// The errors come from servers configured to produce them: a tiny rate limit, a blocklist.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import './danmaku-layer.js';
import './danmaku-composer.js';
import type { DanmakuLayer } from './danmaku-layer.component.js';
import type { DanmakuComposer } from './danmaku-composer.component.js';

interface ServerInfo {
  url: string;
}
/** A named reference server and the options it starts with (see the server's `DanmakuServerOptions`). */
interface ServerRequest {
  name?: string;
  maxTextLength?: number;
  rateLimit?: number;
  rateBurst?: number;
  ipRateLimit?: number;
  blocklist?: string[];
}
const server = (payload: ServerRequest = {}) =>
  executeServerCommand<ServerInfo, ServerRequest>('danmaku-server', payload);

let rooms = 0;

/** A layer on `url` and a composer bound to it by id; resolves once the layer has joined. */
async function setup(url: string): Promise<{ layer: DanmakuLayer; composer: DanmakuComposer }> {
  const room = `composer-${Date.now()}-${rooms++}`;
  const wrapper = await fixture<HTMLDivElement>(html`
    <div>
      <danmaku-layer id="live" src=${url} room=${room} style="width: 400px; height: 200px"></danmaku-layer>
      <danmaku-composer for="live"></danmaku-composer>
    </div>
  `);
  const layer = wrapper.querySelector('danmaku-layer')!;
  const composer = wrapper.querySelector('danmaku-composer')!;
  await waitUntil(() => layer.status === 'open', 'the layer never joined', { timeout: 10000 });
  await composer.updateComplete;
  return { layer, composer };
}

const part = (composer: DanmakuComposer, name: string) =>
  composer.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`)!;
const input = (composer: DanmakuComposer) => part(composer, 'input') as HTMLInputElement;
const feedback = (composer: DanmakuComposer) => part(composer, 'feedback').textContent.trim();

async function typeInto(composer: DanmakuComposer, text: string): Promise<void> {
  input(composer).focus();
  await sendKeys({ type: text });
  await composer.updateComplete;
}

describe('<danmaku-composer>', () => {
  it('finds its layer by id, counts code points and sends on Enter through the real server', async () => {
    const { url } = await server();
    const { layer, composer } = await setup(url);
    expect(composer.layer).to.equal(layer);

    await typeInto(composer, 'hi 好😀');
    expect(composer.value).to.equal('hi 好😀');
    // Code points, as the server counts them: the emoji is one character, not two UTF-16 units.
    expect(part(composer, 'counter').textContent).to.contain('5/100');

    const sent = oneEvent(composer, 'danmaku-sent');
    const echoed = oneEvent(layer, 'danmaku-comment');
    await sendKeys({ press: 'Enter' });
    const { detail } = await sent;
    expect(detail.text).to.equal('hi 好😀');
    expect(detail.receipt.seq).to.be.a('number');
    const comment = (await echoed).detail;
    expect(comment.own).to.equal(true);
    expect(comment.comment.text).to.equal('hi 好😀');
    expect(comment.comment.seq).to.equal(detail.receipt.seq);
    await composer.updateComplete;
    expect(input(composer).value).to.equal('');
    expect(feedback(composer)).to.equal('Sent.');
  });

  it('sends with the picked colour, mode and size', async () => {
    const { url } = await server();
    const { layer, composer } = await setup(url);
    const mode = part(composer, 'mode') as HTMLSelectElement;
    mode.value = 'top';
    mode.dispatchEvent(new Event('change'));
    const size = part(composer, 'size') as HTMLSelectElement;
    size.value = 'large';
    size.dispatchEvent(new Event('change'));
    const color = part(composer, 'color') as HTMLInputElement;
    color.value = '#ff5500';
    color.dispatchEvent(new Event('input'));
    composer.value = 'styled';
    const echoed = oneEvent(layer, 'danmaku-comment');
    await composer.send();
    const { comment } = (await echoed).detail;
    expect([comment.color, comment.mode, comment.size]).to.deep.equal(['#ff5500', 'top', 'large']);
  });

  it("counts against the server's announced limit and will not send over it", async () => {
    const { url } = await server({ name: 'short', maxTextLength: 5 });
    const { layer, composer } = await setup(url);
    expect(layer.limits.maxTextLength).to.equal(5);
    expect(composer.maxLength).to.equal(5);

    await typeInto(composer, 'abcdefg');
    const counter = part(composer, 'counter');
    expect(counter.textContent).to.contain('7/5');
    expect(counter.getAttribute('part')).to.equal('counter over');
    expect(input(composer).getAttribute('aria-invalid')).to.equal('true');
    expect((part(composer, 'button') as HTMLButtonElement).disabled).to.equal(true);
    expect(feedback(composer)).to.equal('2 characters too many.');

    let sent = false;
    composer.addEventListener('danmaku-sent', () => (sent = true));
    await sendKeys({ press: 'Enter' });
    expect(await composer.send()).to.equal(undefined);
    expect(sent).to.equal(false);
    expect(layer.queued).to.equal(0);
    expect(composer.value).to.equal('abcdefg');
  });

  it('while offline, queues in the layer and shows the count; the comment goes out on reconnect', async () => {
    const { url } = await server({ name: 'restartable' });
    const { layer, composer } = await setup(url);
    await executeServerCommand('danmaku-server-stop', { name: 'restartable' });
    await waitUntil(() => layer.status === 'connecting', 'the layer did not notice the server going away');
    await composer.updateComplete;
    expect(input(composer).disabled).to.equal(false);

    composer.value = 'typed in the tunnel';
    const sent = oneEvent(composer, 'danmaku-sent');
    void composer.send();
    await composer.updateComplete;
    expect(layer.queued).to.equal(1);
    expect(feedback(composer)).to.equal('Offline: 1 waiting to be sent.');

    await executeServerCommand('danmaku-server-restart', { name: 'restartable' });
    const { detail } = await sent;
    expect(detail.text).to.equal('typed in the tunnel');
    await composer.updateComplete;
    expect(layer.queued).to.equal(0);
    expect(feedback(composer)).to.equal('Sent.');
  });

  it('on rate_limited: gives the text back, says so politely and counts down on the button', async () => {
    // Per connection: one comment at once, then one every 2 s. The per-IP limit is off so that only
    // this connection's bucket decides.
    const { url } = await server({ name: 'rate-limited', rateBurst: 1, rateLimit: 0.5, ipRateLimit: 0 });
    const { composer } = await setup(url);
    const started = Date.now();
    composer.value = 'first';
    expect((await composer.send())?.seq).to.be.a('number');

    composer.value = 'second, too soon';
    const failed = oneEvent(composer, 'danmaku-send-error');
    expect(await composer.send()).to.equal(undefined);
    const { detail } = await failed;
    const elapsed = Date.now() - started;
    expect(detail.error.code).to.equal('rate_limited');
    expect(detail.text).to.equal('second, too soon');
    // What is left of the 2 s the bucket takes to refill after the first comment.
    expect(detail.error.retryAfter).to.be.within(2000 - elapsed, 2000);
    await composer.updateComplete;

    const status = part(composer, 'feedback');
    expect(status.getAttribute('role')).to.equal('status');
    expect(status.textContent).to.contain('Too many comments');
    expect(composer.value).to.equal('second, too soon');
    expect(input(composer).value).to.equal('second, too soon');
    const button = part(composer, 'button') as HTMLButtonElement;
    expect(button.disabled).to.equal(true);
    expect(button.textContent.trim()).to.match(/^Wait [12] s$/);
    // Enter while waiting sends nothing.
    expect(await composer.send()).to.equal(undefined);

    await waitUntil(() => composer.retryIn === 0, 'the countdown never ended', { timeout: 5000 });
    await waitUntil(() => button.textContent.trim() === 'Send', 'the button did not come back');
    expect(button.disabled).to.equal(false);
    expect(feedback(composer)).to.equal('');
    // The countdown matched the server's: the text given back goes through now.
    const sent = oneEvent(composer, 'danmaku-sent');
    expect((await composer.send())?.seq).to.be.a('number');
    expect((await sent).detail.text).to.equal('second, too soon');
  });

  it('on rejected: shows why, fires danmaku-send-error and keeps the text for editing', async () => {
    const { url } = await server({ name: 'moderated', blocklist: ['spoiler'] });
    const { layer, composer } = await setup(url);
    const text = 'The butler did it (SPOILER)';
    let shown = false;
    layer.addEventListener('danmaku-comment', () => (shown = true));
    composer.value = text;
    const failed = oneEvent(composer, 'danmaku-send-error');
    expect(await composer.send()).to.equal(undefined);
    const { detail } = await failed;
    expect(detail.error.code).to.equal('rejected');
    expect(detail.text).to.equal(text);
    await composer.updateComplete;
    expect(feedback(composer)).to.equal('This comment was not accepted.');
    expect(part(composer, 'feedback').classList.contains('error')).to.equal(true);
    expect(input(composer).value).to.equal(text);
    expect(shown).to.equal(false);
    // Typing again clears the message.
    await typeInto(composer, '!');
    expect(feedback(composer)).to.equal('');
  });

  it('does not send on the Enter that confirms an IME composition', async () => {
    const { url } = await server();
    const { layer, composer } = await setup(url);
    composer.value = 'ok';
    await composer.updateComplete;
    input(composer).dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true }));
    // A send would be counted in `queued` at once, before any reply.
    expect(layer.queued).to.equal(0);
    expect(composer.value).to.equal('ok');
  });

  it('is disabled without a usable layer, and says why', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`
      <div>
        <danmaku-layer id="local"></danmaku-layer>
        <danmaku-composer for="local"></danmaku-composer>
        <danmaku-composer for="nowhere"></danmaku-composer>
      </div>
    `);
    const [idle, orphan] = wrapper.querySelectorAll('danmaku-composer');
    await idle.updateComplete;
    await orphan.updateComplete;
    expect(input(idle).disabled).to.equal(true);
    expect(feedback(idle)).to.equal('Not connected.');
    expect(orphan.layer).to.equal(null);
    expect(feedback(orphan)).to.equal('No danmaku layer to send to.');

    // A layer given as a property wins over `for`.
    orphan.layer = wrapper.querySelector('danmaku-layer');
    await orphan.updateComplete;
    expect(feedback(orphan)).to.equal('Not connected.');
  });

  it('speaks the language it is given', async () => {
    const { url } = await server();
    const { composer } = await setup(url);
    composer.strings = { send: '发送', sent: '已发送', modes: { scroll: '滚动', top: '顶部', bottom: '底部' } };
    await composer.updateComplete;
    expect(part(composer, 'button').textContent.trim()).to.equal('发送');
    expect([...part(composer, 'mode').querySelectorAll('option')].map((o) => o.textContent)).to.deep.equal([
      '滚动',
      '顶部',
      '底部',
    ]);
    // Texts not given stay English.
    expect(part(composer, 'size').getAttribute('aria-label')).to.equal('Size');
    composer.value = '你好';
    await composer.send();
    await composer.updateComplete;
    expect(feedback(composer)).to.equal('已发送');
  });

  it("follows the page's language: Simplified Chinese and Japanese ship with it", async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div lang="zh-CN"><danmaku-composer></danmaku-composer></div>`);
    const composer = wrapper.querySelector('danmaku-composer')!;
    await composer.updateComplete;
    const label = () => composer.shadowRoot!.querySelector('label')!.textContent;
    const options = (name: string) => [...part(composer, name).querySelectorAll('option')].map((o) => o.textContent);
    expect(part(composer, 'button').textContent.trim()).to.equal('发送');
    expect(input(composer).placeholder).to.equal('发个弹幕吧…');
    expect(label()).to.equal('弹幕');
    expect(options('mode')).to.deep.equal(['滚动', '顶部', '底部']);
    expect(part(composer, 'size').getAttribute('aria-label')).to.equal('字号');
    expect(feedback(composer)).to.equal('没有可以发送到的弹幕层。');

    wrapper.lang = 'ja';
    composer.requestUpdate();
    await composer.updateComplete;
    expect(part(composer, 'button').textContent.trim()).to.equal('送信');
    expect(input(composer).placeholder).to.equal('コメントを入力…');
    expect(feedback(composer)).to.equal('送信先のコメントレイヤーがありません。');

    // The page's own words win: attributes, then any text given in `strings`.
    composer.setAttribute('placeholder', 'ひとこと');
    composer.setAttribute('label', 'ひとこと欄');
    composer.strings = { send: '投稿' };
    await composer.updateComplete;
    expect(input(composer).placeholder).to.equal('ひとこと');
    expect(label()).to.equal('ひとこと欄');
    expect(part(composer, 'button').textContent.trim()).to.equal('投稿');
    expect(options('size')).to.deep.equal(['小', '中', '大']);

    wrapper.lang = 'fr';
    composer.removeAttribute('placeholder');
    await composer.updateComplete;
    expect(input(composer).placeholder, 'other languages: English').to.equal('Say something…');
  });

  it('is styled from outside with custom properties and parts', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`
      <div>
        <style>
          .themed {
            --danmaku-composer-accent: rgb(251, 114, 153);
          }
          .themed::part(input) {
            border-radius: 999px;
          }
        </style>
        <danmaku-composer class="themed"></danmaku-composer>
      </div>
    `);
    const composer = wrapper.querySelector('danmaku-composer')!;
    await composer.updateComplete;
    expect(getComputedStyle(part(composer, 'button')).backgroundColor).to.equal('rgb(251, 114, 153)');
    expect(getComputedStyle(input(composer)).borderTopLeftRadius).to.equal('999px');
  });

  it('is accessible: labelled controls, a live region for feedback', async () => {
    const { url } = await server();
    const { composer } = await setup(url);
    const text = input(composer);
    expect(text.labels?.[0]?.textContent).to.equal('Comment');
    expect(text.getAttribute('aria-describedby')).to.equal('counter feedback');
    await expect(composer).to.be.accessible();
  });
});
