import { expect } from '@open-wc/testing';
import { POLICY_NAME, trustedScriptURL } from './trusted-script-url.js';

/** The Trusted Types API of Chromium, which TypeScript's DOM library does not declare yet. */
const trustedTypes = (globalThis as unknown as { trustedTypes: { isScriptURL(value: unknown): boolean } }).trustedTypes;

describe('the danmaku-layer Trusted Types policy', () => {
  it('makes a TrustedScriptURL of the canvas worker next to the widget', () => {
    const url = new URL('./canvas-worker.js', import.meta.url).href;
    const trusted = trustedScriptURL(url);
    expect(trustedTypes.isScriptURL(trusted)).to.equal(true);
    expect(String(trusted)).to.equal(url);
    expect(POLICY_NAME).to.equal('danmaku-layer');
  });

  it("accepts a blob: of this page and the one-file build's data: worker", () => {
    const blob = URL.createObjectURL(new Blob(['import "./x.js";'], { type: 'text/javascript' }));
    expect(trustedTypes.isScriptURL(trustedScriptURL(blob))).to.equal(true);
    URL.revokeObjectURL(blob);
    expect(trustedTypes.isScriptURL(trustedScriptURL('data:text/javascript,postMessage(1)'))).to.equal(true);
  });

  it('refuses any other script URL, so that it cannot be used to run another script', () => {
    for (const url of [
      'https://elsewhere.example/evil.js',
      'data:text/html,<script>alert(1)</script>',
      'javascript:alert(1)',
    ])
      expect(() => trustedScriptURL(url), url).to.throw(TypeError, /not a worker of the widget/);
  });
});
