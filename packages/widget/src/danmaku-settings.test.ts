// <danmaku-settings> in Chromium: every control changes its layer and what the layer shows, the
// choices survive a "reload" (the elements removed and made again over the same localStorage),
// corrupt or foreign stored values are ignored, the panel works from the keyboard alone and passes
// axe in both colour schemes, and two layers with different storage keys keep their own choices.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import './danmaku-layer.js';
import './danmaku-settings.js';
import type { DanmakuLayer } from './danmaku-layer.component.js';
import type { DanmakuSettings } from './danmaku-settings.component.js';
import { stageGate } from './features/stage-gate.js';

let keys = 0;
/** A storage key of its own for each test, so that no test sees another's choices. */
const freshKey = () => `danmaku-settings-test-${Date.now()}-${keys++}`;

async function setup(
  storageKey: string,
  id = 'live',
): Promise<{ wrapper: HTMLElement; layer: DanmakuLayer; settings: DanmakuSettings }> {
  const wrapper = await fixture<HTMLDivElement>(html`
    <div>
      <danmaku-layer id=${id} style="display: block; width: 400px; height: 200px"></danmaku-layer>
      <danmaku-settings for=${id} storage-key=${storageKey}></danmaku-settings>
    </div>
  `);
  const layer = wrapper.querySelector('danmaku-layer')!;
  const settings = wrapper.querySelector('danmaku-settings')!;
  await layer.updateComplete;
  await settings.updateComplete;
  return { wrapper, layer, settings };
}

const q = <T extends Element = HTMLElement>(settings: DanmakuSettings, selector: string): T =>
  settings.shadowRoot!.querySelector<T>(selector)!;
const panel = (settings: DanmakuSettings) => q(settings, '[part~="panel"]');
const isOpen = (settings: DanmakuSettings) => panel(settings).matches(':popover-open');
const active = (settings: DanmakuSettings) => settings.shadowRoot!.activeElement;

async function open(settings: DanmakuSettings): Promise<void> {
  q(settings, '[part~="button"]').click();
  await waitUntil(() => isOpen(settings), 'the panel never opened');
  await settings.updateComplete;
}

/** Sets a slider as a pointer would: its value, then the `input` event. */
async function slide(settings: DanmakuSettings, id: string, value: number): Promise<void> {
  const input = q<HTMLInputElement>(settings, `#${id}`);
  input.value = String(value);
  input.dispatchEvent(new Event('input', { bubbles: true }));
  await settings.updateComplete;
}

/** Clicks the checkbox or radio whose label reads `text`. */
async function clickLabel(settings: DanmakuSettings, text: string): Promise<void> {
  const label = [...settings.shadowRoot!.querySelectorAll('label')].find((l) => l.textContent.trim() === text);
  expect(label, `a control labelled ${text}`).to.exist;
  label!.querySelector('input')!.click();
  await settings.updateComplete;
}

async function block(settings: DanmakuSettings, text: string, kind: 'text' | 'user' = 'text'): Promise<void> {
  q<HTMLSelectElement>(settings, 'select[name="kind"]').value = kind;
  q<HTMLInputElement>(settings, 'input[name="rule"]').value = text;
  q<HTMLFormElement>(settings, 'form').requestSubmit();
  await settings.updateComplete;
}

/** The comment elements on the layer's stage. */
const comments = (layer: DanmakuLayer) => [...layer.shadowRoot!.querySelectorAll<HTMLElement>('.comment')];
const visible = (el: Element) => getComputedStyle(el).visibility === 'visible';
const status = (settings: DanmakuSettings) => q(settings, '[part~="status"]').textContent.trim();

beforeEach(() => localStorage.clear());

