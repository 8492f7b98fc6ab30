/**
 * Template types for Vue 3: import this module once (`import 'danmaku-layer/vue.js'`, or list it in
 * `compilerOptions.types`) and `<danmaku-layer>`, `<danmaku-composer>` and `<danmaku-settings>` type-check in templates
 * checked by vue-tsc / Volar, with their properties and `@danmaku-…` events. Tell Vue's compiler
 * that `danmaku-` tags are custom elements (`compilerOptions.isCustomElement`).
 *
 * Types only: the JavaScript module is empty. Register the elements with `import 'danmaku-layer'`.
 *
 * @example
 * <danmaku-layer id="live" src="wss://example.com/ws" room="lobby" @danmaku-comment="onComment">
 *   <video src="talk.mp4" />
 * </danmaku-layer>
 * <danmaku-composer for="live" />
 */
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';
import type {
  DanmakuComposerAttributes,
  DanmakuComposerEvents,
  DanmakuLayerAttributes,
  DanmakuLayerEvents,
  DanmakuSettingsAttributes,
  DanmakuSettingsEvents,
} from './element-types.js';
import type { DanmakuLayer } from './danmaku-layer.component.js';
import type { DanmakuComposer } from './danmaku-composer.component.js';
import type { DanmakuSettings } from './danmaku-settings.component.js';

/**
 * A custom element as Vue's template checker sees a component: the element's instance type plus
 * `$props` (its attributes and properties, generated from the Custom Elements Manifest, see
 * `element-types.ts`) and `$emit` (its events). The pattern of Vue's "Web Components and
 * TypeScript" guide.
 */
export type VueCustomElement<E extends HTMLElement, Attributes, Events> = new () => E & {
  /** @deprecated For template type-checking only; not present at run time. */
  $props: Omit<HTMLAttributes, keyof Attributes & keyof HTMLAttributes> & Attributes & PublicProps;
  /** @deprecated For template type-checking only; not present at run time. */
  $emit: EmitFn<{ [K in keyof Events]: (event: Events[K]) => void }>;
};

/** `<danmaku-layer>` for Vue templates: every attribute, property and event. */
export type DanmakuLayerVue = VueCustomElement<DanmakuLayer, DanmakuLayerAttributes, DanmakuLayerEvents>;

/** `<danmaku-composer>` for Vue templates: every attribute, property and event. */
export type DanmakuComposerVue = VueCustomElement<DanmakuComposer, DanmakuComposerAttributes, DanmakuComposerEvents>;

/** `<danmaku-settings>` for Vue templates: every attribute, property and event. */
export type DanmakuSettingsVue = VueCustomElement<DanmakuSettings, DanmakuSettingsAttributes, DanmakuSettingsEvents>;

declare module 'vue' {
  interface GlobalComponents {
    'danmaku-layer': DanmakuLayerVue;
    'danmaku-composer': DanmakuComposerVue;
    'danmaku-settings': DanmakuSettingsVue;
  }
}
