/**
 * The widget's one Trusted Types policy, `danmaku-layer`, through which every URL it hands to a
 * script sink goes: today only the canvas renderer's worker (`new Worker(url)`). Dynamic `import()`
 * is not a Trusted Types sink in any browser (Content-Security-Policy's `script-src` governs it), so
 * the parts fetched on use need nothing here.
 *
 * On a page that enforces Trusted Types (`require-trusted-types-for 'script'`) a plain string given
 * to `new Worker()` throws; a page that also lists its policies (`trusted-types …`) must name
 * `danmaku-layer` there (docs/troubleshooting.md). The policy is created on first use only, so pages
 * that never start the canvas renderer never see it, and creates script URLs only: no HTML, no script.
 */

/** The policy's name, for a page's `trusted-types` directive. */
export const POLICY_NAME = 'danmaku-layer';

/** The part of the Trusted Types API used here (TypeScript's DOM library does not declare it yet). */
interface ScriptURLPolicy {
  createScriptURL(url: string): unknown;
}
interface PolicyFactory {
  createPolicy(name: string, rules: { createScriptURL(url: string): string }): ScriptURLPolicy;
}

let policy: ScriptURLPolicy | undefined;

/**
 * Whether `url` is one the widget starts a worker from: its own file (on the origin the widget's
 * code came from, or the page's), a `blob:` of this page (made by the canvas renderer to start a
 * worker of another origin), or the `data:` script the one-file build carries. Anything else is
 * refused, so that the policy cannot be used to run another script.
 */
function isWorkerURL(url: string): boolean {
  const parsed = new URL(url, document.baseURI);
  if (parsed.protocol === 'data:') return url.startsWith('data:text/javascript,');
  if (parsed.protocol === 'blob:') return parsed.origin === location.origin;
  return parsed.origin === new URL(import.meta.url).origin || parsed.origin === location.origin;
}

/**
 * `url` as a `TrustedScriptURL` made by the `danmaku-layer` policy where the browser has Trusted
 * Types, else `url` itself. Throws a `TypeError` when the page's `trusted-types` directive does not
 * allow the policy, or when `url` is not a worker of the widget.
 */
export function trustedScriptURL(url: string): string {
  const factory = (globalThis as { trustedTypes?: PolicyFactory }).trustedTypes;
  if (!factory) return url;
  policy ??= factory.createPolicy(POLICY_NAME, {
    createScriptURL: (value) => {
      if (!isWorkerURL(value)) throw new TypeError(`${POLICY_NAME} policy: not a worker of the widget: ${value}`);
      return value;
    },
  });
  // A TrustedScriptURL is accepted wherever the string is; typed as one for the callers.
  return policy.createScriptURL(url) as string;
}