describe('<danmaku-settings>', () => {
  it('each control sets its layer property, and the stage shows it', async () => {
    const { layer, settings } = await setup(freshKey());
    layer.add({ text: 'white scroll' });
    layer.add({ text: 'red top', color: '#ff0000', mode: 'top' });
    await open(settings);

    await slide(settings, 'opacity', 0.5);
    expect(layer.opacity).to.equal(0.5);
    await layer.updateComplete;
    expect(getComputedStyle(layer.shadowRoot!.querySelector('[part="stage"]')!).opacity).to.equal('0.5');
    expect(q(settings, '#opacity').getAttribute('aria-valuetext')).to.equal('50%');

    await slide(settings, 'speed', 240);
    expect(layer.speed).to.equal(240);
    expect(q(settings, '#speed').getAttribute('aria-valuetext')).to.equal('240 px/s');
    await slide(settings, 'fontScale', 1.5);
    expect(layer.fontScale).to.equal(1.5);
    await slide(settings, 'density', 0.5);
    expect(layer.density).to.equal(0.5);
    await slide(settings, 'density', 1);

    // Hiding a mode hides the comments of that mode already on the stage, and leaves out new ones.
    const [scroll, top] = comments(layer);
    expect(visible(scroll) && visible(top)).to.equal(true);
    await clickLabel(settings, 'Scrolling');
    await layer.updateComplete;
    expect(layer.hideModes).to.equal('scroll');
    expect(visible(scroll)).to.equal(false);
    expect(visible(top)).to.equal(true);
    expect(layer.add({ text: 'another scroll' })).to.equal(false);

    // Coloured: every comment that is not white, on the stage and new.
    await clickLabel(settings, 'Coloured');
    await layer.updateComplete;
    expect(layer.hideModes).to.equal('scroll color');
    expect(visible(top)).to.equal(false);
    expect(layer.add({ text: 'green bottom', color: '#00ff00', mode: 'bottom' })).to.equal(false);
    expect(layer.add({ text: 'white bottom', color: '#FFFFFF', mode: 'bottom' })).to.equal(true);
    await clickLabel(settings, 'Scrolling');
    await clickLabel(settings, 'Coloured');
    expect(layer.hideModes).to.equal('');
    expect(visible(top)).to.equal(true);

    await clickLabel(settings, 'Top');
    await clickLabel(settings, 'Bottom');
    expect(layer.hideModes).to.equal('top bottom');
    await clickLabel(settings, 'Top');
    await clickLabel(settings, 'Bottom');

    await clickLabel(settings, 'Follow playback speed');
    expect(layer.ignoreRate).to.equal(true);

    await clickLabel(settings, 'Show comments');
    expect(layer.hidden).to.equal(true);
    expect(visible(layer.shadowRoot!.querySelector('[part="stage"]')!)).to.equal(false);
    expect(q(settings, '[part~="toggle"]').getAttribute('aria-pressed')).to.equal('false');
    // The on/off button, outside the panel, turns them back on.
    q(settings, '[part~="toggle"]').click();
    await settings.updateComplete;
    expect(layer.hidden).to.equal(false);
    expect(q(settings, '[part~="toggle"]').getAttribute('aria-pressed')).to.equal('true');
  });

  it('the display area keeps comments in the chosen part of the height, and above the subtitles', async () => {
    const { layer, settings } = await setup(freshKey());
    await open(settings);
    await clickLabel(settings, '¼');
    expect(layer.area).to.equal(0.25);
    await layer.updateComplete;
    layer.add({ text: 'low', mode: 'bottom' });
    const box = layer.getBoundingClientRect();
    const [bottom] = comments(layer);
    expect(bottom.getBoundingClientRect().bottom - box.top).to.be.at.most(0.25 * box.height + 1);

    await clickLabel(settings, 'Full');
    expect(layer.area).to.equal(1);
    await clickLabel(settings, 'Keep subtitles clear');
    expect(layer.area).to.equal(0.8);
    // The chosen area stays chosen; subtitles only cap it.
    expect(q<HTMLInputElement>(settings, 'input[type="radio"][value="1"]').checked).to.equal(true);
    await clickLabel(settings, '½');
    expect(layer.area).to.equal(0.5);
    await clickLabel(settings, 'Full');
    await layer.updateComplete;
    layer.clear();
    layer.add({ text: 'above the subtitles', mode: 'bottom' });
    const [above] = comments(layer);
    expect(above.getBoundingClientRect().bottom - box.top).to.be.at.most(0.8 * box.height + 1);
  });

  it('the block list takes words, /expressions/ and user ids, and removes them', async () => {
    const { layer, settings } = await setup(freshKey());
    layer.blocklist = ['page-rule'];
    await open(settings);
    await block(settings, 'spoiler');
    expect(status(settings)).to.equal('Blocked spoiler.');
    await block(settings, '/^x+$/i');
    await block(settings, 'troll-42', 'user');
    expect(layer.add({ text: 'a SPOILER here' })).to.equal(false);
    expect(layer.add({ text: 'XXX' })).to.equal(false);
    expect(layer.add({ text: 'hello', user: { id: 'troll-42' } })).to.equal(false);
    expect(layer.add({ text: 'hello', user: { id: 'friend' } })).to.equal(true);
    // The page's own rule stays in force, and out of the viewer's list.
    expect(layer.add({ text: 'page-rule' })).to.equal(false);
    const items = [...settings.shadowRoot!.querySelectorAll('.rules li')].map((li) => li.textContent.trim());
    expect(items.map((text) => text.replace(/\s*×$/, ''))).to.deep.equal(['spoiler', '/^x+$/i', 'User troll-42']);

    // A broken expression is refused, said so, and nothing is added.
    await block(settings, '/(/');
    expect(status(settings)).to.equal('/(/ is not a valid regular expression.');
    expect(q(settings, 'input[name="rule"]').getAttribute('aria-invalid')).to.equal('true');
    expect(settings.value.blocklist).to.have.length(3);

    q(settings, 'button[aria-label="Unblock spoiler"]').click();
    await settings.updateComplete;
    expect(status(settings)).to.equal('Unblocked spoiler.');
    expect(layer.add({ text: 'a SPOILER here' })).to.equal(true);
    expect(settings.value.blocklist).to.deep.equal(['/^x+$/i', { user: 'troll-42' }]);
    // The focus goes to the next entry's remove button, not to the page.
    expect(active(settings)?.getAttribute('aria-label')).to.equal('Unblock /^x+$/i');
  });

  it('tells the page, stores only what differs from the page, and resets to the page values', async () => {
    const key = freshKey();
    const { wrapper, layer, settings } = await setup(key);
    layer.speed = 200; // the page's own value, set before the viewer touches anything
    await open(settings);
    const changed = oneEvent(wrapper, 'danmaku-settings-change');
    await slide(settings, 'opacity', 0.4);
    const event = await changed;
    expect(event.bubbles && event.composed).to.equal(true);
    expect(event.detail.settings).to.deep.equal({ opacity: 0.4 });
    expect(JSON.parse(localStorage.getItem(key)!)).to.deep.equal({ opacity: 0.4 });
    await slide(settings, 'opacity', 1);
    expect(localStorage.getItem(key)).to.equal(null);

    await slide(settings, 'opacity', 0.3);
    await block(settings, 'boo');
    await clickLabel(settings, 'Top');
    q(settings, '[part~="reset"]').click();
    await settings.updateComplete;
    expect(status(settings)).to.equal('Settings reset to defaults.');
    expect(layer.opacity).to.equal(1);
    expect(layer.hideModes).to.equal('');
    expect(layer.add({ text: 'boo' })).to.equal(true);
    expect(localStorage.getItem(key)).to.equal(null);
    expect(settings.value).to.deep.equal({});
  });

  it('takes choices a page kept elsewhere through value, in place of the stored ones, even before it binds', async () => {
    const key = freshKey();
    localStorage.setItem(key, JSON.stringify({ opacity: 0.9 }));
    const settings = document.createElement('danmaku-settings');
    settings.storageKey = key;
    settings.value = { opacity: 0.2, hideModes: 'top', speed: 'fast' } as unknown as DanmakuSettings['value'];
    settings.htmlFor = 'kept';
    const wrapper = await fixture<HTMLDivElement>(
      html`<div>
        <danmaku-layer id="kept" style="display: block; width: 400px; height: 200px"></danmaku-layer>
      </div>`,
    );
    wrapper.append(settings);
    await settings.updateComplete;
    const layer = wrapper.querySelector('danmaku-layer')!;
    expect([layer.opacity, layer.hideModes, layer.speed]).to.deep.equal([0.2, 'top', 160]);
    expect(JSON.parse(localStorage.getItem(key)!)).to.deep.equal({ opacity: 0.2, hideModes: 'top' });
  });

  it('a reload keeps the choices, applied before the first comment is placed', async () => {
    const key = freshKey();
    const first = await setup(key);
    await open(first.settings);
    await clickLabel(first.settings, 'Scrolling');
    await clickLabel(first.settings, '½');
    await slide(first.settings, 'opacity', 0.6);
    await block(first.settings, 'spoiler');
    await clickLabel(first.settings, 'Show comments');
    first.wrapper.remove();

    // A new visit: new elements over the same storage.
    const { layer, settings } = await setup(key);
    expect(layer.hideModes).to.equal('scroll');
    expect(layer.area).to.equal(0.5);
    expect(layer.opacity).to.equal(0.6);
    expect(layer.hidden).to.equal(true);
    expect(settings.value).to.deep.equal({
      hidden: true,
      opacity: 0.6,
      area: 0.5,
      hideModes: 'scroll',
      blocklist: ['spoiler'],
    });
    expect(layer.add({ text: 'the spoiler' })).to.equal(false);
    expect(layer.add({ text: 'a scroll' })).to.equal(false);
    expect(layer.stats.shown).to.equal(0);
  });

  it('with the settings on their way (the script-tag bundle), a layer holds its comments until they are applied', async () => {
    let arrive!: () => void;
    stageGate.until = new Promise<void>((resolve) => (arrive = resolve));
    try {
      const layer = await fixture<DanmakuLayer>(
        html`<danmaku-layer style="display: block; width: 400px; height: 200px"></danmaku-layer>`,
      );
      expect(layer.add({ text: 'spoiler ahead' })).to.equal(true);
      expect(layer.add({ text: 'fine' })).to.equal(true);
      expect(layer.stats.shown).to.equal(0);
      // What the settings element does on arrival.
      layer.blocklist = ['spoiler'];
      arrive();
      await waitUntil(() => layer.stats.shown === 1, 'the held comments were never placed');
      expect(layer.stats.filtered).to.equal(1);
      expect(comments(layer).map((c) => c.textContent)).to.deep.equal(['fine']);
    } finally {
      stageGate.until = undefined;
    }
  });

  it('ignores a corrupt or foreign stored value, and keeps the valid fields of a partly wrong one', async () => {
    for (const raw of ['{not json', '[1,2,3]', 'null', '"a string"', '42', '{"theme":"dark","volume":3}']) {
      const key = freshKey();
      localStorage.setItem(key, raw);
      const { wrapper, layer, settings } = await setup(key);
      expect(settings.value, raw).to.deep.equal({});
      expect([layer.opacity, layer.area, layer.hideModes, layer.hidden], raw).to.deep.equal([1, 1, '', false]);
      // Still usable: a change replaces what was there.
      await open(settings);
      await slide(settings, 'opacity', 0.5);
      expect(JSON.parse(localStorage.getItem(key)!)).to.deep.equal({ opacity: 0.5 });
      wrapper.remove();
    }

    const key = freshKey();
    localStorage.setItem(
      key,
      JSON.stringify({
        opacity: 'high',
        speed: -5,
        area: 0.5,
        hideModes: 'scroll <img src=x>',
        hidden: 'yes',
        density: 0.5,
        blocklist: [5, '/(/', 'ok', { user: 'u1' }, { user: 7 }, null],
      }),
    );
    const { layer, settings } = await setup(key);
    expect(settings.value).to.deep.equal({ area: 0.5, density: 0.5, blocklist: ['ok', { user: 'u1' }] });
    expect([layer.opacity, layer.speed, layer.area, layer.hideModes, layer.hidden]).to.deep.equal([
      1,
      160,
      0.5,
      '',
      false,
    ]);
  });

  it('works from the keyboard alone: Enter and Space open, Tab stays inside, Escape closes and gives focus back', async () => {
    const { layer, settings } = await setup(freshKey());
    const gear = q(settings, '[part~="button"]');
    gear.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => isOpen(settings), 'Enter did not open the panel');
    expect(settings.open).to.equal(true);
    await waitUntil(
      () => active(settings) === q(settings, 'label.check input'),
      'the focus did not move into the panel',
    );

    // Space on the "show comments" checkbox hides the comments.
    await sendKeys({ press: 'Space' });
    expect(layer.hidden).to.equal(true);
    await sendKeys({ press: 'Space' });
    expect(layer.hidden).to.equal(false);

    // Arrow keys move a slider; its value is what screen readers hear.
    await sendKeys({ press: 'Tab' });
    expect(active(settings)?.id).to.equal('opacity');
    await sendKeys({ press: 'ArrowLeft' });
    await settings.updateComplete;
    expect(layer.opacity).to.equal(0.95);
    expect(q(settings, '#opacity').getAttribute('aria-valuetext')).to.equal('95%');

    // Tab goes round inside the panel: from the last control to the first, and back.
    q(settings, '[part~="reset"]').focus();
    await sendKeys({ press: 'Tab' });
    expect(active(settings)).to.equal(q(settings, '[part~="close"]'));
    await sendKeys({ down: 'Shift' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ up: 'Shift' });
    expect(active(settings)).to.equal(q(settings, '[part~="reset"]'));

    // Typing a block rule and pressing Enter adds it.
    q(settings, 'input[name="rule"]').focus();
    await sendKeys({ type: 'boring' });
    await sendKeys({ press: 'Enter' });
    await settings.updateComplete;
    expect(settings.value.blocklist).to.deep.equal(['boring']);

    await sendKeys({ press: 'Escape' });
    await waitUntil(() => !isOpen(settings), 'Escape did not close the panel');
    expect(settings.open).to.equal(false);
    expect(active(settings)).to.equal(gear);

    await sendKeys({ press: 'Space' });
    await waitUntil(() => isOpen(settings), 'Space did not open the panel');
    q(settings, '[part~="close"]').focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => !isOpen(settings), 'the close button did not close the panel');
    expect(active(settings)).to.equal(gear);
  });

  it('without a layer, says so, and the opened panel still takes the focus', async () => {
    const settings = await fixture<DanmakuSettings>(html`<danmaku-settings for="nowhere"></danmaku-settings>`);
    expect(q(settings, '[part~="toggle"]').hasAttribute('disabled')).to.equal(true);
    await open(settings);
    expect(q(settings, '.muted').textContent).to.equal('No danmaku layer to control.');
    await waitUntil(() => active(settings) === q(settings, '[part~="close"]'), 'the focus did not move into the panel');
    settings.hide();
  });

  it('is labelled for assistive technology, with no axe violation, in the light and the dark scheme', async () => {
    const { layer, settings } = await setup(freshKey());
    const gear = q(settings, '[part~="button"]');
    expect(gear.getAttribute('aria-label')).to.equal('Comment settings');
    expect(q(settings, '[part~="toggle"]').getAttribute('aria-label')).to.equal('Comments');
    await expect(settings).to.be.accessible();
    await open(settings);
    await block(settings, 'spoiler');
    await expect(settings).to.be.accessible();
    const light = getComputedStyle(panel(settings)).backgroundColor;
    document.documentElement.style.colorScheme = 'dark';
    try {
      await expect(settings).to.be.accessible();
      expect(getComputedStyle(panel(settings)).backgroundColor).not.to.equal(light);
    } finally {
      document.documentElement.style.colorScheme = '';
    }
    expect(layer).to.exist;
  });

  it('speaks Simplified Chinese and Japanese after the nearest lang, and takes other strings', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`
      <div>
        <danmaku-layer id="zh-layer"></danmaku-layer>
        <div lang="zh-CN"><danmaku-settings for="zh-layer" storage-key=""></danmaku-settings></div>
        <div lang="ja"><danmaku-settings for="zh-layer" storage-key=""></danmaku-settings></div>
      </div>
    `);
    const [zh, ja] = wrapper.querySelectorAll('danmaku-settings');
    await zh.updateComplete;
    await ja.updateComplete;
    expect(q(zh, '[part~="button"]').getAttribute('aria-label')).to.equal('弹幕设置');
    expect(q(ja, '[part~="button"]').getAttribute('aria-label')).to.equal('コメント設定');
    ja.strings = { settings: 'Réglages' };
    await ja.updateComplete;
    expect(q(ja, '[part~="button"]').getAttribute('aria-label')).to.equal('Réglages');
  });

  it('follows a change made in another document of the site under its key, and only its key', async () => {
    const key = freshKey();
    const { wrapper, layer, settings } = await setup(key);
    // Another tab, as the browser sees it: a document of the same origin with the same storage.
    const frame = document.createElement('iframe');
    frame.srcdoc = '<!doctype html><title>another tab</title>';
    const loaded = oneEvent(frame, 'load');
    wrapper.append(frame);
    await loaded;
    const elsewhere = frame.contentWindow!.localStorage;

    let changed = oneEvent(wrapper, 'danmaku-settings-change');
    elsewhere.setItem(key, JSON.stringify({ opacity: 0.5, hideModes: 'top', speed: 'fast' }));
    expect((await changed).detail.settings).to.deep.equal({ opacity: 0.5, hideModes: 'top' });
    expect([layer.opacity, layer.hideModes]).to.deep.equal([0.5, 'top']);
    expect(settings.value).to.deep.equal({ opacity: 0.5, hideModes: 'top' });
    await open(settings);
    expect(q<HTMLInputElement>(settings, '#opacity').value).to.equal('0.5');

    // Another key is another player's: nothing here moves.
    let heard = 0;
    wrapper.addEventListener('danmaku-settings-change', () => heard++);
    elsewhere.setItem(freshKey(), JSON.stringify({ opacity: 0.1 }));
    changed = oneEvent(wrapper, 'danmaku-settings-change');
    elsewhere.removeItem(key);
    expect((await changed).detail.settings).to.deep.equal({});
    expect(heard, 'only the change under its key').to.equal(1);
    expect([layer.opacity, layer.hideModes]).to.deep.equal([1, '']);

    elsewhere.setItem(key, JSON.stringify({ opacity: 0.6 }));
    await waitUntil(() => layer.opacity === 0.6, 'the second change was not applied');
    changed = oneEvent(wrapper, 'danmaku-settings-change');
    elsewhere.clear();
    await changed;
    expect(layer.opacity).to.equal(1);

    // Taken off the page, it no longer listens.
    settings.remove();
    elsewhere.setItem(key, JSON.stringify({ opacity: 0.2 }));
    await new Promise((done) => setTimeout(done, 100));
    expect(layer.opacity).to.equal(1);
  });

  it('two layers with different storage keys keep their own choices; the same key shares them', async () => {
    const a = freshKey();
    const b = freshKey();
    const one = await setup(a, 'one');
    const two = await setup(b, 'two');
    await open(one.settings);
    await slide(one.settings, 'opacity', 0.3);
    one.settings.hide();
    await open(two.settings);
    await slide(two.settings, 'opacity', 0.7);
    await clickLabel(two.settings, 'Top');
    expect([one.layer.opacity, one.layer.hideModes]).to.deep.equal([0.3, '']);
    expect([two.layer.opacity, two.layer.hideModes]).to.deep.equal([0.7, 'top']);
    one.wrapper.remove();
    two.wrapper.remove();

    const again = await setup(a, 'one');
    const other = await setup(b, 'two');
    const shared = await setup(a, 'three');
    expect(again.layer.opacity).to.equal(0.3);
    expect([other.layer.opacity, other.layer.hideModes]).to.deep.equal([0.7, 'top']);
    expect(shared.layer.opacity).to.equal(0.3);
  });
});
