/**
 * Template types for Vue 3: import this module once (`import 'danmaku-layer/vue.js'`, or list it in
 * `compilerOptions.types`) and `<danmaku-layer>` and `<danmaku-composer>` type-check in templates
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
import type { DanmakuLayer } from './danmaku-layer.component.js';
import type { DanmakuComposer } from './danmaku-composer.component.js';
import type { DanmakuComposerEventMap, DanmakuEventMap } from './events.js';

/**
 * A custom element as Vue's template checker sees a component: the element's instance type plus
 * `$props` (attributes and the chosen properties) and `$emit` (its events). The pattern of Vue's
 * "Web Components and TypeScript" guide.
 */
export type VueCustomElement<E extends HTMLElement, Props extends keyof E, Events> = new () => E & {
  /** @deprecated For template type-checking only; not present at run time. */
  $props: Omit<HTMLAttributes, Props & keyof HTMLAttributes> & Partial<Pick<E, Props>> & { for?: string } & PublicProps;
  /** @deprecated For template type-checking only; not present at run time. */
  $emit: EmitFn<{ [K in keyof Events]: (event: Events[K]) => void }>;
};

/** `<danmaku-layer>` for Vue templates. */
export type DanmakuLayerVue = VueCustomElement<
  DanmakuLayer,
  'src' | 'room' | 'htmlFor' | 'last' | 'speed' | 'fixedDuration' | 'renderer',
  DanmakuEventMap
>;

/** `<danmaku-composer>` for Vue templates. */
export type DanmakuComposerVue = VueCustomElement<
  DanmakuComposer,
  'htmlFor' | 'layer' | 'value' | 'color' | 'mode' | 'size' | 'placeholder' | 'label' | 'disabled',
  DanmakuComposerEventMap
>;

declare module 'vue' {
  interface GlobalComponents {
    'danmaku-layer': DanmakuLayerVue;
    'danmaku-composer': DanmakuComposerVue;
  }
}
